"""A3C trainer: every hyperparameter in one dataclass, workers in processes, the parent supervises.

The parent process builds the global network and the shared optimiser, starts ``workers``
actor-learner processes (``rl_assets.a3c.worker``), and then only supervises: it collects finished
episodes (CSV + TensorBoard), prints progress, writes periodic checkpoints, enforces the wall-time
budget, and stops everything cleanly on Ctrl-C or when a worker dies.
"""

from __future__ import annotations

import csv
import math
import os
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import torch.multiprocessing as mp

from rl_assets.a3c.checkpoint import CheckpointError, RunPaths, load_checkpoint, save_checkpoint
from rl_assets.a3c.model import build_model
from rl_assets.a3c.shared_optim import make_optimizer
from rl_assets.a3c.worker import (
    EpisodeFinished,
    LearnerStats,
    SharedRunState,
    WorkerFailed,
    run_worker,
)
from rl_assets.atari import AtariSettings, frames_per_step, make_env, validate_env_name


@dataclass
class A3CConfig:
    """Hyperparameters of Mnih et al. (2016) unless noted. Frames are emulator frames (Atari: 4 per
    agent step, the frame skip); CartPole-like envs have 1 frame per step."""

    # environment
    env: str = "Pong"  # an ALE game ("Pong") or a gymnasium id ("CartPole-v1" gets the MLP)
    repeat_action_probability: float = 0.0  # sticky actions: off, as in the paper
    # budgets (whichever is reached first)
    max_frames: int = 10_000_000
    max_seconds: float | None = None
    target_score: float | None = None  # stop early once the mean score of the last
    target_window: int = 100  # ... target_window games reaches target_score
    # parallelism
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    start_method: Literal["spawn", "forkserver"] = "spawn"  # never fork: callers may have threads
    seed: int = 1  # env i of worker k uses seed + 1000 * k + i
    # Envs each worker steps side by side, acting for all with one batched forward pass and
    # making one asynchronous update from all their t_max steps (as PAAC / GA3C batch). 1 is the
    # paper's A3C (one env per actor-learner, updates also at every episode end). The default 16
    # amortises backward, optimiser and parameter copy over 16x the steps: per CPU second on this
    # 2-core machine that is ~3.5x the paper's training throughput (37-47% of the env-only rate
    # against 11-13%; bench/a3c.py measures both). It needs ~2-3x more frames on CartPole.
    envs_per_worker: int = 16
    # algorithm
    t_max: int = 5  # steps per update
    gamma: float = 0.99
    gae_lambda: float = 1.0  # 1.0 = the paper's n-step returns; < 1 = GAE
    entropy_coef: float = 0.01
    value_coef: float = 0.5
    max_grad_norm: float = 40.0
    lstm: bool = False  # the paper's LSTM-256 variant
    # optimiser
    optimizer: Literal["rmsprop", "adam"] = "rmsprop"  # rmsprop = shared-statistics RMSprop
    lr: float = 7e-4
    anneal_lr: bool = True  # linearly to 0 over this run's frame budget
    rmsprop_alpha: float = 0.99
    rmsprop_eps: float = 0.1
    # bookkeeping
    checkpoint_every_s: float = 300.0
    progress_every_s: float = 2.0
    stats_every_updates: int = 100  # how often each worker reports losses to TensorBoard

    def atari_settings(self) -> AtariSettings:
        return AtariSettings(repeat_action_probability=self.repeat_action_probability)

    @property
    def frames_per_step(self) -> int:
        return frames_per_step(self.env, self.atari_settings())

    def validate(self) -> None:
        validate_env_name(self.env)
        problems = []
        if self.workers < 1:
            problems.append(f"workers must be >= 1, got {self.workers}")
        if self.max_frames < 1:
            problems.append(f"max_frames must be >= 1, got {self.max_frames}")
        if self.envs_per_worker < 1:
            problems.append(f"envs_per_worker must be >= 1, got {self.envs_per_worker}")
        if self.t_max < 1:
            problems.append(f"t_max must be >= 1, got {self.t_max}")
        if self.lr <= 0:
            problems.append(f"lr must be > 0, got {self.lr}")
        if self.target_window < 1:
            problems.append(f"target_window must be >= 1, got {self.target_window}")
        if self.max_seconds is not None and self.max_seconds <= 0:
            problems.append(f"max_seconds must be > 0 or None, got {self.max_seconds}")
        if problems:
            raise ValueError("Invalid A3C config: " + "; ".join(problems))


