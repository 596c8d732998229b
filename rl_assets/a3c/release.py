"""A trained policy shipped with the code: `a3c release` makes one from a game's checkpoint;
`a3c install` and the ``a3c_policy`` asset (``source: release``) put it back as the checkpoint.

A release is two files side by side in a policies folder (the package's ``rl_assets/policies/``
unless ``RL_POLICIES_DIR`` or an option names another)::

    <game>.policy.pt   the network's weights and what builds the network, nothing else (no
                       optimiser state): plain tensors and values, read with weights_only=True
    <game>.json        provenance: game, the training settings as an `a3c train` command,
                       frames, wall time, the code's git commit, the evaluation against random
                       play, date, library versions, and the SHA-256 of the weights file

The weights stay float32, exactly the trained ones, so the score in the provenance is the score
of the shipped file (float16 would halve the paper network's 2.7 MB but play a slightly
different policy), and they are not gzipped: trained float weights shrink by a few per cent.
A file that differs from the SHA-256 its provenance records (truncated, edited, swapped) is
refused before it is unpickled.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import os
import platform
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from hn_assets.torch_checkpoints import load_plain_checkpoint
from rl_assets.a3c.checkpoint import (
    RunPaths,
    check_network,
    load_checkpoint,
    save_checkpoint,
)
from rl_assets.a3c.config import (
    A3CConfig,
    EvaluationSettings,
    command_line,
    config_from_dict,
    default_config,
)
from rl_assets.a3c.evaluate import Evaluation, evaluate_policy
from rl_assets.a3c.model import build_model
from rl_assets.a3c.shared_optim import make_optimizer
from rl_assets.atari import AtariSettings, frames_per_step, make_env
from rl_assets.errors import CheckpointError, ConfigError, ReleaseError

RELEASE_FORMAT = 1
RELEASE_KIND = "a3c-policy-release"
#: Larger files are refused unread: the paper's network is 2.7 MB, its LSTM variant 4.8 MB.
MAX_RELEASE_BYTES = 64 * 2**20
_PACKAGE = Path(__file__).resolve().parents[1]  # rl_assets/

#: What every weights file :func:`make_release` writes holds, and its type.
_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "format": int,
    "kind": str,
    "env": str,
    "obs_shape": (tuple, list),
    "n_actions": int,
    "lstm": bool,
    "atari_settings": dict,
    "steps": int,
    "frames": int,
    "model": dict,
}


def shipped_policies_dir() -> Path:
    """Where releases are looked for: ``RL_POLICIES_DIR``, else the package's ``policies/``."""
    return Path(os.environ.get("RL_POLICIES_DIR") or _PACKAGE / "policies")


@dataclass(frozen=True)
class ReleasePaths:
    weights: Path
    provenance: Path

    @classmethod
    def for_game(cls, game: str, directory: Path | str | None = None) -> ReleasePaths:
        folder = Path(directory) if directory is not None else shipped_policies_dir()
        return cls(folder / f"{game}.policy.pt", folder / f"{game}.json")


@dataclass(frozen=True)
class Release:
    """A release read back and checked: its weights payload and its provenance record."""

    paths: ReleasePaths
    payload: dict[str, Any]
    provenance: dict[str, Any]

    @property
    def sha256(self) -> str:
        return self.provenance["weights_sha256"]


# ---- making a release ------------------------------------------------------------------------


