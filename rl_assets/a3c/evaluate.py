"""Play a trained policy (or uniformly random actions) and report scores, a GIF and a learning curve.

Evaluation plays whole games as the paper reports them: no-op starts, no episode end on a lost
life, unclipped score. The policy samples its actions, as during training. The random baseline is
measured the same way, on the same seeds.
"""

from __future__ import annotations

import io
import json
import math
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from rl_assets.a3c.checkpoint import load_checkpoint, model_from_checkpoint
from rl_assets.a3c.config import EvaluationSettings
from rl_assets.a3c.drawing import DRAWERS
from rl_assets.a3c.model import ActorCritic
from rl_assets.atari import AtariSettings, is_atari, make_env
from rl_assets.errors import CheckpointError, ConfigError

#: The UI shows the preview GIF at its own size: at least this wide, so a person can see the game.
PREVIEW_MIN_WIDTH = 320
#: At most this many frames in the preview (every 2nd step): it is stored in the run's event log.
PREVIEW_MAX_FRAMES = 150


@dataclass(frozen=True)
class Scores:
    scores: list[float]
    lengths: list[int]  # agent steps

    @property
    def mean(self) -> float:
        return statistics.fmean(self.scores)

    @property
    def std(self) -> float:
        return statistics.pstdev(self.scores)

    def summary(self) -> dict[str, float]:
        return {
            "mean": self.mean,
            "std": self.std,
            "min": min(self.scores),
            "max": max(self.scores),
        }


@dataclass(frozen=True)
class Evaluation:
    env: str
    frames_trained: int
    policy: Scores
    random: Scores | None
    wall_time_s: float | None = None  # playing both players (None: an older evaluation.json)

    @property
    def advantage_over_random(self) -> float | None:
        return None if self.random is None else self.policy.mean - self.random.mean

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, path: Path) -> Evaluation:
        data = json.loads(path.read_text())
        random_scores = Scores(**data["random"]) if data["random"] is not None else None
        return cls(
            data["env"],
            data["frames_trained"],
            Scores(**data["policy"]),
            random_scores,
            data.get("wall_time_s"),
        )


class PolicyPlayer:
    """Samples actions from a trained actor-critic, carrying its LSTM state through the game."""

    def __init__(self, model: ActorCritic, seed: int):
        self.model = model
        self.rng = random.Random(seed)
        self.state = model.initial_state()

    def reset(self) -> None:
        self.state = self.model.initial_state()

    def act(self, obs: np.ndarray) -> int:
        with torch.no_grad():
            logits, _, self.state = self.model(
                torch.from_numpy(np.asarray(obs)).unsqueeze(0), self.state
            )
        probabilities = F.softmax(logits[0], dim=-1).tolist()
        return self.rng.choices(range(len(probabilities)), weights=probabilities)[0]


class RandomPlayer:
    def __init__(self, n_actions: int, seed: int):
        self.n_actions = n_actions
        self.rng = random.Random(seed)

    def reset(self) -> None:
        pass

    def act(self, obs: np.ndarray) -> int:
        return self.rng.randrange(self.n_actions)


Recorder = Callable[[gym.Env, np.ndarray], np.ndarray]


def can_record(env_name: str) -> bool:
    """Whether a GIF can be made of ``env_name``: Atari screens, or an env drawn in ``drawing``."""
    return is_atari(env_name) or env_name in DRAWERS


def _recorder(env_name: str) -> Recorder:
    if is_atari(env_name):
        return lambda env, obs: env.render()  # the env is made with render=True
    if env_name in DRAWERS:
        draw = DRAWERS[env_name]
        return lambda env, obs: draw(obs)
    raise ConfigError(
        f"No GIF can be made of {env_name}: only Atari games and "
        f"{', '.join(DRAWERS)} are drawn; leave the GIF out."
    )


def play(
    env: gym.Env,
    player: PolicyPlayer | RandomPlayer,
    episodes: int,
    seed: int,
    record: Recorder | None = None,
) -> tuple[Scores, list[np.ndarray]]:
    """Play ``episodes`` games on seeds ``seed, seed+1, ...``; with ``record``, keep the first
    game's pictures (for Atari, ``env`` must be made with ``render=True``)."""
    scores: list[float] = []
    lengths: list[int] = []
    frames: list[np.ndarray] = []
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        player.reset()
        recording = record is not None and episode == 0
        while True:
            if recording:
                frames.append(record(env, obs))  # type: ignore[misc]
            obs, _, terminated, truncated, info = env.step(player.act(obs))
            if terminated or truncated:
                if recording:
                    frames.append(record(env, obs))  # type: ignore[misc]  # how it ended
                scores.append(float(info["episode"]["r"]))
                lengths.append(int(info["episode"]["l"]))
                break
    return Scores(scores, lengths), frames


def evaluate_checkpoint(
    checkpoint_path: Path,
    settings: EvaluationSettings | None = None,
    *,
    compare_random: bool = True,
    gif_path: Path | None = None,
    expected_env: str | None = None,
) -> tuple[Evaluation, list[np.ndarray]]:
    """Score the checkpoint's policy over ``settings.episodes`` games (and random play on the
    same seeds). Returns the first game's frames too.

    ``expected_env`` (the game being played) refuses a checkpoint trained on another
    environment; pass it whenever the caller knows the game, because the environment is
    otherwise taken from the file, and a ``module:Env`` id there would import that module.
    """
    settings = settings or EvaluationSettings()
    settings.validate()
    checkpoint = load_checkpoint(checkpoint_path)
    return evaluate_policy(
        checkpoint,
        checkpoint_path,
        settings,
        compare_random=compare_random,
        gif_path=gif_path,
        expected_env=expected_env,
    )


