"""Small, Dagster-free helpers that turn tables into what a person reads in the UI."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pandas as pd


def top_values_markdown(values: Iterable[object], label: str, limit: int = 10) -> str:
    counts = pd.Series(list(values), dtype="object").dropna()
    counts = counts[counts.astype(str).str.strip() != ""].value_counts().head(limit)
    if counts.empty:
        return f"_no {label.lower()} found_"
    table = pd.DataFrame({label: counts.index.astype(str), "posts": counts.to_numpy()})
    return table.to_markdown(index=False)


def exploded(frame: pd.DataFrame, column: str) -> pd.Series:
    """The items of a list-valued column, one per row."""
    return frame[column].explode().dropna()


def sample_post_markdown(frame: pd.DataFrame, max_chars: int = 1200) -> str:
    if frame.empty:
        return "_no posts_"
    row = frame.iloc[len(frame) // 2]
    text = str(row["text"])
    if len(text) > max_chars:
        text = text[:max_chars].rstrip() + " …"
    quoted = "\n".join("> " + line if line else ">" for line in text.splitlines())
    return f"**{row.get('company') or 'unknown company'}** ({row.get('hn_url', '')})\n\n{quoted}"


def frame_fingerprint(frame: pd.DataFrame, columns: list[str]) -> str:
    """A stable hash of the given columns, independent of row order: a data version."""
    ordered = frame.sort_values("id")[columns]
    digest = hashlib.sha256()
    for row in ordered.itertuples(index=False):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:16]
