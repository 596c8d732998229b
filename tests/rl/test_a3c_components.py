"""A3C pieces: returns, the truncation bootstrap, the networks and the shared optimisers."""

import gymnasium as gym
import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
import torch.nn.functional as F

from rl_assets.a3c.config import A3CConfig
from rl_assets.a3c.model import build_model
from rl_assets.a3c.shared_optim import SharedAdam, SharedRMSprop
from rl_assets.a3c.worker import a3c_loss, advantages, annealed_lr, collect_rollout, replay

GAMMA = 0.9


def _one_env(rewards, values, bootstrap_value, ended=False):
    """``[T]`` lists as the ``[T, 1]`` tensors of one env's rollout (values[t+1] follows t)."""
    column = lambda xs: torch.tensor(xs, dtype=torch.float32).unsqueeze(1)  # noqa: E731
    ends = torch.zeros(len(rewards), 1, dtype=torch.bool)
    ends[-1] = ended
    return column(rewards), column(values), column(values[1:] + [bootstrap_value]), ends


def test_n_step_advantages_are_discounted_returns_minus_values():
    rewards, values = [1.0, 0.0, 2.0], [0.5, 0.25, 1.0]
    result = advantages(*_one_env(rewards, values, bootstrap_value=4.0), GAMMA, gae_lambda=1.0)
    returns = [
        1.0 + GAMMA * 0.0 + GAMMA**2 * 2.0 + GAMMA**3 * 4.0,
        0.0 + GAMMA * 2.0 + GAMMA**2 * 4.0,
        2.0 + GAMMA * 4.0,
    ]
    expected = [r - v for r, v in zip(returns, values, strict=True)]
    assert result[:, 0].tolist() == pytest.approx(expected)


def test_gae_with_lambda_zero_is_the_one_step_td_error():
    rewards, values = [1.0, 0.0, 2.0], [0.5, 0.25, 1.0]
    result = advantages(*_one_env(rewards, values, bootstrap_value=4.0), GAMMA, gae_lambda=0.0)
    next_values = [0.25, 1.0, 4.0]
    expected = [r + GAMMA * n - v for r, n, v in zip(rewards, next_values, values, strict=True)]
    assert result[:, 0].tolist() == pytest.approx(expected)