@dataclass(frozen=True)
class TrainingProgress:
    frames: int  # all frames the policy has trained on, earlier runs included
    run_frames: int  # frames of this run
    budget_frames: int
    frames_per_s: float  # recent rate; agent steps/s = frames_per_s / frames_per_step
    episodes: int
    mean_score_100: float | None  # mean unclipped score of the last 100 games
    elapsed_s: float


@dataclass(frozen=True)
class TrainingResult:
    frames: int
    run_frames: int
    frames_per_step: int
    wall_time_s: float  # including starting the worker processes
    frames_per_s: float  # run_frames / wall_time_s
    episodes: int
    run_episodes: int
    mean_score_100: float | None
    stopped_because: str  # "frame budget", "time budget", "target score" or "interrupted"
    checkpoint: Path
    paths: RunPaths

    @property
    def steps_per_s(self) -> float:
        return self.frames_per_s / self.frames_per_step


class WorkerCrashedError(RuntimeError):
    """A worker died; every other worker has been stopped. The message has the worker's traceback."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C: the workers were stopped and a checkpoint saved; ``result`` says where."""

    def __init__(self, result: TrainingResult):
        super().__init__(
            f"Training interrupted after {result.run_frames:,} frames; all workers stopped; "
            f"checkpoint saved to {result.checkpoint}."
        )
        self.result = result


class EpisodeLog:
    """Finished games to ``episodes.csv`` (appending across resumed runs) and TensorBoard."""

    columns = ("episode", "frames", "score", "length", "worker", "wall_time")

    def __init__(
        self, paths: RunPaths, start_steps: int, frames_per_step: int, keep_scores: int = 100
    ):
        from torch.utils.tensorboard import SummaryWriter  # slow import; only when training

        self.start_steps = start_steps
        self.frames_per_step = frames_per_step
        self.recent_scores: deque[float] = deque(maxlen=max(100, keep_scores))
        self.run_scores = 0  # games finished in this run
        self.episodes = 0
        if paths.episodes_csv.exists():
            with paths.episodes_csv.open(newline="") as previous:
                for row in csv.DictReader(previous):
                    self.recent_scores.append(float(row["score"]))
                    self.episodes += 1
        new_file = not paths.episodes_csv.exists()
        self._file = paths.episodes_csv.open("a", newline="")
        self._csv = csv.writer(self._file)
        if new_file:
            self._csv.writerow(self.columns)
        self._tensorboard = SummaryWriter(str(paths.tensorboard))

    def frames(self, run_steps: int) -> int:
        return (self.start_steps + run_steps) * self.frames_per_step

    def episode(self, message: EpisodeFinished) -> None:
        frames = self.frames(message.step)
        self.episodes += 1
        self.run_scores += 1
        self.recent_scores.append(message.score)
        self._csv.writerow(
            (
                self.episodes,
                frames,
                message.score,
                message.length,
                message.worker,
                round(message.wall_time_s, 3),
            )
        )
        self._tensorboard.add_scalar("episode/score", message.score, frames)
        self._tensorboard.add_scalar("episode/length", message.length, frames)

    def learner_stats(self, message: LearnerStats) -> None:
        frames = self.frames(message.step)
        for name in ("policy_loss", "value_loss", "entropy", "lr"):
            self._tensorboard.add_scalar(f"learner/{name}", getattr(message, name), frames)

    def throughput(self, frames_per_s: float, frames: int) -> None:
        self._tensorboard.add_scalar("perf/frames_per_s", frames_per_s, frames)

    def mean_score(self, last: int = 100) -> float | None:
        scores = list(self.recent_scores)[-last:]
        return sum(scores) / len(scores) if scores else None

    def reached(self, target: float | None, window: int) -> bool:
        """Whether this run's last ``window`` games average at least ``target``."""
        if target is None or self.run_scores < window:
            return False
        mean = self.mean_score(window)
        return mean is not None and mean >= target

    def flush(self) -> None:
        self._file.flush()
        self._tensorboard.flush()

    def close(self) -> None:
        self._file.close()
        self._tensorboard.close()