def make_release(
    game: str,
    data_dir: Path | str | None,
    out_dir: Path | str | None,
    settings: EvaluationSettings,
    *,
    allow_worse_than_random: bool = False,
    release_command: str = "",
    on_evaluating: Callable[[], None] | None = None,
) -> tuple[Release, Evaluation]:
    """Evaluate the game's checkpoint against random play, then write its weights and
    provenance to ``out_dir``. Nothing is written when the checkpoint is missing or foreign, or
    (unless ``allow_worse_than_random``) when the policy does not beat random play.
    ``on_evaluating`` is called once the checkpoint is read, before the games (minutes for Atari)."""
    settings.validate()
    run = RunPaths.for_game(game, data_dir)
    checkpoint = load_checkpoint(run.checkpoint)  # once: training may rewrite the file meanwhile
    if on_evaluating is not None:
        on_evaluating()
    evaluation, _ = evaluate_policy(checkpoint, run.checkpoint, settings, expected_env=game)
    advantage = evaluation.advantage_over_random
    if advantage is not None and advantage <= 0 and not allow_worse_than_random:
        raise ReleaseError(
            f"The {game} policy in {run.checkpoint} does not beat random play (mean score "
            f"{evaluation.policy.mean:.2f} vs {evaluation.random.mean:.2f} over "  # type: ignore[union-attr]
            f"{settings.episodes} games), so nothing was written; train it longer "
            f"(`a3c train --game {game}`), or pass --allow-worse-than-random."
        )
    paths = ReleasePaths.for_game(game, out_dir)
    paths.weights.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": RELEASE_FORMAT,
        "kind": RELEASE_KIND,
        "env": game,
        "obs_shape": tuple(checkpoint["obs_shape"]),
        "n_actions": checkpoint["n_actions"],
        "lstm": checkpoint["lstm"],
        "atari_settings": checkpoint["atari_settings"],
        "steps": checkpoint["steps"],
        "frames": checkpoint["frames"],
        "model": {
            name: tensor.float().contiguous() for name, tensor in checkpoint["model"].items()
        },
    }
    weights_tmp = paths.weights.with_name(paths.weights.name + ".tmp")
    torch.save(payload, weights_tmp)
    provenance = _provenance(game, checkpoint, run, evaluation, settings, weights_tmp)
    provenance["weights_file"] = paths.weights.name
    provenance["release_command"] = release_command
    provenance_tmp = paths.provenance.with_name(paths.provenance.name + ".tmp")
    provenance_tmp.write_text(json.dumps(provenance, indent=2) + "\n")
    # Weights first: a crash between the two leaves a pair whose SHA-256 differs, which
    # load_release refuses with the advice to release again.
    os.replace(weights_tmp, paths.weights)
    os.replace(provenance_tmp, paths.provenance)
    return Release(paths, payload, provenance), evaluation


def _provenance(
    game: str,
    checkpoint: dict[str, Any],
    run: RunPaths,
    evaluation: Evaluation,
    settings: EvaluationSettings,
    weights: Path,
) -> dict[str, Any]:
    wall_time_s, wall_time_source = _training_wall_time(checkpoint, run)
    stored = checkpoint.get("config")
    config = _config_of(game, stored)
    commit, dirty = git_commit(_PACKAGE)
    parameters = sum(tensor.numel() for tensor in checkpoint["model"].values())
    return {
        "format": RELEASE_FORMAT,
        "game": game,
        "weights_sha256": _sha256(weights),
        "weights_bytes": weights.stat().st_size,
        "network": {
            "obs_shape": list(checkpoint["obs_shape"]),
            "n_actions": checkpoint["n_actions"],
            "lstm": checkpoint["lstm"],
            "parameters": parameters,
            "dtype": "float32",
        },
        "training": {
            # The settings of the last `a3c train` run on this checkpoint (a resumed run may
            # have changed some); None when the checkpoint predates the record.
            "command": None if config is None else command_line(config),
            "config": stored if isinstance(stored, dict) else None,
            "frames": checkpoint["frames"],
            "agent_steps": checkpoint["steps"],
            "games": checkpoint.get("episodes"),
            "mean_score_last_100_games": _mean_of_last_games(run.episodes_csv, checkpoint),
            "wall_time_s": None if wall_time_s is None else round(wall_time_s, 1),
            "wall_time_source": wall_time_source,
        },
        "evaluation": {
            "games": settings.episodes,
            "seed": settings.seed,
            "max_episode_frames": settings.max_episode_frames,
            "policy": {**evaluation.policy.summary(), "scores": evaluation.policy.scores},
            "random": None
            if evaluation.random is None
            else {**evaluation.random.summary(), "scores": evaluation.random.scores},
            "advantage_over_random": evaluation.advantage_over_random,
            "wall_time_s": evaluation.wall_time_s,
        },
        "code": {"git_commit": commit, "git_dirty": dirty},
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
    }