class EndsAfter(gym.Env):
    """Ends after ``length`` steps (terminated or truncated). Observations are ``[t, env_id]``,
    ``[-1, env_id]`` after a reset; rewards ``t + 10 * env_id``, so each env's are recognisable."""

    observation_space = gym.spaces.Box(-10, 10, (2,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def __init__(self, length: int, truncate: bool, env_id: int = 0):
        self.length, self.truncate, self.env_id = length, truncate, env_id
        self.t = 0

    def reset(self, *, seed=None, options=None):
        self.t = 0
        return np.array([-1.0, self.env_id], np.float32), {}

    def step(self, action):
        self.t += 1
        done = self.t == self.length
        obs = np.array([self.t, self.env_id], np.float32)
        reward = float(self.t + 10 * self.env_id)
        return obs, reward, done and not self.truncate, done and self.truncate, {}


def _expected_returns(envs, model, t_max):
    """Brute force, env by env: discounted rewards to the episode's end or the rollout's end,
    plus V(final obs) after truncation, 0 after termination, V(next obs) at the rollout end."""
    value = lambda obs: float(model(torch.tensor([obs]))[1][0])  # noqa: E731
    returns = torch.zeros(t_max, len(envs))
    for i, env in enumerate(envs):
        episode = []  # (reward, ends, bootstrap) of each step, replayed by hand
        t_in_episode = 0
        for _ in range(t_max):
            t_in_episode += 1
            reward = float(t_in_episode + 10 * env.env_id)
            if t_in_episode == env.length:
                bootstrap = value([t_in_episode, env.env_id]) if env.truncate else 0.0
                episode.append((reward, True, bootstrap))
                t_in_episode = 0
            else:
                episode.append((reward, False, value([t_in_episode, env.env_id])))
        for t in range(t_max):
            total, discount = 0.0, 1.0
            for k in range(t, t_max):
                reward, ends, bootstrap = episode[k]
                total += discount * reward
                discount *= GAMMA
                if ends:
                    break
            returns[t, i] = total + discount * bootstrap
    return returns


@pytest.mark.parametrize("lstm", [False, True])
def test_several_envs_per_worker_get_their_own_n_step_returns(lstm):
    """Two envs whose episodes end at different steps, one terminating and one truncated: every
    return uses only its own env's rewards, stops at that env's episode end, and bootstraps as
    the episode ended; the ended env restarts and the rollout goes on for all t_max steps."""
    torch.manual_seed(0)
    envs = [EndsAfter(3, truncate=False, env_id=0), EndsAfter(2, truncate=True, env_id=1)]
    model = build_model((2,), 2, lstm=lstm)
    obs = np.stack([env.reset()[0] for env in envs])
    rollout, next_obs, _, _ = collect_rollout(envs, model, obs, model.initial_state(2), t_max=5)
    assert rollout.actions.shape == (5, 2)
    assert rollout.episode_ends.tolist() == [
        [False, False],
        [False, True],
        [True, False],
        [False, True],
        [False, False],
    ]
    assert next_obs.tolist() == [[2.0, 0.0], [1.0, 1.0]]  # env 0 two steps, env 1 one step in
    assert rollout.rewards[:, 0].tolist() == [1, 2, 3, 1, 2]
    assert rollout.rewards[:, 1].tolist() == [11, 12, 11, 12, 11]

    config = A3CConfig(env="CartPole-v1", gamma=GAMMA, gae_lambda=1.0)
    with torch.no_grad():
        adv = advantages(
            rollout.rewards,
            rollout.values,
            rollout.next_values,
            rollout.episode_ends,
            GAMMA,
            config.gae_lambda,
        )
        if not lstm:  # the feed-forward values of known observations, computed by hand
            expected = _expected_returns(envs, model, t_max=5)
            torch.testing.assert_close(adv + rollout.values, expected)
    if lstm:
        # Env 0's new episode starts from a blank memory: its step 3 acts as a fresh network.
        fresh_logits, _, _ = model(torch.tensor([[-1.0, 0.0]]), model.initial_state(1))
        torch.testing.assert_close(rollout.logits[3, 0], fresh_logits[0])
    # Learning decodes the rollout again in one batch: exactly what the agent acted on.
    logits, values = replay(model, rollout)
    assert logits.requires_grad and values.requires_grad
    torch.testing.assert_close(logits, rollout.logits)
    torch.testing.assert_close(values, rollout.values)
    loss, _ = a3c_loss(model, rollout, config)
    loss.backward()
    assert all(param.grad is not None for param in model.parameters())


@pytest.mark.parametrize("truncate", [True, False])
def test_rollout_bootstraps_from_the_final_observation_only_on_truncation(truncate):
    torch.manual_seed(0)
    env = EndsAfter(3, truncate)
    model = build_model((2,), 2)
    obs = env.reset()[0][None]
    rollout, next_obs, _, _ = collect_rollout([env], model, obs, None, t_max=5)
    # One env per worker is the paper's A3C: the rollout stops at the episode end.
    assert rollout.actions.shape == (3, 1) and rollout.episode_ends[:, 0].tolist() == [
        False,
        False,
        True,
    ]
    assert next_obs.tolist() == [[-1.0, 0.0]]  # the env was reset for the next rollout

    # The loss uses V(final observation) on truncation and 0 on termination.
    config = A3CConfig(env="CartPole-v1", gamma=GAMMA, entropy_coef=0.0, value_coef=1.0)
    loss, _ = a3c_loss(model, rollout, config)
    with torch.no_grad():
        observations = torch.tensor([[-1.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
        logits, values, _ = model(observations)
        bootstrap = float(model(torch.tensor([[3.0, 0.0]]))[1][0]) if truncate else 0.0
        adv = advantages(*_one_env([1.0, 2.0, 3.0], values.tolist(), bootstrap, True), GAMMA, 1.0)
        log_probs = F.log_softmax(logits, -1).gather(1, rollout.actions).squeeze(1)
        expected = -(log_probs * adv[:, 0]).sum() + 0.5 * (adv**2).sum()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)


def test_rollout_continuing_episode_bootstraps_from_the_next_observation():
    env = EndsAfter(3, truncate=False)
    model = build_model((2,), 2)
    rollout, next_obs, _, _ = collect_rollout([env], model, env.reset()[0][None], None, t_max=2)
    assert rollout.actions.shape == (2, 1) and not rollout.episode_ends.any()
    assert next_obs.tolist() == [[2.0, 0.0]]
    with torch.no_grad():
        assert rollout.next_values[1, 0] == model(torch.from_numpy(next_obs))[1][0]


def test_learning_rate_anneals_linearly_to_zero():
    config = A3CConfig(lr=1e-3)
    assert annealed_lr(config, 0, 100) == pytest.approx(1e-3)
    assert annealed_lr(config, 25, 100) == pytest.approx(7.5e-4)
    assert annealed_lr(config, 100, 100) == 0.0
    assert annealed_lr(A3CConfig(lr=1e-3, anneal_lr=False), 50, 100) == 1e-3


def test_paper_network_shapes_and_the_lstm_variant_carries_state():
    torch.manual_seed(0)
    obs = torch.randint(0, 256, (5, 4, 84, 84), dtype=torch.uint8)
    model = build_model((4, 84, 84), 6)
    logits, values, state = model(obs)
    assert logits.shape == (5, 6) and values.shape == (5,) and state is None
    assert (
        sum(p.numel() for p in model.trunk.convs.parameters())
        == 4 * 16 * 64 + 16 + 16 * 32 * 16 + 32
    )
    assert model.trunk.fc[0].in_features == 32 * 9 * 9 and model.trunk.fc[0].out_features == 256

    lstm = build_model((4, 84, 84), 6, lstm=True)
    batch_logits, _, batch_state = lstm(obs, lstm.initial_state(5))
    for i in range(5):  # each env's row of a batch is that env alone, with its own memory
        alone_logits, _, alone_state = lstm(obs[i : i + 1], lstm.initial_state(1))
        torch.testing.assert_close(batch_logits[i : i + 1], alone_logits)
        torch.testing.assert_close(batch_state[0][i : i + 1], alone_state[0])
    assert batch_state[0].shape == (5, 256)
    again_logits, _, _ = lstm(obs, batch_state)  # the memory changes what it does next
    assert not torch.allclose(again_logits, batch_logits)


def test_shared_rmsprop_follows_the_paper_formula():
    param = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    optimizer = SharedRMSprop([param], lr=0.1, alpha=0.9, eps=0.1)
    param.grad = torch.tensor([0.5, 1.0])
    optimizer.step()
    g = 0.1 * torch.tensor([0.25, 1.0])  # (1 - alpha) * grad^2
    expected = torch.tensor([1.0, -2.0]) - 0.1 * torch.tensor([0.5, 1.0]) / torch.sqrt(g + 0.1)
    torch.testing.assert_close(param.detach(), expected)
    torch.testing.assert_close(optimizer.state[param]["square_avg"], g)


def test_shared_adam_matches_torch_adam():
    torch.manual_seed(0)
    ours = torch.nn.Parameter(torch.randn(10))
    theirs = torch.nn.Parameter(ours.detach().clone())
    shared, reference = SharedAdam([ours], lr=0.01), torch.optim.Adam([theirs], lr=0.01)
    for _ in range(5):
        grad = torch.randn(10)
        ours.grad, theirs.grad = grad.clone(), grad.clone()
        shared.step()
        reference.step()
    torch.testing.assert_close(ours.detach(), theirs.detach())


def _step_in_child(model, optimizer, grad_value):
    for param in model.parameters():
        param.grad = torch.full_like(param, grad_value)
    optimizer.step()


@pytest.mark.parametrize("optimizer_class", [SharedRMSprop, SharedAdam])
def test_optimizer_statistics_are_shared_across_processes(optimizer_class):
    """The parent steps, then a spawned worker steps: the statistics hold both steps."""
    model = torch.nn.Linear(3, 2)
    model.share_memory()
    optimizer = optimizer_class(model.parameters(), lr=0.01).share_memory()
    _step_in_child(model, optimizer, 1.0)
    before = [p.detach().clone() for p in model.parameters()]
    child = mp.get_context("spawn").Process(target=_step_in_child, args=(model, optimizer, 2.0))
    child.start()
    child.join(timeout=120)
    assert child.exitcode == 0
    state = optimizer.state[model.weight]
    assert float(state["step"]) == 2.0
    if optimizer_class is SharedRMSprop:
        # 0.99 * (0.01 * 1^2) + 0.01 * 2^2
        torch.testing.assert_close(state["square_avg"], torch.full((2, 3), 0.99 * 0.01 + 0.04))
    else:
        torch.testing.assert_close(state["exp_avg"], torch.full((2, 3), 0.9 * 0.1 + 0.2))
    for old, new in zip(before, model.parameters(), strict=True):
        assert not torch.equal(old, new.detach())  # the child updated the shared parameters
