"""Real "Who is hiring?" posts (../shared/real-hn), served the way HN serves them.

The posts come without their threads for some months, so each month gets a thread story by
``whoishiring`` whose kids are that month's posts, in id order, with the real thread id where
it is known. Nothing here copies posts into the repository: they are read from the shared
folder at test time (see its README for the rules).
"""

from __future__ import annotations

import calendar
import gzip
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fakes.hn_server import HNStore

REAL_SAMPLE_ENV = "HN_REAL_SAMPLE"
DEFAULT_REAL_SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "real-hn"
POSTS_FILE = "posts.jsonl.gz"


def real_sample_dir() -> Path:
    """The shared folder of real posts; skips the test when it is absent, unless CI said
    where it is (HN_REAL_SAMPLE), in which case an absent folder fails the test."""
    configured = os.environ.get(REAL_SAMPLE_ENV)
    folder = Path(configured) if configured else DEFAULT_REAL_SAMPLE
    if (folder / POSTS_FILE).exists():
        return folder
    message = f"real HN posts not found at {folder} ({POSTS_FILE})"
    if configured:
        pytest.fail(f"{message}, but {REAL_SAMPLE_ENV} is set: CI must provide them")
    pytest.skip(f"{message}; set {REAL_SAMPLE_ENV} to the shared real-hn folder to run this")


@dataclass(frozen=True)
class RealPost:
    id: int
    month: str
    thread_id: int | None
    text: str
    by: str | None
    time: int | None


def load_real_posts(folder: Path) -> list[RealPost]:
    with gzip.open(folder / POSTS_FILE, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return [
        RealPost(
            int(row["id"]),
            row["month"],
            row.get("thread_id"),
            row.get("text") or "",
            row.get("by"),
            row.get("time"),
        )
        for row in rows
    ]


def _month_start(month: str) -> int:
    year, number = (int(part) for part in month.split("-"))
    return int(datetime(year, number, 1, 16, tzinfo=UTC).timestamp())


def thread_title(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"Ask HN: Who is hiring? ({calendar.month_name[number]} {year})"


def real_store(posts: list[RealPost]) -> tuple[HNStore, dict[str, int]]:
    """An HN store holding every post under a thread per month; returns it and the month ->
    thread id map."""
    by_month: dict[str, list[RealPost]] = defaultdict(list)
    for post in posts:
        by_month[post.month].append(post)
    store = HNStore()
    threads: dict[str, int] = {}
    for month, month_posts in sorted(by_month.items()):
        month_posts.sort(key=lambda post: post.id)
        known = {post.thread_id for post in month_posts if post.thread_id}
        # An id just below the month's first post: real threads precede their comments.
        thread_id = known.pop() if known else month_posts[0].id - 1
        threads[month] = thread_id
        started = _month_start(month)
        for offset, post in enumerate(month_posts):
            store.put_item(
                {
                    "id": post.id,
                    "type": "comment",
                    "by": post.by or f"poster{post.id % 997}",
                    "time": post.time or started + 60 * (offset + 1),
                    "text": post.text,
                    "parent": thread_id,
                }
            )
        store.put_item(
            {
                "id": thread_id,
                "type": "story",
                "by": "whoishiring",
                "time": started,
                "title": thread_title(month),
                "kids": [post.id for post in month_posts],
                "descendants": len(month_posts),
            }
        )
    store.put_user({"id": "whoishiring", "submitted": sorted(threads.values(), reverse=True)})
    return store, threads