def _config_of(game: str, stored: Any) -> A3CConfig | None:
    if not isinstance(stored, dict):
        return None
    try:
        config = config_from_dict(game, stored)
        config.validate()
    except (ConfigError, TypeError):
        return None
    return config


def _training_wall_time(checkpoint: dict[str, Any], run: RunPaths) -> tuple[float | None, str]:
    """All training runs' wall time, and where the figure comes from."""
    recorded = checkpoint.get("wall_time_s")
    if isinstance(recorded, int | float) and not isinstance(recorded, bool):
        return float(recorded), "checkpoint: every training run of this policy"
    times = [float(row["wall_time"]) for row in _episode_rows(run.episodes_csv, checkpoint)]
    if len(times) >= 2:
        # Older checkpoints hold no wall time; the games' end times bound most of it.
        return max(times) - min(times), "episodes.csv: first to last finished training game"
    return None, "unknown: the checkpoint predates wall-time records and no games were logged"


def _episode_rows(episodes_csv: Path, checkpoint: dict[str, Any]) -> list[dict[str, str]]:
    """The logged training games up to the checkpoint (a run still training logs more)."""
    if not episodes_csv.exists():
        return []
    with episodes_csv.open(newline="") as file:
        return [row for row in csv.DictReader(file) if int(row["frames"]) <= checkpoint["frames"]]


def _mean_of_last_games(
    episodes_csv: Path, checkpoint: dict[str, Any], games: int = 100
) -> float | None:
    scores = [float(row["score"]) for row in _episode_rows(episodes_csv, checkpoint)][-games:]
    return round(sum(scores) / len(scores), 2) if scores else None


