"""Environment factory: Atari games preprocessed as in the A3C paper, plus plain gymnasium envs.

Atari settings follow Mnih et al. (2016) / the DQN paper, stated explicitly rather than relying
on the ALE v5 defaults:

- ``frameskip=1`` in ALE and a frame skip of 4 done here, with the observation the pixel-wise max
  over the last two frames (removes sprite flicker);
- ``repeat_action_probability=0.0`` (sticky actions off, as in the paper; ALE v5 defaults to 0.25,
  Machado et al. 2018) -- configurable;
- up to 30 no-op frames on reset, FIRE on reset for games that have a FIRE action (Breakout and
  BeamRider do not start without it; harmless elsewhere);
- training only: a lost life ends the agent's episode (the game goes on) and rewards are clipped
  to [-1, 1]; evaluation plays whole games and reports the unclipped score;
- 84x84 grayscale frames, the last 4 stacked: observations are ``uint8[4, 84, 84]``.

Why not gymnasium's ``AtariPreprocessing``: it asks the ALE env for a full RGB observation on every
emulated frame only to throw it away (a cost on every agent step, which matters because A3C is
bound by emulation), and its ``terminal_on_life_loss`` restarts the whole game on
every lost life, so an agent would only ever see its first life. ``AtariFrames`` below produces
the same observations (``tests/rl/test_atari.py`` compares them frame by frame); gymnasium's
``RecordEpisodeStatistics``, ``ClipReward`` and ``FrameStackObservation`` are used as they are.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import ale_py
import cv2
import gymnasium as gym
import numpy as np
from gymnasium.wrappers import ClipReward, FrameStackObservation, RecordEpisodeStatistics

from rl_assets.errors import UnknownGameError

gym.register_envs(ale_py)

PAPER_GAMES: tuple[str, ...] = ("Pong", "Breakout", "BeamRider", "Qbert", "SpaceInvaders")
"""The five games of the A3C paper's Figure 1; with CartPole-v1, the Dagster partitions
(``rl_assets.defs.assets.GAMES``)."""

_INTERPOLATIONS = {"area": cv2.INTER_AREA, "bilinear": cv2.INTER_LINEAR}


@dataclass(frozen=True)
class AtariSettings:
    """How raw ALE frames become observations. Defaults are the paper's."""

    frame_skip: int = 4
    noop_max: int = 30
    screen_size: int = 84
    frame_stack: int = 4
    repeat_action_probability: float = 0.0
    # ALE truncates an episode after this many emulated frames (108,000 = 30 minutes of play).
    max_episode_frames: int = 108_000
    # Bilinear is what the DQN/A3C papers used, and cheaper than "area" (gymnasium's choice).
    resize: Literal["area", "bilinear"] = "bilinear"


@cache
def ale_games() -> tuple[str, ...]:
    """Names of every ALE game with a v5 environment, e.g. ``"Pong"``, ``"SpaceInvaders"``."""
    names = {
        env_id.removeprefix("ALE/").removesuffix("-v5")
        for env_id in gym.registry
        if env_id.startswith("ALE/") and env_id.endswith("-v5")
    }
    return tuple(sorted(names))


def is_atari(env_name: str) -> bool:
    return env_name in ale_games()


def validate_env_name(env_name: str) -> str:
    """Return ``env_name`` if it names an ALE game or a gymnasium id, else raise with the choices."""
    if is_atari(env_name) or env_name in gym.registry or ":" in env_name:
        return env_name
    guesses = difflib.get_close_matches(env_name, ale_games(), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(guesses)}?" if guesses else ""
    others = [name for name in ale_games() if name not in PAPER_GAMES]
    raise UnknownGameError(
        f"Unknown game {env_name!r}.{hint} Valid games: {', '.join(PAPER_GAMES)} "
        f"(the A3C paper's five), or any other ALE game: {', '.join(others)}. "
        "Names are case-sensitive, without the 'ALE/' prefix or '-v5' suffix."
    )


def frames_per_step(env_name: str, settings: AtariSettings | None = None) -> int:
    """Emulator frames per agent step: the frame skip for Atari, 1 for other environments."""
    return (settings or AtariSettings()).frame_skip if is_atari(env_name) else 1


