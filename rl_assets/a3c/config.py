"""Every A3C setting, with its default and its help, written once.

``a3c train``'s options and the ``a3c_policy`` asset's run config are generated from
:class:`A3CConfig`, ``a3c play``'s and ``a3c_evaluation``'s from :class:`EvaluationSettings`
(``hn_assets.config_adapter``), so a default or a description is written only here. Fields
described with ``setting`` are user-facing; A3CConfig's plain fields at the end are for code
(tests, benchmarks) only.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from hn_assets.config_adapter import setting
from rl_assets.atari import AtariSettings, frames_per_step, validate_env_name
from rl_assets.errors import ConfigError

OPTIMIZERS = ("rmsprop", "adam")
START_METHODS = ("spawn", "forkserver")
POLICY_SOURCES = ("train", "release")


@dataclass
class A3CConfig:
    """Hyperparameters of Mnih et al. (2016) unless noted. Frames are emulator frames (Atari: 4
    per agent step, the frame skip); CartPole-like envs have 1 frame per step."""

    # environment
    env: str = setting(
        "Pong",
        help="an ALE game such as Pong, Breakout, BeamRider, Qbert or SpaceInvaders; or a "
        "gymnasium id such as CartPole-v1 (trained with a small MLP)",
        flag="--game",
    )
    repeat_action_probability: float = setting(
        0.0,
        help="ALE sticky actions: the chance an action is repeated instead of taken; the paper "
        "has 0, the modern ALE protocol 0.25",
        flag="--sticky-actions",
    )
    # budgets (whichever is reached first)
    frames: int = setting(
        10_000_000, help="frame budget of this run (Atari: 4 frames per agent step)"
    )
    max_minutes: float | None = setting(
        None, help="wall-time budget of this run in minutes (none: no limit)", flag="--minutes"
    )
    target_score: float | None = setting(
        None,
        help="stop early once the mean score of this run's last target_window games reaches it",
    )
    target_window: int = setting(100, help="games averaged for target_score")
    # parallelism
    workers: int = setting(
        help="actor-learner processes (the default is one per CPU core)",
        default_factory=lambda: os.cpu_count() or 1,
    )
    seed: int = setting(1, help="env i of worker k is seeded with seed + 1000k + i")
    # Several envs per worker (as PAAC / GA3C batch) spread each update's fixed costs (backward
    # pass, optimiser step, parameter copy) over more agent steps, so the cores spend more of
    # their time in the games; bench/a3c.py measures both settings (figures in bench/RESULTS.md).
    envs_per_worker: int = setting(
        16,
        help="envs each worker steps side by side, acting for all with one batched forward pass "
        "and making one update from all their steps; 1 is the paper's A3C (one env per "
        "actor-learner, an update also at every episode end). More envs keep the cores busier "
        "with the games (bench/a3c.py) but can need more frames to learn",
    )
    # algorithm
    t_max: int = setting(5, help="agent steps per update (n of the n-step return)")
    gamma: float = setting(0.99, help="discount factor")
    gae_lambda: float = setting(1.0, help="1.0 gives the paper's n-step returns; below 1, GAE")
    entropy_coef: float = setting(0.01, help="weight of the entropy bonus")
    value_coef: float = setting(0.5, help="weight of the value loss")
    max_grad_norm: float = setting(40.0, help="gradients are clipped to this global norm")
    lstm: bool = setting(
        False, help="use the paper's LSTM-256 network variant (must match a resumed checkpoint)"
    )
    # optimiser
    optimizer: Literal["rmsprop", "adam"] = setting(
        "rmsprop", help="shared optimiser: rmsprop (shared statistics, the paper's) or adam"
    )
    lr: float = setting(7e-4, help="learning rate")
    anneal_lr: bool = setting(
        True,
        help="anneal the learning rate linearly to 0 over this run's frame budget (the paper); "
        "off keeps it constant, for a run that the time budget or Ctrl-C ends",
    )
    rmsprop_alpha: float = setting(0.99, help="RMSprop decay of the squared-gradient average")
    rmsprop_eps: float = setting(0.1, help="RMSprop epsilon, inside the square root as the paper")
    # where the policy comes from (the a3c_policy asset; `a3c install` on the command line)
    source: Literal["train", "release"] = setting(
        "train",
        help="train: train for this run's budget, continuing from the game's checkpoint; "
        "release: install the policy shipped for the game (rl_assets/policies/<game>.policy.pt, "
        "made by `a3c release`) as the game's checkpoint without training, moving a different "
        "run in the game's folder to previous-<time>/",
        cli=False,
    )
    # bookkeeping
    checkpoint_every_minutes: float = setting(
        5.0, help="how often to save a checkpoint, in minutes", flag="--checkpoint-minutes"
    )
    # for code only: not on the command line nor in the Dagster config
    start_method: Literal["spawn", "forkserver"] = "spawn"  # never fork: callers may have threads
    progress_every_s: float = 2.0
    stats_every_updates: int = 100  # how often each worker reports losses to TensorBoard

    def atari_settings(self) -> AtariSettings:
        return AtariSettings(repeat_action_probability=self.repeat_action_probability)

    @property
    def frames_per_step(self) -> int:
        return frames_per_step(self.env, self.atari_settings())

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming every setting that is out of range."""
        validate_env_name(self.env)
        rules = [
            ("frames", self.frames >= 1, ">= 1"),
            ("max_minutes", self.max_minutes is None or self.max_minutes > 0, "> 0 or none"),
            ("target_window", self.target_window >= 1, ">= 1"),
            ("workers", self.workers >= 1, ">= 1"),
            ("envs_per_worker", self.envs_per_worker >= 1, ">= 1"),
            ("t_max", self.t_max >= 1, ">= 1"),
            ("gamma", 0 <= self.gamma <= 1, "between 0 and 1"),
            ("gae_lambda", 0 <= self.gae_lambda <= 1, "between 0 and 1"),
            ("entropy_coef", self.entropy_coef >= 0, ">= 0"),
            ("value_coef", self.value_coef >= 0, ">= 0"),
            ("max_grad_norm", self.max_grad_norm > 0, "> 0"),
            ("optimizer", self.optimizer in OPTIMIZERS, f"one of {', '.join(OPTIMIZERS)}"),
            ("source", self.source in POLICY_SOURCES, f"one of {', '.join(POLICY_SOURCES)}"),
            ("lr", self.lr > 0, "> 0"),
            ("rmsprop_alpha", 0 <= self.rmsprop_alpha < 1, ">= 0 and < 1"),
            ("rmsprop_eps", self.rmsprop_eps > 0, "> 0"),
            (
                "repeat_action_probability",
                0 <= self.repeat_action_probability <= 1,
                "between 0 and 1",
            ),
            ("checkpoint_every_minutes", self.checkpoint_every_minutes > 0, "> 0"),
            ("start_method", self.start_method in START_METHODS, " or ".join(START_METHODS)),
            ("progress_every_s", self.progress_every_s > 0, "> 0"),
            ("stats_every_updates", self.stats_every_updates >= 1, ">= 1"),
        ]
        problems = [
            f"{name} must be {rule}, got {getattr(self, name)!r}"
            for name, ok, rule in rules
            if not ok
        ]
        if problems:
            raise ConfigError("Invalid A3C config: " + "; ".join(problems) + ".")


