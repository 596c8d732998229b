"""Where a game's training run keeps its files, and the checkpoint format.

One directory per game under the data dir (``RL_DATA_DIR``, default ``./data/rl``)::

    <data dir>/<game>/checkpoint.pt       global network + shared optimiser state + counters
                     /episodes.csv        one row per finished game: frames, score, length, ...
                     /tensorboard/        scalars for `tensorboard --logdir <data dir>`
                     /learning_curve.png  score vs frames
                     /evaluation.json     the last evaluation: policy vs random play
                     /evaluation.gif      one evaluation episode
                     /previous-<time>/    an earlier run, moved aside by a fresh start or an
                                          installed release (``archive_previous_run``)
"""

from __future__ import annotations

import os
import reprlib
import shutil
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import torch

from hn_assets.torch_checkpoints import (
    describe_load_failure,
    load_plain_checkpoint,
    state_dict_problems,
)
from rl_assets.a3c.model import ActorCritic, build_model
from rl_assets.atari import AtariSettings
from rl_assets.errors import A3CError, CheckpointError

CHECKPOINT_FORMAT = 1


def default_data_dir() -> Path:
    return Path(os.environ.get("RL_DATA_DIR", "./data/rl"))


@dataclass(frozen=True)
class RunPaths:
    root: Path

    @classmethod
    def for_game(cls, game: str, data_dir: Path | str | None = None) -> RunPaths:
        return cls(Path(data_dir if data_dir is not None else default_data_dir()) / game)

    @property
    def checkpoint(self) -> Path:
        return self.root / "checkpoint.pt"

    @property
    def episodes_csv(self) -> Path:
        return self.root / "episodes.csv"

    @property
    def tensorboard(self) -> Path:
        return self.root / "tensorboard"

    @property
    def learning_curve(self) -> Path:
        return self.root / "learning_curve.png"

    @property
    def evaluation_json(self) -> Path:
        return self.root / "evaluation.json"

    @property
    def evaluation_gif(self) -> Path:
        return self.root / "evaluation.gif"

    def archive_previous_run(self) -> Path | None:
        """Move an earlier run's files aside (``previous-<time>/``) so a fresh run loses nothing."""
        # The evaluation too: it describes the policy that moves aside, not the next one.
        files = [
            self.checkpoint,
            self.episodes_csv,
            self.tensorboard,
            self.learning_curve,
            self.evaluation_json,
            self.evaluation_gif,
        ]
        present = [path for path in files if path.exists()]
        if not present:
            return None
        name = time.strftime("previous-%Y%m%d-%H%M%S")
        archive, number = self.root / name, 1
        while archive.exists():  # two fresh starts within a second
            number += 1
            archive = self.root / f"{name}-{number}"
        archive.mkdir(parents=True)
        for path in present:
            shutil.move(str(path), archive / path.name)
        return archive


#: What every checkpoint :func:`save_checkpoint` writes for the trainer holds, and its type.
_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "env": str,
    "obs_shape": (tuple, list),
    "n_actions": int,
    "lstm": bool,
    "atari_settings": dict,
    "steps": int,
    "frames": int,
    "model": dict,
    "optimizer": dict,
}
_NOT_OURS = "is not an A3C checkpoint written by `a3c train`"
_HOW_TO_FIX = "train one with `a3c train` (or move this file out of the run directory)"


