"""One A3C actor-learner (Mnih et al. 2016, Algorithm S3), run in its own process.

Loop: copy the global parameters into the local network, play up to ``t_max`` steps (or to the end
of the episode), compute n-step returns (or GAE), and apply the local gradients to the global
network through the shared optimiser -- without locks (Hogwild).

Acting runs without autograd; the learning step re-runs the network once on the whole rollout as a
batch. The local parameters do not change during a rollout, so this gives exactly the gradients of
the per-step graphs, at a fraction of the cost.
"""

from __future__ import annotations

import multiprocessing
import random
import signal
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from rl_assets.a3c.model import ActorCritic, RecurrentState, build_model
from rl_assets.atari import make_env

if TYPE_CHECKING:
    from rl_assets.a3c.shared_optim import SharedOptimizer
    from rl_assets.a3c.trainer import A3CConfig


# ---- messages from workers to the trainer process -------------------------------------------


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
    """What the trainer and its workers share besides the model and the optimiser."""

    steps: Any  # multiprocessing Value('q'): agent steps taken by all workers in this run
    stop: Any  # multiprocessing Event: set by the trainer to stop every worker
    messages: Any  # multiprocessing Queue of EpisodeFinished | LearnerStats | WorkerFailed
    max_steps: int  # the run's budget in agent steps


# ---- the algorithm -------------------------------------------------------------------------


@dataclass
class Rollout:
    """Up to t_max consecutive steps of one episode."""

    obs: Tensor  # [T, *obs_shape]
    actions: Tensor  # [T] int64
    rewards: list[float]  # clipped for Atari training
    initial_state: RecurrentState  # the LSTM state before obs[0] (None for feed-forward nets)
    # Where the return is bootstrapped from: the next observation when the episode goes on, the
    # final observation when it was truncated (time limit), None when it terminated (V = 0).
    bootstrap_obs: Tensor | None
    episode_ended: bool


def collect_rollout(
    env: gym.Env,
    model: ActorCritic,
    obs: np.ndarray,
    state: RecurrentState,
    t_max: int,
    rng: random.Random,
) -> tuple[Rollout, np.ndarray, RecurrentState, list[dict[str, float]]]:
    """Play up to ``t_max`` steps from ``obs``; reset the env if the episode ends.

    Returns the rollout, the observation and LSTM state to continue from, and the
    ``info["episode"]`` statistics of games that finished.
    """
    observations: list[Tensor] = []
    actions: list[int] = []
    rewards: list[float] = []
    finished: list[dict[str, float]] = []
    initial_state = state
    bootstrap_obs: Tensor | None = None
    episode_ended = False
    actions_range = range(env.action_space.n)
    obs_t = torch.from_numpy(np.asarray(obs))
    for _ in range(t_max):
        with torch.no_grad():
            logits, _, state = model(obs_t.unsqueeze(0), state)
        # Sampling in Python from <= 18 probabilities skips torch.multinomial's per-call overhead.
        action = rng.choices(actions_range, weights=F.softmax(logits[0], dim=-1).tolist())[0]
        next_obs, reward, terminated, truncated, info = env.step(action)
        observations.append(obs_t)
        actions.append(action)
        rewards.append(float(reward))
        if "episode" in info:
            finished.append({key: float(value) for key, value in info["episode"].items()})
        obs_t = torch.from_numpy(np.asarray(next_obs))
        if terminated or truncated:
            # On truncation the episode did not really end: V(final observation) stands in for
            # the rewards the time limit cut off. On termination there are none.
            bootstrap_obs = None if terminated else obs_t
            episode_ended = True
            next_obs, _ = env.reset()
            obs_t = torch.from_numpy(np.asarray(next_obs))
            state = model.initial_state()
            break
    else:
        bootstrap_obs = obs_t
    rollout = Rollout(
        obs=torch.stack(observations),
        actions=torch.tensor(actions),
        rewards=rewards,
        initial_state=initial_state,
        bootstrap_obs=bootstrap_obs,
        episode_ended=episode_ended,
    )
    return rollout, next_obs, state, finished


def advantages(
    rewards: list[float],
    values: list[float],
    bootstrap_value: float,
    gamma: float,
    gae_lambda: float,
) -> list[float]:
    """GAE(lambda) advantages of one rollout; ``gae_lambda=1`` gives the paper's n-step returns
    minus the baseline, ``sum_k gamma^k r_{t+k} + gamma^(T-t) V(s_T) - V(s_t)``."""
    result = [0.0] * len(rewards)
    running, next_value = 0.0, bootstrap_value
    for t in reversed(range(len(rewards))):
        delta = rewards[t] + gamma * next_value - values[t]
        running = delta + gamma * gae_lambda * running
        result[t] = running
        next_value = values[t]
    return result


