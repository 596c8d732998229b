"""Where a game's training run keeps its files, and the checkpoint format.

One directory per game under the data dir (``RL_DATA_DIR``, default ``./data/rl``)::

    <data dir>/<game>/checkpoint.pt       global network + shared optimiser state + counters
                     /episodes.csv        one row per finished game: frames, score, length, ...
                     /tensorboard/        scalars for `tensorboard --logdir <data dir>`
                     /learning_curve.png  score vs frames
                     /evaluation.json     the last evaluation: policy vs random play
                     /evaluation.gif      one evaluation episode
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from rl_assets.a3c.model import ActorCritic, build_model

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
        files = [self.checkpoint, self.episodes_csv, self.tensorboard, self.learning_curve]
        present = [path for path in files if path.exists()]
        if not present:
            return None
        archive = self.root / time.strftime("previous-%Y%m%d-%H%M%S")
        archive.mkdir(parents=True)
        for path in present:
            shutil.move(str(path), archive / path.name)
        return archive


class CheckpointError(RuntimeError):
    pass


def save_checkpoint(path: Path, payload: dict[str, Any]) -> None:
    """Write atomically: a crash mid-write leaves the previous checkpoint intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"format": CHECKPOINT_FORMAT, **payload}, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise CheckpointError(
            f"No checkpoint at {path}. Train first, e.g. `a3c train --game {path.parent.name}`, "
            "or point RL_DATA_DIR / --data-dir at the directory that holds it."
        )
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    if checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{path} has checkpoint format {checkpoint.get('format')}, expected {CHECKPOINT_FORMAT}."
        )
    return checkpoint


def model_from_checkpoint(checkpoint: dict[str, Any]) -> ActorCritic:
    model = build_model(
        tuple(checkpoint["obs_shape"]), checkpoint["n_actions"], lstm=checkpoint["lstm"]
    )
    model.load_state_dict(checkpoint["model"])
    model.eval()
    return model