ProgressCallback = Callable[[TrainingProgress], None]


def train(
    config: A3CConfig,
    run_dir: Path | str,
    on_progress: ProgressCallback | None = None,
    resume: bool = True,
) -> TrainingResult:
    """Train until the frame or time budget is spent; resume from ``run_dir``'s checkpoint if any.

    Without a checkpoint to resume from (or with ``resume=False``) an earlier run's files are
    moved to ``run_dir/previous-<time>/`` first.
    Raises ``WorkerCrashedError`` if a worker dies and ``TrainingInterrupted`` on Ctrl-C; in every
    case all worker processes have exited when this returns or raises.
    """
    config.validate()
    paths = RunPaths(Path(run_dir))
    paths.root.mkdir(parents=True, exist_ok=True)
    probe = make_env(config.env, training=True, settings=config.atari_settings())
    obs_shape, n_actions = tuple(probe.observation_space.shape), int(probe.action_space.n)
    probe.close()

    model = build_model(obs_shape, n_actions, lstm=config.lstm)
    optimizer = make_optimizer(
        config.optimizer, model.parameters(), config.lr, config.rmsprop_alpha, config.rmsprop_eps
    )
    start_steps = 0
    if resume and paths.checkpoint.exists():
        checkpoint = load_checkpoint(paths.checkpoint)
        _ensure_compatible(checkpoint, config, paths)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        start_steps = checkpoint["steps"]
    else:  # a fresh start: earlier files (say, of a run that never checkpointed) move aside
        paths.archive_previous_run()
    model.share_memory()
    optimizer.share_memory()

    frame_skip = config.frames_per_step
    max_steps = math.ceil(config.max_frames / frame_skip)
    context = mp.get_context(config.start_method)
    shared = SharedRunState(
        steps=context.Value("q", 0),
        stop=context.Event(),
        messages=context.Queue(),
        max_steps=max_steps,
    )
    log = EpisodeLog(paths, start_steps, frame_skip, keep_scores=config.target_window)
    episodes_before = log.episodes
    workers = [
        context.Process(
            target=run_worker,
            args=(rank, config, model, optimizer, shared),
            name=f"a3c-worker-{rank}",
            daemon=True,  # never outlive the trainer
        )
        for rank in range(config.workers)
    ]

    def save() -> None:
        run_steps = shared.steps.value
        save_checkpoint(
            paths.checkpoint,
            {
                "env": config.env,
                "obs_shape": obs_shape,
                "n_actions": n_actions,
                "lstm": config.lstm,
                "frames_per_step": frame_skip,
                "atari_settings": asdict(config.atari_settings()),
                "steps": start_steps + run_steps,
                "frames": log.frames(run_steps),
                "episodes": log.episodes,
                "config": asdict(config),
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
            },
        )

    started = time.monotonic()
    failure: WorkerFailed | None = None
    stopped_because = "interrupted"
    try:
        with _sigint_ignored():  # children inherit SIG_IGN; the trainer handles Ctrl-C for all
            for worker in workers:
                worker.start()
        stopped_because, failure = _supervise(
            workers, shared, log, config, save, on_progress, started
        )
    except KeyboardInterrupt:
        stopped_because = "interrupted"
    finally:
        with _sigint_ignored():  # a second Ctrl-C must not cut the shutdown short
            _stop_workers(workers, shared, log)
        log.close()
    wall_time = time.monotonic() - started

    if failure is not None:
        raise WorkerCrashedError(
            f"A3C worker {failure.worker} crashed, so all {len(workers)} workers were stopped "
            f"(the last checkpoint, if any, is {paths.checkpoint}).\n{failure.traceback}"
        )
    save()
    run_steps = shared.steps.value
    result = TrainingResult(
        frames=log.frames(run_steps),
        run_frames=run_steps * frame_skip,
        frames_per_step=frame_skip,
        wall_time_s=wall_time,
        frames_per_s=run_steps * frame_skip / wall_time,
        episodes=log.episodes,
        run_episodes=log.episodes - episodes_before,
        mean_score_100=log.mean_score(),
        stopped_because=stopped_because,
        checkpoint=paths.checkpoint,
        paths=paths,
    )
    if stopped_because == "interrupted":
        raise TrainingInterrupted(result)
    return result