def a3c_loss(
    model: ActorCritic, rollout: Rollout, config: A3CConfig
) -> tuple[Tensor, dict[str, float]]:
    """Policy-gradient loss with advantage baseline, value regression and an entropy bonus,
    summed over the rollout (the paper accumulates gradients over the t_max steps)."""
    steps = len(rollout.actions)
    obs = rollout.obs
    if rollout.bootstrap_obs is not None:
        obs = torch.cat([obs, rollout.bootstrap_obs.unsqueeze(0)])
    logits, values, _ = model(obs, rollout.initial_state)
    value_list = values.detach().tolist()
    bootstrap_value = value_list[steps] if rollout.bootstrap_obs is not None else 0.0
    logits, values = logits[:steps], values[:steps]
    adv = torch.tensor(
        advantages(
            rollout.rewards, value_list[:steps], bootstrap_value, config.gamma, config.gae_lambda
        )
    )
    returns = adv + values.detach()
    log_probs = F.log_softmax(logits, dim=-1)
    entropy = -(log_probs.exp() * log_probs).sum()
    policy_loss = -(log_probs.gather(1, rollout.actions.unsqueeze(1)).squeeze(1) * adv).sum()
    value_loss = 0.5 * (returns - values).pow(2).sum()
    loss = policy_loss + config.value_coef * value_loss - config.entropy_coef * entropy
    stats = {
        "policy_loss": policy_loss.item() / steps,
        "value_loss": value_loss.item() / steps,
        "entropy": entropy.item() / steps,
    }
    return loss, stats


def annealed_lr(config: A3CConfig, steps_done: int, max_steps: int) -> float:
    if not config.anneal_lr:
        return config.lr
    return config.lr * max(0.0, 1.0 - steps_done / max_steps)


# ---- the process ---------------------------------------------------------------------------


def run_worker(
    rank: int,
    config: A3CConfig,
    global_model: ActorCritic,
    optimizer: SharedOptimizer,
    shared: SharedRunState,
) -> None:
    """Entry point of worker ``rank``. Exits 0 when the budget is spent or the trainer says stop;
    on an error, sends the traceback to the trainer and exits 1."""
    # Ctrl-C goes to the whole process group; the trainer alone decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _learn(rank, config, global_model, optimizer, shared)
    except BaseException:
        shared.messages.put(WorkerFailed(rank, traceback.format_exc()))
        raise SystemExit(1) from None


def _learn(
    rank: int,
    config: A3CConfig,
    global_model: ActorCritic,
    optimizer: SharedOptimizer,
    shared: SharedRunState,
) -> None:
    torch.set_num_threads(1)
    # Denormal floats in the RMSprop statistics make every update several times slower.
    torch.set_flush_denormal(True)
    seed = config.seed + 1000 * rank
    torch.manual_seed(seed)
    rng = random.Random(seed)
    env = make_env(config.env, training=True, settings=config.atari_settings())
    env.action_space.seed(seed)
    obs, _ = env.reset(seed=seed)
    model = build_model(env.observation_space.shape, env.action_space.n, lstm=config.lstm)
    state = model.initial_state()
    local_params = list(model.parameters())
    global_params = list(global_model.parameters())
    trainer = multiprocessing.parent_process()
    updates = 0
    while not shared.stop.is_set():
        with torch.no_grad():
            for local, remote in zip(local_params, global_params, strict=True):
                local.copy_(remote)
        rollout, obs, state, finished = collect_rollout(env, model, obs, state, config.t_max, rng)
        with shared.steps.get_lock():
            shared.steps.value += len(rollout.actions)
            steps = shared.steps.value

        loss, stats = a3c_loss(model, rollout, config)
        model.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(local_params, config.max_grad_norm)
        for local, remote in zip(local_params, global_params, strict=True):
            remote.grad = local.grad
        lr = annealed_lr(config, steps, shared.max_steps)
        optimizer.set_lr(lr)
        optimizer.step()
        updates += 1

        for episode in finished:
            shared.messages.put(
                EpisodeFinished(rank, steps, episode["r"], int(episode["l"]), time.time())
            )
        if updates % config.stats_every_updates == 0:
            shared.messages.put(LearnerStats(rank, steps, lr=lr, **stats))
        if steps >= shared.max_steps:
            return
        if trainer is not None and not trainer.is_alive():
            return  # the trainer was killed (e.g. SIGKILL): do not live on as an orphan