def git_commit(directory: Path) -> tuple[str, bool | None]:
    """``git rev-parse HEAD`` of the repository holding ``directory`` and whether tracked
    files differ from it; ``("unknown", None)`` outside a git checkout (an installed package)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return "unknown", None
    try:
        dirty: bool | None = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        dirty = None
    return commit, dirty


def _versions() -> dict[str, str]:
    import ale_py
    import gymnasium

    return {
        "torch": torch.__version__,
        "gymnasium": gymnasium.__version__,
        "ale_py": ale_py.__version__,
        "python": platform.python_version(),
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---- reading a release -----------------------------------------------------------------------

_NOT_OURS = "is not a policy release written by `a3c release`"


def _how_to_fix(game: str) -> str:
    return (
        f"make one with `a3c release --game {game} --data-dir <folder of a trained run>`, or "
        "train instead (source: train)"
    )


def load_release(game: str, directory: Path | str | None = None) -> Release:
    """The release for ``game`` in ``directory`` (default :func:`shipped_policies_dir`), read
    as data only and checked against its provenance, its game and the game's environment.
    Raises :class:`ReleaseError` (one line, with what to do) otherwise."""
    paths = ReleasePaths.for_game(game, directory)
    fix = _how_to_fix(game)
    if not paths.weights.is_file():
        raise ReleaseError(
            f"No policy is shipped for {game}: {paths.weights} does not exist; {fix}."
        )
    provenance = _read_provenance(paths, game, fix)
    size = paths.weights.stat().st_size
    if size > MAX_RELEASE_BYTES:
        raise ReleaseError(
            f"{paths.weights} {_NOT_OURS}: it has {size:,} bytes, more than the "
            f"{MAX_RELEASE_BYTES:,} any policy network of this project needs; {fix}."
        )
    if _sha256(paths.weights) != provenance["weights_sha256"]:
        raise ReleaseError(
            f"{paths.weights} is not the file {paths.provenance.name} describes (its SHA-256 "
            f"differs): it was truncated, changed or replaced; restore both files together, "
            f"or {fix}."
        )
    payload = load_plain_checkpoint(
        paths.weights, not_ours=_NOT_OURS, how_to_fix=f"{fix}.", error=ReleaseError
    )
    _check_payload(paths.weights, payload, game, fix)
    return Release(paths, payload, provenance)


def _read_provenance(paths: ReleasePaths, game: str, fix: str) -> dict[str, Any]:
    where = paths.provenance
    if not where.is_file():
        raise ReleaseError(
            f"{paths.weights} has no provenance record beside it ({where.name} is missing), so "
            f"nothing says where it comes from; restore it with the weights, or {fix}."
        )
    try:
        provenance = json.loads(where.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReleaseError(
            f"{where} is not a provenance record written by `a3c release` (unreadable JSON: "
            f"{error}); {fix}."
        ) from error
    problem = provenance_problem(provenance, game)
    if problem:
        raise ReleaseError(f"{where} {_NOT_OURS}: {problem}; {fix}.")
    return provenance


def provenance_problem(provenance: Any, game: str) -> str:
    """What makes ``provenance`` no release record for ``game`` ('' if nothing)."""
    if not isinstance(provenance, dict):
        return f"it holds a {type(provenance).__name__}, not a record"
    if provenance.get("format") != RELEASE_FORMAT:
        return f"its format is {provenance.get('format')!r}, expected {RELEASE_FORMAT}"
    if provenance.get("game") != game:
        return f"it describes a policy for {provenance.get('game')!r}, not {game!r}"
    if not isinstance(provenance.get("weights_sha256"), str):
        return "it lacks the weights' SHA-256"
    evaluation = provenance.get("evaluation")
    players = (
        [evaluation.get("policy"), evaluation.get("random")] if isinstance(evaluation, dict) else []
    )
    if len(players) != 2 or not all(
        isinstance(player, dict) and _is_number(player.get("mean")) for player in players
    ):
        return "it lacks the evaluation's mean scores of the policy and of random play"
    return ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_payload(path: Path, payload: Any, game: str, fix: str) -> None:
    if not isinstance(payload, dict):
        raise ReleaseError(f"{path} {_NOT_OURS}: it holds a {type(payload).__name__}; {fix}.")
    missing = [key for key in _REQUIRED if key not in payload]
    if missing:
        raise ReleaseError(f"{path} {_NOT_OURS}: it lacks {', '.join(missing)}; {fix}.")
    for key, expected in _REQUIRED.items():
        value = payload[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ReleaseError(
                f"{path} {_NOT_OURS}: its {key} has type {type(value).__name__}; {fix}."
            )
    if payload["format"] != RELEASE_FORMAT or payload["kind"] != RELEASE_KIND:
        raise ReleaseError(
            f"{path} {_NOT_OURS}: format {payload['format']!r} / kind {payload['kind']!r}; {fix}."
        )
    if payload["env"] != game:
        raise ReleaseError(f"{path} holds a policy for {payload['env']!r}, not {game!r}; {fix}.")
    check_network(path, payload, not_ours=_NOT_OURS, how_to_fix=fix, error=ReleaseError)
    for name, tensor in payload["model"].items():
        if tensor.dtype != torch.float32 or not bool(torch.isfinite(tensor).all()):
            raise ReleaseError(
                f"{path} {_NOT_OURS}: its weight {name} is {tensor.dtype} or holds NaN/inf, "
                f"not finite float32; {fix}."
            )
    env = make_env(game, training=False, settings=AtariSettings(**payload["atari_settings"]))
    shape, actions = tuple(env.observation_space.shape), int(env.action_space.n)
    env.close()
    if shape != tuple(payload["obs_shape"]) or actions != payload["n_actions"]:
        raise ReleaseError(
            f"{path} holds a network for observations {tuple(payload['obs_shape'])} and "
            f"{payload['n_actions']} actions, but {game} has {shape} and {actions}, so it was "
            f"not made for {game}; {fix}."
        )


# ---- installing a release as a game's checkpoint ---------------------------------------------


@dataclass(frozen=True)
class InstalledRelease:
    release: Release
    checkpoint: Path
    moved_aside: Path | None  # where a different run in the game's folder went
    already_installed: bool  # the folder's checkpoint already was this release: nothing changed


def install_release(
    game: str, run: RunPaths, directory: Path | str | None = None
) -> InstalledRelease:
    """Make the release for ``game`` the checkpoint of ``run`` (without training), so playing
    or evaluating the game plays it and training continues from it. A different run in the
    folder moves to ``previous-<time>/`` first, as a fresh training start does; installing the
    same release (weights and provenance) again changes nothing."""
    release = load_release(game, directory)
    if run.checkpoint.exists():
        try:
            current = load_checkpoint(run.checkpoint)
        except CheckpointError:
            current = None  # unreadable: it moves aside with the rest of its run
        if (
            current is not None
            and installed_release(current) == release.sha256
            and release_provenance(current) == release.provenance
        ):
            return InstalledRelease(release, run.checkpoint, None, already_installed=True)
    moved_aside = run.archive_previous_run()
    save_checkpoint(run.checkpoint, _checkpoint_of(release))
    return InstalledRelease(release, run.checkpoint, moved_aside, already_installed=False)


def installed_release(checkpoint: dict[str, Any]) -> str | None:
    """The SHA-256 of the release a checkpoint was installed from; None for a trained one
    (training rewrites the checkpoint without this record)."""
    record = checkpoint.get("release")
    sha = record.get("weights_sha256") if isinstance(record, dict) else None
    return sha if isinstance(sha, str) else None


def release_provenance(checkpoint: dict[str, Any]) -> dict[str, Any] | None:
    """The provenance record of the release a checkpoint was installed from, if it was."""
    record = checkpoint.get("release")
    provenance = record.get("provenance") if isinstance(record, dict) else None
    return provenance if isinstance(provenance, dict) else None


def _checkpoint_of(release: Release) -> dict[str, Any]:
    """A checkpoint in the trainer's format holding the release's weights, with a fresh
    optimiser state (a release ships none) and the release's provenance."""
    payload, provenance = release.payload, release.provenance
    game = payload["env"]
    training = provenance.get("training")
    training = training if isinstance(training, dict) else {}
    config = _config_of(game, training.get("config")) or default_config(game)
    model = build_model(tuple(payload["obs_shape"]), payload["n_actions"], lstm=payload["lstm"])
    model.load_state_dict(payload["model"])
    optimizer = make_optimizer(
        config.optimizer, model.parameters(), config.lr, config.rmsprop_alpha, config.rmsprop_eps
    )
    games = training.get("games")
    wall_time_s = training.get("wall_time_s")
    return {
        "env": game,
        "obs_shape": tuple(payload["obs_shape"]),
        "n_actions": payload["n_actions"],
        "lstm": payload["lstm"],
        "frames_per_step": frames_per_step(game, AtariSettings(**payload["atari_settings"])),
        "atari_settings": payload["atari_settings"],
        "steps": payload["steps"],
        "frames": payload["frames"],
        "episodes": games if isinstance(games, int) and not isinstance(games, bool) else 0,
        "wall_time_s": float(wall_time_s) if _is_number(wall_time_s) else None,
        "config": asdict(config),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "release": {"weights_sha256": release.sha256, "provenance": provenance},
    }


def count_games(count: Any) -> str:
    """``"1 game"``, ``"10 games"``; ``"? games"`` for a record without the count."""
    return f"{count} game" if count == 1 else f"{count if isinstance(count, int) else '?'} games"


def describe_release(provenance: dict[str, Any]) -> str:
    """One line on where a release comes from, for people: scores, frames, commit, date."""
    evaluation = provenance["evaluation"]
    training = provenance.get("training") if isinstance(provenance.get("training"), dict) else {}
    code = provenance.get("code") if isinstance(provenance.get("code"), dict) else {}
    frames = training.get("frames")
    frames_text = f"{frames:,}" if isinstance(frames, int) else "?"
    return (
        f"policy {evaluation['policy']['mean']:.2f} vs random {evaluation['random']['mean']:.2f} "
        f"over {count_games(evaluation.get('games'))}; trained {frames_text} frames; code "
        f"{str(code.get('git_commit', 'unknown'))[:12]}; released {provenance.get('created', '?')}"
    )
