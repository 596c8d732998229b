"""Atari preprocessing: shapes, dtypes, equivalence with gymnasium's wrapper, life loss, clipping."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.wrappers import AtariPreprocessing

from rl_assets.atari import (
    PAPER_GAMES,
    AtariFrames,
    AtariSettings,
    EpisodicLife,
    FireOnReset,
    frames_per_step,
    make_atari_env,
    make_env,
    validate_env_name,
)
from rl_assets.errors import UnknownGameError


def wrappers(env: gym.Env) -> list[type]:
    found = []
    while isinstance(env, gym.Wrapper):
        found.append(type(env))
        env = env.env
    return found


@pytest.mark.parametrize("training", [True, False])
def test_observations_are_four_stacked_84x84_uint8_frames(training):
    env = make_atari_env("Pong", training=training)
    obs, _ = env.reset(seed=0)
    assert env.observation_space.shape == (4, 84, 84)
    assert env.observation_space.dtype == np.uint8
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8
    for _ in range(10):
        obs, *_ = env.step(env.action_space.sample())
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8
    assert env.observation_space.contains(obs)
    # The stack holds 4 different frames once the game is moving, most recent last.
    assert not np.array_equal(obs[0], obs[3])
    assert env.action_space.n == 6  # Pong's minimal action set


def test_frames_match_gymnasium_atari_preprocessing_frame_by_frame():
    """AtariFrames skips gymnasium's per-frame RGB copies but must see exactly the same pixels."""
    settings = AtariSettings(resize="area")  # gymnasium's interpolation
    ours = AtariFrames(
        gym.make("ALE/Breakout-v5", frameskip=1, repeat_action_probability=0.0), settings
    )
    reference = AtariPreprocessing(
        gym.make("ALE/Breakout-v5", frameskip=1, repeat_action_probability=0.0),
        noop_max=30,
        frame_skip=4,
        screen_size=84,
    )
    ours_obs, _ = ours.reset(seed=3)
    reference_obs, _ = reference.reset(seed=3)
    np.testing.assert_array_equal(ours_obs, reference_obs)
    actions = np.random.default_rng(0).integers(0, 4, size=150)
    for action in actions:
        ours_obs, ours_reward, ours_term, ours_trunc, _ = ours.step(int(action))
        reference_obs, reference_reward, reference_term, reference_trunc, _ = reference.step(
            int(action)
        )
        np.testing.assert_array_equal(ours_obs, reference_obs)
        assert (ours_reward, ours_term, ours_trunc) == (
            reference_reward,
            reference_term,
            reference_trunc,
        )


def test_training_env_ends_an_episode_per_life_but_keeps_playing_the_game():
    env = make_atari_env("Breakout", training=True)
    assert EpisodicLife in wrappers(env) and FireOnReset in wrappers(env)
    env.reset(seed=0)
    lives_before = env.unwrapped.ale.lives()
    for _ in range(2000):  # NOOP: the ball is missed within a few hundred steps
        _, _, terminated, truncated, info = env.step(0)
        if terminated:
            break
    assert terminated and not truncated
    assert info["lives"] == lives_before - 1
    assert "episode" not in info  # the game is not over, so no game score yet
    env.reset()
    # A soft reset: the same game continues with one life fewer.
    assert env.unwrapped.ale.lives() == lives_before - 1


def test_evaluation_env_plays_the_whole_game_with_unclipped_score():
    env = make_atari_env("Breakout", training=False)
    assert EpisodicLife not in wrappers(env)
    env.reset(seed=0)
    lives_before = env.unwrapped.ale.lives()
    for _ in range(5000):
        _, _, terminated, truncated, info = env.step(0)
        if terminated or truncated:
            break
        if info["lives"] < lives_before:
            break
    assert info["lives"] < lives_before and not terminated  # a lost life does not end it


def test_training_rewards_are_clipped_and_evaluation_rewards_are_not():
    """SpaceInvaders' aliens are worth 5-30 points: the training env must report +1."""
    seen = {}
    for training in (True, False):
        env = make_atari_env("SpaceInvaders", training=training)
        env.reset(seed=0)
        env.action_space.seed(0)
        rewards = set()
        for _ in range(600):
            _, reward, terminated, truncated, _ = env.step(env.action_space.sample())
            rewards.add(reward)
            if terminated or truncated:
                env.reset()
        seen[training] = rewards
    assert max(seen[True]) == 1.0 and seen[True] <= {-1.0, 0.0, 1.0}
    assert max(seen[False]) >= 5.0


def test_sticky_actions_are_off_by_default_and_configurable():
    assert AtariSettings().repeat_action_probability == 0.0
    env = make_atari_env(
        "Pong", training=False, settings=AtariSettings(repeat_action_probability=0.25)
    )
    assert env.unwrapped.ale.getFloat("repeat_action_probability") == pytest.approx(0.25)
    assert (
        make_atari_env("Pong", training=False).unwrapped.ale.getFloat("repeat_action_probability")
        == 0.0
    )


def test_truncation_at_the_episode_frame_limit_is_reported_as_truncated():
    env = make_atari_env("Pong", training=True, settings=AtariSettings(max_episode_frames=400))
    env.reset(seed=0)
    steps, terminated, truncated = 0, False, False
    while not (terminated or truncated) and steps < 200:
        _, _, terminated, truncated, _ = env.step(0)
        steps += 1
    assert truncated and not terminated
    assert 80 < steps <= 100  # 400 frames = 100 agent steps, less the no-op start


def test_unknown_game_error_lists_the_valid_games():
    with pytest.raises(UnknownGameError) as error:
        validate_env_name("Pongg")
    message = str(error.value)
    assert "Did you mean Pong" in message
    for game in PAPER_GAMES:
        assert game in message
    assert "Seaquest" in message


def test_non_atari_envs_and_frames_per_step():
    env = make_env("CartPole-v1", training=True)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (4,)
    assert frames_per_step("CartPole-v1") == 1
    assert frames_per_step("Pong") == 4
