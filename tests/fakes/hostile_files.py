"""Checkpoint files no loader of this project may trust: crafted, damaged and foreign ones.

A crafted checkpoint is a real torch checkpoint whose unpickling calls a function of the
attacker's choosing; here that function only creates a marker file, so a test can tell
whether loading ran it.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch


class RunsCodeWhenUnpickled:
    """Unpickling this calls ``os.open`` to create ``marker``: a stand-in for any code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return (os.open, (str(self.marker), os.O_CREAT | os.O_WRONLY, 0o600))


def crafted_checkpoint(path: Path, marker: Path, wrapping: dict[str, Any] | None = None) -> Path:
    """A torch checkpoint (zip format, like ours) that runs code when fully unpickled;
    ``wrapping`` is the rest of the dictionary, so it can otherwise look like ours."""
    torch.save({**(wrapping or {}), "payload": RunsCodeWhenUnpickled(marker)}, path)
    return path


def crafted_pickle(path: Path, marker: Path) -> Path:
    """The same trick as a bare pickle (torch's legacy, non-zip format)."""
    path.write_bytes(pickle.dumps({"payload": RunsCodeWhenUnpickled(marker)}, protocol=2))
    return path


def damaged_files(directory: Path, good: Path) -> dict[str, Path]:
    """Empty, truncated, text, random-bytes and directory stand-ins for a checkpoint."""
    data = good.read_bytes()
    files = {
        "empty": b"",
        "truncated": data[: len(data) // 2],
        "text": b"this is not a checkpoint\n",
        "random": bytes((index * 131 + 7) % 256 for index in range(4096)),
    }
    paths = {}
    for name, content in files.items():
        paths[name] = directory / f"{name}.ckpt"
        paths[name].write_bytes(content)
    paths["directory"] = directory / "a-directory.ckpt"
    paths["directory"].mkdir()
    return paths
