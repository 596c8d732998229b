"""One A3C actor-learner (Mnih et al. 2016, Algorithm S3), run in its own process.

Loop: copy the global parameters into the local network, play ``t_max`` steps in each of the
worker's ``envs_per_worker`` environments (one env: up to the end of the episode, as the paper),
compute n-step returns (or GAE), and apply the local gradients to the global network through the
shared optimiser -- without locks (Hogwild).

Acting runs one batched forward pass for all of the worker's envs per step and keeps the
autograd graph of its convolutions: the local parameters do not change during a rollout, so
backpropagating through them gives exactly the gradients of the update without running them
again. The cheap rest of the network is run once more over the whole rollout in one batch, with
grad (see ``model.py``). Several envs per worker (as in PAAC / GA3C) amortise the per-update costs
(backward, optimiser, parameter copy) over more agent steps; ``envs_per_worker=1`` is the paper's
algorithm.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
import traceback
from dataclasses import dataclass

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from rl_assets.a3c.config import A3CConfig
from rl_assets.a3c.messages import EpisodeFinished, LearnerStats, SharedRunState, WorkerFailed
from rl_assets.a3c.model import ActorCritic, RecurrentState, build_model, observation_batch
from rl_assets.atari import make_env

# ---- the algorithm -------------------------------------------------------------------------


@dataclass
class Rollout:
    """``T <= t_max`` steps of each of a worker's ``N`` envs, as ``[T, N]`` tensors."""

    # The observations through ``model.encode``, keeping the acting pass's autograd graph.
    encoded: Tensor  # [T, N, F], with grad
    initial_state: RecurrentState  # the LSTM state the rollout started from, without grad
    logits: Tensor  # [T, N, A], as the agent acted, without grad
    values: Tensor  # [T, N], without grad
    actions: Tensor  # [T, N] int64
    rewards: Tensor  # [T, N], clipped for Atari training
    # Whether env n's episode ended at step t (terminated or truncated): returns stop there.
    episode_ends: Tensor  # [T, N] bool
    # V of what follows step t, without grad: V(s_t+1) while the episode goes on; after a
    # truncation (time limit) V(final observation), standing in for the rewards the limit cut off;
    # after a termination 0.
    next_values: Tensor  # [T, N]


def collect_rollout(
    envs: list[gym.Env],
    model: ActorCritic,
    obs: np.ndarray,
    state: RecurrentState,
    t_max: int,
) -> tuple[Rollout, np.ndarray, RecurrentState, list[dict[str, float]]]:
    """Play ``t_max`` steps in each env from ``obs[N, ...]`` with one batched forward pass per
    step; an env whose episode ends is reset and plays on (its returns are cut at the end).

    With one env this is the paper's rollout: it stops at the end of the episode. Returns the
    rollout, the observations and LSTM state to continue from, and the ``info["episode"]``
    statistics of games that finished.
    """
    n_envs = len(envs)
    encoded_t, logits_t, values_t, actions_t, rewards_t, ends_t = [], [], [], [], [], []
    truncation_values = torch.zeros(t_max, n_envs)
    finished: list[dict[str, float]] = []
    state = initial_state = _detached(state)  # gradients flow back to the rollout's start only
    for t in range(t_max):
        encoded = model.encode(observation_batch(obs))
        with torch.no_grad():
            logits, values, state = model.decode(encoded, state)
            actions = torch.multinomial(F.softmax(logits, dim=-1), 1).squeeze(1)
        rewards = np.zeros(n_envs, np.float32)
        terminated = np.zeros(n_envs, bool)
        truncated = np.zeros(n_envs, bool)
        next_obs = np.empty_like(obs)
        for i, (env, action) in enumerate(zip(envs, actions.tolist(), strict=True)):
            next_obs[i], rewards[i], terminated[i], truncated[i], info = env.step(action)
            if "episode" in info:
                finished.append({key: float(value) for key, value in info["episode"].items()})
        ended = terminated | truncated
        if truncated.any():
            cut = np.flatnonzero(truncated)
            with torch.no_grad():
                cut_state = None if state is None else tuple(s[cut] for s in state)
                _, cut_values, _ = model(observation_batch(next_obs[cut]), cut_state)
            truncation_values[t, cut] = cut_values
        for i in np.flatnonzero(ended):
            next_obs[i], _ = envs[i].reset()
        encoded_t.append(encoded)
        logits_t.append(logits)
        values_t.append(values)
        actions_t.append(actions)
        rewards_t.append(torch.from_numpy(rewards))
        ends_t.append(torch.from_numpy(ended))
        obs = next_obs
        state = _forget_ended(state, ends_t[-1])
        if n_envs == 1 and ended[0]:
            break  # the paper: an update at every episode end
    steps = len(actions_t)
    values = torch.stack(values_t)
    episode_ends = torch.stack(ends_t)
    with torch.no_grad():
        _, bootstrap_values, _ = model(observation_batch(obs), state)
        following = torch.cat([values[1:], bootstrap_values.unsqueeze(0)])
        next_values = torch.where(episode_ends, truncation_values[:steps], following)
    rollout = Rollout(
        encoded=torch.stack(encoded_t),
        initial_state=initial_state,
        logits=torch.stack(logits_t),
        values=values,
        actions=torch.stack(actions_t),
        rewards=torch.stack(rewards_t),
        episode_ends=episode_ends,
        next_values=next_values,
    )
    return rollout, obs, state, finished