def save_checkpoint(path: Path, payload: dict[str, Any]) -> None:
    """Write atomically: a crash mid-write leaves the previous checkpoint intact.

    ``payload`` must stay plain data (tensors, numbers, strings, lists, tuples, dicts):
    :func:`load_checkpoint` reads with ``weights_only=True`` and refuses anything else.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"format": CHECKPOINT_FORMAT, **payload}, tmp)
    os.replace(tmp, path)


def _read(path: Path) -> Any:
    """The file's content as plain data: a checkpoint can come from anywhere (``a3c play``
    reads whatever is in the run directory), and full unpickling would run any code a crafted
    file names."""
    return load_plain_checkpoint(
        path, not_ours=_NOT_OURS, how_to_fix=f"{_HOW_TO_FIX}.", error=CheckpointError
    )


def _check(path: Path, checkpoint: dict[str, Any]) -> None:
    """Raise :class:`CheckpointError` unless ``checkpoint`` has what the trainer writes and
    its weights fit the network its own fields describe."""
    missing = [key for key in _REQUIRED if key not in checkpoint]
    if missing:
        raise CheckpointError(f"{path} {_NOT_OURS}: it lacks {', '.join(missing)}; {_HOW_TO_FIX}.")
    for key, expected in _REQUIRED.items():
        value = checkpoint[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise CheckpointError(
                f"{path} {_NOT_OURS}: its {key} has type {type(value).__name__}; {_HOW_TO_FIX}."
            )
    optimizer = checkpoint["optimizer"]
    if not isinstance(optimizer.get("state"), dict) or not isinstance(
        optimizer.get("param_groups"), list
    ):
        raise CheckpointError(
            f"{path} {_NOT_OURS}: its optimizer state has no state and param_groups; {_HOW_TO_FIX}."
        )
    check_network(path, checkpoint, not_ours=_NOT_OURS, how_to_fix=_HOW_TO_FIX)


def check_network(
    path: Path,
    payload: dict[str, Any],
    *,
    not_ours: str,
    how_to_fix: str,
    error: type[A3CError] = CheckpointError,
) -> None:
    """Raise ``error`` ("<path> <not_ours>: <why>; <how_to_fix>.") unless ``payload``'s
    obs_shape, n_actions, lstm and atari_settings (types already checked) describe a network
    this project builds and its ``model`` weights fit that network."""
    shape = payload["obs_shape"]
    if (
        len(shape) not in (1, 3)
        or not all(
            isinstance(size, int) and not isinstance(size, bool) and size > 0 for size in shape
        )
        or payload["n_actions"] < 1
    ):
        raise error(
            f"{path} {not_ours}: obs_shape {reprlib.repr(shape)} / n_actions "
            f"{payload['n_actions']} "
            f"describe no network this project builds; {how_to_fix}."
        )
    defaults = {field.name: field.default for field in fields(AtariSettings)}
    for key, value in payload["atari_settings"].items():
        if key not in defaults:
            raise error(
                f"{path} {not_ours}: unknown atari_settings key {reprlib.repr(key)}; {how_to_fix}."
            )
        # Every setting is an int, a float (an int will do) or a str, like its default.
        wanted = (int, float) if isinstance(defaults[key], float) else type(defaults[key])
        if isinstance(value, bool) or not isinstance(value, wanted):
            raise error(
                f"{path} {not_ours}: atari_settings[{key}] has type {type(value).__name__}; "
                f"{how_to_fix}."
            )
    # Built on the meta device: a foreign obs_shape could ask for a network far larger than
    # the file's weights, and that must fail before any memory is allocated.
    try:
        with torch.device("meta"):
            skeleton = build_model(tuple(shape), payload["n_actions"], lstm=payload["lstm"])
    except (ValueError, RuntimeError) as failure:  # e.g. a screen too small for the convolutions
        raise error(
            f"{path} {not_ours}: obs_shape {tuple(shape)} describes no network this project "
            f"builds ({describe_load_failure(failure)}); {how_to_fix}."
        ) from failure
    problems = state_dict_problems(skeleton.state_dict(), payload["model"])
    if problems:
        raise error(
            f"{path} {not_ours}: its weights do not fit the network it describes ({problems}); "
            f"{how_to_fix}."
        )


def load_checkpoint(path: Path) -> dict[str, Any]:
    """The checkpoint at ``path``, read as data only and checked against what the trainer
    writes. Raises :class:`CheckpointError` (one line, with what to do) for a missing,
    damaged, unsafe or foreign file."""
    if not path.exists():
        raise CheckpointError(
            f"No checkpoint at {path}. Train first, e.g. `a3c train --game {path.parent.name}`, "
            "or point RL_DATA_DIR / --data-dir at the directory that holds it."
        )
    if not path.is_file():
        raise CheckpointError(f"{path} is not a file; {_HOW_TO_FIX}.")
    checkpoint = _read(path)
    if not isinstance(checkpoint, dict):
        raise CheckpointError(
            f"{path} {_NOT_OURS}: it holds a {type(checkpoint).__name__}, not a checkpoint "
            f"dictionary; {_HOW_TO_FIX}."
        )
    if checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{path} has checkpoint format {reprlib.repr(checkpoint.get('format'))}, expected "
            f"{CHECKPOINT_FORMAT}: it was written by another version or is not an A3C "
            f"checkpoint; {_HOW_TO_FIX}."
        )
    _check(path, checkpoint)
    return checkpoint


def model_from_checkpoint(checkpoint: dict[str, Any]) -> ActorCritic:
    """The policy network of a checkpoint from :func:`load_checkpoint`, in eval mode."""
    model = build_model(
        tuple(checkpoint["obs_shape"]), checkpoint["n_actions"], lstm=checkpoint["lstm"]
    )
    model.load_state_dict(checkpoint["model"])
    model.eval()
    return model
