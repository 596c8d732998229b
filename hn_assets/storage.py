"""Where the platform keeps its files: a data directory that may be local or any fsspec URL.

Tables are Parquet files at ``<data dir>/<table>/<partition>.parquet``. The Dagster IO
manager and the assets that need their own previous output (``raw_posts`` is incremental)
both go through :class:`ParquetStore`, so there is exactly one path convention.
"""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import pandas as pd
from upath import UPath

DEFAULT_DATA_DIR = "./data"
UNPARTITIONED = "all"
LSTM_RUN_DIR = "textgen/lstm"
PUBLISHED_MODEL = "model.ckpt"


def data_dir_from_env() -> str:
    return os.environ.get("HN_DATA_DIR") or DEFAULT_DATA_DIR


class ParquetStore:
    """Parquet tables under a universal-pathlib base directory."""

    def __init__(self, base_dir: str | os.PathLike[str]) -> None:
        self.base = UPath(base_dir)

    def path(self, table: str, partition: str | None = None) -> UPath:
        return self.base / table / f"{partition or UNPARTITIONED}.parquet"

    def exists(self, table: str, partition: str | None = None) -> bool:
        return self.path(table, partition).exists()

    def read(self, table: str, partition: str | None = None) -> pd.DataFrame:
        path = self.path(table, partition)
        if not path.exists():
            raise FileNotFoundError(
                f"{path} does not exist: materialize {table!r}"
                + (f" for partition {partition!r}" if partition else "")
                + " first (for example `hn-jobs refresh`)."
            )
        with path.open("rb") as fh:
            return pd.read_parquet(io.BytesIO(fh.read()))

    def partitions(self, table: str) -> list[str]:
        """The table's stored partitions, in order (none for a table never written)."""
        folder = self.base / table
        if not folder.exists():
            return []
        return sorted(
            path.name.removesuffix(".parquet")
            for path in folder.iterdir()
            if path.name.endswith(".parquet") and path.name != f"{UNPARTITIONED}.parquet"
        )

    def read_or_none(self, table: str, partition: str | None = None) -> pd.DataFrame | None:
        return self.read(table, partition) if self.exists(table, partition) else None

    def write(self, table: str, frame: pd.DataFrame, partition: str | None = None) -> UPath:
        """Write atomically where the filesystem allows it, so a crash never leaves half a file."""
        path = self.path(table, partition)
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        if path.protocol in ("", "file", "local"):
            atomic_write_bytes(Path(path.path), buffer.getvalue())
        else:
            with path.open("wb") as fh:
                fh.write(buffer.getvalue())
        return path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: a reader (or a process killed mid-write)
    sees the old file or the new one, never half of one. The temporary name is unique, so two
    writers never share (and truncate) one temporary file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def local_dir(data_dir: str, name: str) -> Path:
    """A local directory under the data dir, for artefacts that need a real filesystem
    (the tantivy index, memory-mapped corpora, Lightning checkpoints)."""
    base = UPath(data_dir)
    if base.protocol not in ("", "file", "local"):
        override = os.environ.get("HN_LOCAL_DIR")
        if not override:
            raise ValueError(
                f"HN_DATA_DIR={data_dir!r} is not a local path, but {name!r} needs a local "
                "filesystem: set HN_LOCAL_DIR to a local directory for it."
            )
        path = Path(override) / name
    else:
        path = Path(base.path) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def published_model(data_dir: str) -> Path:
    """The checkpoint that generation reads: job_posting_lstm publishes its best one here."""
    return local_dir(data_dir, LSTM_RUN_DIR) / PUBLISHED_MODEL