def _detached(state: RecurrentState) -> RecurrentState:
    return None if state is None else (state[0].detach(), state[1].detach())


def _forget_ended(state: RecurrentState, ended: Tensor) -> RecurrentState:
    """A new episode starts from a blank memory: zero the LSTM state of envs whose episode ended."""
    if state is None or not ended.any():
        return state
    keep = (~ended).unsqueeze(1).float()
    return state[0] * keep, state[1] * keep


def replay(model: ActorCritic, rollout: Rollout) -> tuple[Tensor, Tensor]:
    """The rollout's logits ``[T, N, A]`` and values ``[T, N]`` again, with grad: the same numbers
    as when the agent acted (same parameters, same encoded observations), in one batched decode
    of all ``T * N`` steps; the LSTM steps through time as it did while acting."""
    steps, n_envs = rollout.actions.shape
    if not model.recurrent:
        logits, values, _ = model.decode(rollout.encoded.flatten(0, 1))
        return logits.unflatten(0, (steps, n_envs)), values.unflatten(0, (steps, n_envs))
    state = rollout.initial_state
    logits_t, values_t = [], []
    for t in range(steps):
        logits, values, state = model.decode(rollout.encoded[t], state)
        logits_t.append(logits)
        values_t.append(values)
        state = _forget_ended(state, rollout.episode_ends[t])
    return torch.stack(logits_t), torch.stack(values_t)


def advantages(
    rewards: Tensor,
    values: Tensor,
    next_values: Tensor,
    episode_ends: Tensor,
    gamma: float,
    gae_lambda: float,
) -> Tensor:
    """GAE(lambda) advantages of ``[T, N]`` steps (N envs side by side); ``gae_lambda=1`` gives the
    paper's n-step returns minus the baseline, ``sum_k gamma^k r_{t+k} + gamma^(T-t) V(s_T) -
    V(s_t)``, where a sum stops at the end of its env's episode."""
    result = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    goes_on = (~episode_ends).float()
    for t in reversed(range(len(rewards))):
        delta = rewards[t] + gamma * next_values[t] - values[t]
        running = delta + gamma * gae_lambda * goes_on[t] * running
        result[t] = running
    return result


def a3c_loss(
    model: ActorCritic, rollout: Rollout, config: A3CConfig
) -> tuple[Tensor, dict[str, float]]:
    """Policy-gradient loss with advantage baseline, value regression and an entropy bonus,
    summed over the rollout's steps (the paper accumulates gradients over the t_max steps; with
    several envs, over the steps of all of them)."""
    adv = advantages(
        rollout.rewards,
        rollout.values,
        rollout.next_values,
        rollout.episode_ends,
        config.gamma,
        config.gae_lambda,
    )
    returns = adv + rollout.values
    logits, values = replay(model, rollout)
    log_probs = F.log_softmax(logits, dim=-1)
    entropy = -(log_probs.exp() * log_probs).sum()
    taken = log_probs.gather(-1, rollout.actions.unsqueeze(-1)).squeeze(-1)
    policy_loss = -(taken * adv).sum()
    value_loss = 0.5 * (returns - values).pow(2).sum()
    loss = policy_loss + config.value_coef * value_loss - config.entropy_coef * entropy
    steps = rollout.actions.numel()
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


def run_worker(rank: int, config: A3CConfig, shared: SharedRunState) -> None:
    """Entry point of worker ``rank``. Exits 0 when the budget is spent or the trainer says stop;
    on an error, sends the traceback to the trainer and exits 1."""
    # Ctrl-C goes to the whole process group; the trainer alone decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _learn(rank, config, shared)
    except BaseException:
        shared.messages.put(WorkerFailed(rank, traceback.format_exc()))
        raise SystemExit(1) from None


def _learn(rank: int, config: A3CConfig, shared: SharedRunState) -> None:
    torch.set_num_threads(1)
    # Denormal floats in the RMSprop statistics would make every update much slower.
    torch.set_flush_denormal(True)
    seed = config.seed + 1000 * rank
    torch.manual_seed(seed)
    envs = [
        make_env(config.env, training=True, settings=config.atari_settings())
        for _ in range(config.envs_per_worker)
    ]
    # Every env of every worker plays its own games: env i of worker k is seeded seed + 1000k + i.
    obs = np.stack([env.reset(seed=seed + i)[0] for i, env in enumerate(envs)])
    model = build_model(envs[0].observation_space.shape, envs[0].action_space.n, lstm=config.lstm)
    state = model.initial_state(len(envs))
    local_params = list(model.parameters())
    global_params = list(shared.model.parameters())
    trainer = multiprocessing.parent_process()
    updates = 0
    while not shared.stop.is_set():
        with torch.no_grad():
            torch._foreach_copy_(local_params, global_params)
        rollout, obs, state, finished = collect_rollout(envs, model, obs, state, config.t_max)
        with shared.steps.get_lock():
            shared.steps.value += rollout.actions.numel()
            steps = shared.steps.value

        loss, stats = a3c_loss(model, rollout, config)
        model.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(local_params, config.max_grad_norm, foreach=True)
        for local, remote in zip(local_params, global_params, strict=True):
            remote.grad = local.grad
        lr = annealed_lr(config, steps, shared.max_steps)
        shared.optimizer.set_lr(lr)
        shared.optimizer.step()
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
