"""Data-quality rules for the stored tables, as plain functions over DataFrames.

Each rule returns a :class:`Verdict`; ``checks.py`` turns verdicts into Dagster asset checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

HTML_LEFTOVER = re.compile(
    r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[^<>]*>|&(?:#x?[0-9a-fA-F]+|[a-zA-Z]{2,8});"
)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)


def _sample(ids: Iterable[Any], limit: int = 10) -> list[int]:
    return [int(i) for i in list(ids)[:limit]]


def ids_unique(frame: pd.DataFrame) -> Verdict:
    duplicated = frame.loc[frame["id"].duplicated(), "id"]
    return Verdict(
        passed=duplicated.empty,
        description="every post id appears once" if duplicated.empty else "duplicate post ids",
        metadata={"duplicates": len(duplicated), "examples": _sample(duplicated)},
    )


def parents_are_thread(raw: pd.DataFrame, thread_id: int) -> Verdict:
    alive = raw[~raw["deleted"].astype(bool)]
    strays = alive.loc[alive["parent"].astype("Int64") != thread_id, "id"]
    return Verdict(
        passed=strays.empty,
        description=f"every post is a top-level comment of thread {thread_id}",
        metadata={"strays": len(strays), "examples": _sample(strays)},
    )


def no_html_left(clean: pd.DataFrame) -> Verdict:
    dirty = clean.loc[clean["text"].str.contains(HTML_LEFTOVER, na=False), "id"]
    return Verdict(
        passed=dirty.empty,
        description="no HTML tag or entity left in clean text",
        metadata={"posts_with_html": len(dirty), "examples": _sample(dirty)},
    )


def no_empty_text(clean: pd.DataFrame) -> Verdict:
    empty = clean.loc[clean["text"].fillna("").str.strip() == "", "id"]
    return Verdict(
        passed=empty.empty,
        description="every clean post has text",
        metadata={"empty_posts": len(empty), "examples": _sample(empty)},
    )


def alive_rows_kept(raw: pd.DataFrame, clean: pd.DataFrame) -> Verdict:
    alive = int((~raw["deleted"].astype(bool) & ~raw["dead"].astype(bool)).sum())
    return Verdict(
        passed=alive == len(clean),
        description="clean rows == alive raw rows",
        metadata={"alive_raw": alive, "clean": len(clean)},
    )