#: Per-environment defaults that differ from A3CConfig's (the paper's Atari settings): the one
#: place they are written. `a3c train` and the a3c_policy asset start from
#: :func:`default_config`; a value the user gives (option or run config) still wins.
GAME_DEFAULTS: dict[str, dict[str, Any]] = {
    # The paper's algorithm on a small problem, with a larger learning rate. The run spends its
    # whole frame budget, the learning rate annealing to 0, rather than stopping at a target
    # score: stopped while the rate is still high, a policy that had just averaged 475 over 20
    # games sometimes collapsed within the last updates (1 of 8 seeds evaluated at 112). Measured
    # on 2 cores shared with a Pong run: 20-36 s; 7 of seeds 1-8 then score 500 (the cap) in
    # every evaluation game, one 485 on average; random play scores 20-30.
    "CartPole-v1": {"lr": 5e-3, "frames": 600_000},
}


def default_config(env: str, **overrides: Any) -> A3CConfig:
    """A3CConfig for ``env``: the dataclass defaults, the env's :data:`GAME_DEFAULTS`, then
    ``overrides``."""
    return A3CConfig(env=env, **{**GAME_DEFAULTS.get(env, {}), **overrides})


def game_defaults_text(name: str) -> str:
    """How the per-env defaults change setting ``name``, e.g. ``"; CartPole-v1: 0.005"``."""
    return "".join(
        f"; {env}: {values[name]}" for env, values in GAME_DEFAULTS.items() if name in values
    )


def config_from_dict(env: str, values: dict[str, Any]) -> A3CConfig:
    """An A3CConfig from a stored ``asdict`` (a checkpoint's or a release's), keeping only the
    fields this version knows over :func:`default_config`; bad values fail in ``validate``."""
    known = {field.name for field in fields(A3CConfig)} - {"env"}
    return default_config(env, **{k: v for k, v in values.items() if k in known})


def config_differences(config: A3CConfig) -> dict[str, Any]:
    """The settings of ``config`` that differ from its env's defaults."""
    defaults = asdict(default_config(config.env))
    return {k: v for k, v in asdict(config).items() if k != "env" and v != defaults[k]}


def command_line(config: A3CConfig) -> str:
    """An `a3c train` command with ``config``'s settings: those that differ from the env's
    defaults, and always the worker count (its default depends on the machine). A setting
    that is None where the default is not has no spelling on the command line and is left out."""
    differences = config_differences(config)
    differences.setdefault("workers", config.workers)
    words = ["a3c", "train", "--game", config.env]
    for field in fields(A3CConfig):
        # "help", "cli" and "flag": the field metadata that hn_assets.config_adapter.setting writes
        if field.name not in differences or not field.metadata.get("cli"):
            continue
        value = differences[field.name]
        flag = field.metadata.get("flag") or "--" + field.name.replace("_", "-")
        if isinstance(value, bool):
            words.append(flag if value else "--no-" + flag.removeprefix("--"))
        elif value is not None:
            words += [flag, str(value)]
    return shlex.join(words)


@dataclass(frozen=True)
class EvaluationSettings:
    """How a policy is scored: ``a3c play``'s options and ``a3c_evaluation``'s run config."""

    episodes: int = setting(10, help="games played by the policy (and by random play, if compared)")
    seed: int = setting(10_000, help="game k uses seed + k, for both players")
    max_episode_frames: int | None = setting(
        None,
        help="cut each game after this many frames (none: the checkpoint's limit, 108,000 "
        "frames = 30 minutes of play)",
        flag="--max-frames",
    )

    def validate(self) -> None:
        problems = []
        if self.episodes < 1:
            problems.append(f"episodes must be >= 1, got {self.episodes}")
        if self.max_episode_frames is not None and self.max_episode_frames < 1:
            problems.append(f"max_episode_frames must be >= 1, got {self.max_episode_frames}")
        if problems:
            raise ConfigError("Invalid evaluation settings: " + "; ".join(problems) + ".")