def evaluate_policy(
    checkpoint: dict[str, Any],
    source: Path,
    settings: EvaluationSettings,
    *,
    compare_random: bool = True,
    gif_path: Path | None = None,
    expected_env: str | None = None,
) -> tuple[Evaluation, list[np.ndarray]]:
    """:func:`evaluate_checkpoint` of a checkpoint already loaded (and checked) from ``source``."""
    settings.validate()
    started = time.monotonic()
    episodes, seed = settings.episodes, settings.seed
    env_name = checkpoint["env"]
    if expected_env is not None and env_name != expected_env:
        raise CheckpointError(
            f"{source} holds a policy for {env_name!r}, not {expected_env!r}: play "
            f"the game it was trained on, or train this one first "
            f"(`a3c train --game {expected_env}`)."
        )
    record = _recorder(env_name) if gif_path is not None else None
    atari_settings = AtariSettings(**checkpoint["atari_settings"])
    if settings.max_episode_frames is not None:
        atari_settings = replace(atari_settings, max_episode_frames=settings.max_episode_frames)
    model = model_from_checkpoint(checkpoint)
    env = make_env(
        env_name,
        training=False,
        settings=atari_settings,
        render=record is not None and is_atari(env_name),
    )
    shape, actions = tuple(env.observation_space.shape), int(env.action_space.n)
    if shape != tuple(checkpoint["obs_shape"]) or actions != checkpoint["n_actions"]:
        env.close()
        raise CheckpointError(
            f"{source} was not trained on {env_name!r} as this project makes it: it "
            f"expects observations {tuple(checkpoint['obs_shape'])} and "
            f"{checkpoint['n_actions']} actions, the environment has {shape} and {actions}; "
            f"train it again (`a3c train --game {env_name}`)."
        )
    policy_scores, frames = play(env, PolicyPlayer(model, seed), episodes, seed, record=record)
    random_scores = None
    if compare_random:
        random_scores, _ = play(env, RandomPlayer(env.action_space.n, seed), episodes, seed)
    env.close()
    if gif_path is not None and frames:
        save_gif(frames, gif_path, fps=gif_fps(env_name))
    evaluation = Evaluation(
        env_name,
        checkpoint["frames"],
        policy_scores,
        random_scores,
        round(time.monotonic() - started, 2),
    )
    return evaluation, frames


def gif_fps(env_name: str) -> float:
    """GIF frames per second, one frame per agent step: Atari at twice its real speed (agents
    act 15 times a second: 60 Hz, frame skip 4), CartPole in real time (50 steps a second)."""
    return 30.0 if is_atari(env_name) else 50.0


def preview_gif(frames: list[np.ndarray], env_name: str) -> bytes:
    """A GIF for the Dagster UI, which shows it at its own size: the start of the game (every
    2nd step, at most :data:`PREVIEW_MAX_FRAMES`), scaled up to at least
    :data:`PREVIEW_MIN_WIDTH` pixels wide (Atari's 160 px screens twice as large)."""
    width = frames[0].shape[1]
    scale = max(1, math.ceil(PREVIEW_MIN_WIDTH / width))
    return gif_bytes(
        frames, fps=gif_fps(env_name) / 2, every=2, scale=scale, max_frames=PREVIEW_MAX_FRAMES
    )


def gif_bytes(
    frames: list[np.ndarray],
    fps: float = 30.0,
    every: int = 1,
    scale: float = 1.0,
    max_frames: int | None = None,
) -> bytes:
    """An animated, looping GIF of ``frames[::every]`` (at most ``max_frames``), resized by ``scale``."""
    chosen = frames[::every][:max_frames]
    if not chosen:
        raise ValueError("No frames to make a GIF from.")
    images = [Image.fromarray(frame) for frame in chosen]
    if scale != 1.0:
        width, height = images[0].size
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        images = [image.resize(size, Image.Resampling.NEAREST) for image in images]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=round(1000 / fps),
        loop=0,
    )
    return buffer.getvalue()


def save_gif(frames: list[np.ndarray], path: Path, fps: float = 30.0) -> Path:
    """The whole game, one picture per agent step (see :func:`gif_fps`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gif_bytes(frames, fps=fps))
    return path


def plot_learning_curve(episodes_csv: Path, png_path: Path, title: str) -> Path:
    """Each game's score against training frames, with the mean of the last 100 games."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    episodes = pd.read_csv(episodes_csv)
    figure, axes = plt.subplots(figsize=(7, 4), dpi=100)
    if len(episodes):
        axes.scatter(episodes["frames"], episodes["score"], s=4, alpha=0.3, label="game score")
        rolling = episodes["score"].rolling(100, min_periods=1).mean()
        axes.plot(episodes["frames"], rolling, color="C1", linewidth=2, label="mean of last 100")
        axes.legend(loc="upper left")
    else:
        axes.text(
            0.5, 0.5, "no game finished yet: train longer", ha="center", transform=axes.transAxes
        )
    axes.set_xlabel("training frames")
    axes.set_ylabel("score (unclipped)")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    png_path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(png_path)
    plt.close(figure)
    return png_path