def _supervise(
    workers: list,
    shared: SharedRunState,
    log: EpisodeLog,
    config: A3CConfig,
    save: Callable[[], None],
    on_progress: ProgressCallback | None,
    started: float,
) -> tuple[str, WorkerFailed | None]:
    """Run until the budget is spent or a worker fails; Ctrl-C propagates to the caller."""
    last_progress = last_checkpoint = started
    last_steps = 0
    budget_frames = shared.max_steps * log.frames_per_step
    while True:
        failure = _drain(shared.messages, log, wait_s=0.25)
        if failure is None:
            dead = [
                (rank, w.exitcode) for rank, w in enumerate(workers) if w.exitcode not in (None, 0)
            ]
            if dead:
                time.sleep(0.5)  # give its traceback a moment to arrive
                rank, code = dead[0]
                reason = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
                failure = _drain(shared.messages, log, wait_s=0.0) or WorkerFailed(
                    rank, f"Process {reason}."
                )
        if failure is not None:
            return "crashed", failure
        if log.reached(config.target_score, config.target_window):
            return "target score", None
        if all(w.exitcode == 0 for w in workers):
            return "frame budget", None
        now = time.monotonic()
        if config.max_seconds is not None and now - started >= config.max_seconds:
            return "time budget", None
        if now - last_checkpoint >= config.checkpoint_every_s:
            save()
            last_checkpoint = now
        if now - last_progress >= config.progress_every_s:
            steps = shared.steps.value
            frames_per_s = (steps - last_steps) * log.frames_per_step / (now - last_progress)
            log.throughput(frames_per_s, log.frames(steps))
            log.flush()
            if on_progress is not None:
                on_progress(
                    TrainingProgress(
                        frames=log.frames(steps),
                        run_frames=steps * log.frames_per_step,
                        budget_frames=budget_frames,
                        frames_per_s=frames_per_s,
                        episodes=log.episodes,
                        mean_score_100=log.mean_score(),
                        elapsed_s=now - started,
                    )
                )
            last_progress, last_steps = now, steps


def _drain(messages, log: EpisodeLog, wait_s: float) -> WorkerFailed | None:
    """Log every pending message; return the first failure report, if any."""
    failure = None
    try:
        message = messages.get(timeout=wait_s) if wait_s > 0 else messages.get_nowait()
        while True:
            if isinstance(message, EpisodeFinished):
                log.episode(message)
            elif isinstance(message, LearnerStats):
                log.learner_stats(message)
            elif isinstance(message, WorkerFailed) and failure is None:
                failure = message
            message = messages.get_nowait()
    except queue.Empty:
        pass
    return failure


def _stop_workers(
    workers: list, shared: SharedRunState, log: EpisodeLog, grace_s: float = 15.0
) -> None:
    """Ask every worker to stop, keep draining their queue so they can exit, then make sure."""
    shared.stop.set()
    deadline = time.monotonic() + grace_s
    while any(w.is_alive() for w in workers) and time.monotonic() < deadline:
        _drain(shared.messages, log, wait_s=0.05)
        for worker in workers:
            worker.join(timeout=0.05)
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
            worker.join(timeout=5)
        if worker.is_alive():
            worker.kill()
            worker.join()
    _drain(shared.messages, log, wait_s=0.0)
    shared.messages.close()


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ensure_compatible(checkpoint: dict, config: A3CConfig, paths: RunPaths) -> None:
    if checkpoint["env"] != config.env or checkpoint["lstm"] != config.lstm:
        raise CheckpointError(
            f"The checkpoint in {paths.root} is for env={checkpoint['env']!r}, lstm={checkpoint['lstm']}, "
            f"but this run asks for env={config.env!r}, lstm={config.lstm}. Use another data dir, "
            "or start fresh (--fresh / resume=False moves the old run aside)."
        )