class AtariFrames(gym.Wrapper):
    """Frame skip with max-pooling over the last two frames, grayscale, resize, no-op starts.

    Talks to the emulator directly (``ale.act``) so no per-frame RGB observation is built.
    Steps return ``uint8[screen_size, screen_size]`` and ``info["lives"]``.
    """

    def __init__(self, env: gym.Env, settings: AtariSettings):
        super().__init__(env)
        ale_env = env.unwrapped
        if getattr(ale_env, "_frameskip", None) != 1:
            raise ValueError("Create the ALE env with frameskip=1; AtariFrames does the skipping.")
        self.ale = ale_env.ale
        self.action_set = self.ale.getMinimalActionSet()
        self.frame_skip = settings.frame_skip
        self.noop_max = settings.noop_max
        self.size = (settings.screen_size, settings.screen_size)
        self.interpolation = _INTERPOLATIONS[settings.resize]
        height, width = ale_env.observation_space.shape[:2]
        self._frames = [np.zeros((height, width), np.uint8), np.zeros((height, width), np.uint8)]
        self.observation_space = gym.spaces.Box(0, 255, self.size, np.uint8)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        _, info = self.env.reset(seed=seed, options=options)
        noops = (
            int(self.env.unwrapped.np_random.integers(1, self.noop_max + 1)) if self.noop_max else 0
        )
        for _ in range(noops):
            self.ale.act(self.action_set[0])
            if self.ale.game_over():
                self.env.reset()
        self.ale.getScreenGrayscale(self._frames[0])
        self._frames[1].fill(0)
        return self._observation(), {**info, "lives": self.ale.lives()}

    def step(self, action: int):
        ale_action = self.action_set[action]
        reward = 0.0
        terminated = truncated = False
        for frame in range(self.frame_skip):
            reward += self.ale.act(ale_action)
            terminated = self.ale.game_over(with_truncation=False)
            truncated = self.ale.game_truncated()
            if terminated or truncated:
                # Show the final screen rather than the one of the previous agent step.
                self.ale.getScreenGrayscale(self._frames[0])
                self._frames[1].fill(0)
                break
            if frame == self.frame_skip - 2:
                self.ale.getScreenGrayscale(self._frames[1])
            elif frame == self.frame_skip - 1:
                self.ale.getScreenGrayscale(self._frames[0])
        return self._observation(), reward, terminated, truncated, {"lives": self.ale.lives()}

    def _observation(self) -> np.ndarray:
        if self.frame_skip > 1:
            np.maximum(self._frames[0], self._frames[1], out=self._frames[0])
        return cv2.resize(self._frames[0], self.size, interpolation=self.interpolation)


class EpisodicLife(gym.Wrapper):
    """Training only: losing a life ends the agent's episode, but the game itself continues.

    The next ``reset`` then only takes a no-op step instead of restarting the game, so the agent
    learns from every life. Needs ``info["lives"]`` from the wrapped env.
    """

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.lives = 0
        self.game_over = True

    def step(self, action: int):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.game_over = terminated or truncated
        lost_life = 0 < info["lives"] < self.lives
        self.lives = info["lives"]
        return obs, reward, terminated or lost_life, truncated, info

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        if self.game_over or seed is not None:
            obs, info = self.env.reset(seed=seed, options=options)
        else:
            obs, _, terminated, truncated, info = self.env.step(0)
            if terminated or truncated:
                obs, info = self.env.reset(options=options)
        self.game_over = False
        self.lives = info["lives"]
        return obs, info


class FireOnReset(gym.Wrapper):
    """Press FIRE after every reset: some games (Breakout, BeamRider) wait for it to start."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        meanings = env.unwrapped.get_action_meanings()
        if len(meanings) < 3 or meanings[1] != "FIRE":
            raise ValueError(f"FireOnReset needs action 1 to be FIRE, got {meanings}")

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self.env.reset(seed=seed, options=options)
        for action in (1, 2):
            obs, _, terminated, truncated, info = self.env.step(action)
            if terminated or truncated:
                return self.env.reset(options=options)
        return obs, info


def make_atari_env(
    game: str,
    *,
    training: bool,
    settings: AtariSettings | None = None,
    render: bool = False,
) -> gym.Env:
    """An Atari env as the agent sees it.

    ``training=True`` adds life-loss episode ends and reward clipping. Either way
    ``info["episode"]["r"]`` at the end of a *game* holds the real, unclipped score
    (``RecordEpisodeStatistics`` sits below both training-only wrappers).
    ``render=True`` makes ``env.render()`` return the RGB screen (for GIFs).
    """
    settings = settings or AtariSettings()
    validate_env_name(game)
    if not is_atari(game):
        raise UnknownGameError(f"{game!r} is not an ALE game; use make_env for other envs.")
    env = gym.make(
        f"ALE/{game}-v5",
        frameskip=1,
        repeat_action_probability=settings.repeat_action_probability,
        max_num_frames_per_episode=settings.max_episode_frames,
        render_mode="rgb_array" if render else None,
    )
    env = AtariFrames(env, settings)
    env = RecordEpisodeStatistics(env)
    if training:
        env = EpisodicLife(env)
    if "FIRE" in env.unwrapped.get_action_meanings()[1:2]:
        env = FireOnReset(env)
    if training:
        env = ClipReward(env, -1.0, 1.0)
    return FrameStackObservation(env, settings.frame_stack)


def make_env(
    env_name: str,
    *,
    training: bool,
    settings: AtariSettings | None = None,
    render: bool = False,
) -> gym.Env:
    """Any environment the trainer supports: an ALE game name (``"Pong"``) or a gymnasium id.

    Non-Atari envs (``"CartPole-v1"``) are used as registered, with episode statistics added.
    Ids of the form ``"some.module:EnvName-v0"`` import ``some.module`` first (gymnasium's rule),
    which is how worker processes find envs registered by user code.
    """
    validate_env_name(env_name)
    if is_atari(env_name):
        return make_atari_env(env_name, training=training, settings=settings, render=render)
    return RecordEpisodeStatistics(gym.make(env_name, render_mode="rgb_array" if render else None))
