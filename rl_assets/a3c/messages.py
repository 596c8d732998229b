"""What the trainer process and its worker processes share and send each other.

The trainer (``trainer.py``) builds a :class:`SharedRunState` and hands it to every worker
(``worker.py``); workers report on its queue with the messages below. Both sides import this
module, and neither imports the other's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rl_assets.a3c.model import ActorCritic
    from rl_assets.a3c.shared_optim import SharedOptimizer


@dataclass(frozen=True)
class EpisodeFinished:
    worker: int
    step: int  # agent steps of this run when the episode ended (shared counter)
    score: float  # unclipped game score
    length: int  # agent steps
    wall_time_s: float


@dataclass(frozen=True)
class LearnerStats:
    worker: int
    step: int
    policy_loss: float
    value_loss: float
    entropy: float
    lr: float


@dataclass(frozen=True)
class WorkerFailed:
    worker: int
    traceback: str


@dataclass
class SharedRunState:
    """Everything the trainer and its workers share. It travels to each worker as one pickle,
    so the optimiser's state keeps pointing at the global network's parameters."""

    model: ActorCritic  # the global network, in shared memory
    optimizer: SharedOptimizer  # its optimiser, statistics in shared memory
    steps: Any  # multiprocessing Value('q'): agent steps taken by all workers in this run
    stop: Any  # multiprocessing Event: set by the trainer to stop every worker
    messages: Any  # multiprocessing Queue of EpisodeFinished | LearnerStats | WorkerFailed
    max_steps: int  # the run's budget in agent steps
