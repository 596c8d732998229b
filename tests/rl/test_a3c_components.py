"""A3C pieces: returns, the truncation bootstrap, the networks and the shared optimisers."""

import random

import gymnasium as gym
import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
import torch.nn.functional as F

from rl_assets.a3c.model import build_model
from rl_assets.a3c.shared_optim import SharedAdam, SharedRMSprop
from rl_assets.a3c.trainer import A3CConfig
from rl_assets.a3c.worker import a3c_loss, advantages, annealed_lr, collect_rollout

GAMMA = 0.9


def test_n_step_advantages_are_discounted_returns_minus_values():
    rewards, values = [1.0, 0.0, 2.0], [0.5, 0.25, 1.0]
    result = advantages(rewards, values, bootstrap_value=4.0, gamma=GAMMA, gae_lambda=1.0)
    returns = [
        1.0 + GAMMA * 0.0 + GAMMA**2 * 2.0 + GAMMA**3 * 4.0,
        0.0 + GAMMA * 2.0 + GAMMA**2 * 4.0,
        2.0 + GAMMA * 4.0,
    ]
    assert result == pytest.approx([r - v for r, v in zip(returns, values, strict=True)])


def test_gae_with_lambda_zero_is_the_one_step_td_error():
    rewards, values = [1.0, 0.0, 2.0], [0.5, 0.25, 1.0]
    result = advantages(rewards, values, bootstrap_value=4.0, gamma=GAMMA, gae_lambda=0.0)
    next_values = [0.25, 1.0, 4.0]
    expected = [r + GAMMA * n - v for r, n, v in zip(rewards, next_values, values, strict=True)]
    assert result == pytest.approx(expected)


class EndsAfterThreeSteps(gym.Env):
    """Observations count the steps; the reset observation is recognisably different (-1)."""

    observation_space = gym.spaces.Box(-10, 10, (2,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def __init__(self, truncate: bool):
        self.truncate = truncate
        self.t = 0

    def reset(self, *, seed=None, options=None):
        self.t = 0
        return np.array([-1.0, -1.0], np.float32), {}

    def step(self, action):
        self.t += 1
        done = self.t == 3
        obs = np.array([self.t, 0.5], np.float32)
        return obs, 1.0, done and not self.truncate, done and self.truncate, {}


@pytest.mark.parametrize("truncate", [True, False])
def test_rollout_bootstraps_from_the_final_observation_only_on_truncation(truncate):
    torch.manual_seed(0)
    env = EndsAfterThreeSteps(truncate)
    model = build_model((2,), 2)
    obs, _ = env.reset()
    rollout, next_obs, _, _ = collect_rollout(env, model, obs, None, t_max=5, rng=random.Random(0))
    assert len(rollout.actions) == 3 and rollout.episode_ended
    assert next_obs.tolist() == [-1.0, -1.0]  # the env was reset for the next rollout
    if truncate:
        # The state the time limit cut off, not the reset observation.
        assert rollout.bootstrap_obs.tolist() == [3.0, 0.5]
    else:
        assert rollout.bootstrap_obs is None

    # The loss uses V(final observation) on truncation and 0 on termination.
    config = A3CConfig(env="CartPole-v1", gamma=GAMMA, entropy_coef=0.0, value_coef=1.0)
    loss, _ = a3c_loss(model, rollout, config)
    with torch.no_grad():
        logits, values, _ = model(rollout.obs)
        bootstrap = float(model(rollout.bootstrap_obs.unsqueeze(0))[1][0]) if truncate else 0.0
        adv = torch.tensor(advantages([1.0, 1.0, 1.0], values.tolist(), bootstrap, GAMMA, 1.0))
        log_probs = F.log_softmax(logits, -1).gather(1, rollout.actions.unsqueeze(1)).squeeze(1)
        expected = -(log_probs * adv).sum() + 0.5 * (adv**2).sum()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)


def test_rollout_continuing_episode_bootstraps_from_the_next_observation():
    env = EndsAfterThreeSteps(truncate=False)
    model = build_model((2,), 2)
    obs, _ = env.reset()
    rollout, next_obs, _, _ = collect_rollout(env, model, obs, None, t_max=2, rng=random.Random(0))
    assert len(rollout.actions) == 2 and not rollout.episode_ended
    assert rollout.bootstrap_obs.tolist() == next_obs.tolist() == [2.0, 0.5]


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
    sequence_logits, _, sequence_state = lstm(obs, lstm.initial_state())
    state = lstm.initial_state()
    stepwise = []
    for t in range(5):  # acting one step at a time must match learning on the whole sequence
        step_logits, _, state = lstm(obs[t : t + 1], state)
        stepwise.append(step_logits)
    torch.testing.assert_close(torch.cat(stepwise), sequence_logits)
    torch.testing.assert_close(state[0], sequence_state[0])
    assert sequence_state[0].shape == (1, 256)


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
