"""Keep one month of the index equal to that month's clean posts, touching only what changed."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hn_assets.search.backends import SearchIndex
from hn_assets.search.documents import frame_records
from hn_assets.search.query import validate_month


@dataclass(frozen=True)
class SyncResult:
    """What a sync did: posts added, posts removed, and the month's size afterwards."""

    added: int
    removed: int
    total: int


def sync_month(index: SearchIndex, month: str, posts: pd.DataFrame) -> SyncResult:
    """Upsert the month's posts that are not indexed yet and delete indexed ids that vanished.

    Reads only the month's ids from the index (no documents), so the cost grows with the number
    of new and vanished posts. An already indexed post is not rewritten: HN posts become
    immutable two hours after posting, long before a month's thread is synced.
    """
    month = validate_month(month)
    if "id" not in posts.columns or "month" not in posts.columns:
        raise ValueError(
            "posts must be a clean_posts frame with at least the columns id and month; "
            f"got {list(posts.columns)}"
        )
    other_months = sorted(set(posts["month"]) - {month})
    if other_months:
        raise ValueError(
            f"sync_month({month!r}) got posts of other months {other_months}: pass one "
            "month's partition of clean_posts"
        )
    if posts["id"].duplicated().any():
        repeated = sorted(posts.loc[posts["id"].duplicated(), "id"].astype(int).unique())[:10]
        raise ValueError(f"clean_posts for {month} repeats post ids {repeated}")
    index.ensure_index()
    indexed = index.ids_for_month(month)
    wanted = {int(post_id) for post_id in posts["id"]}
    new_rows = posts[~posts["id"].isin(indexed)]
    added = index.upsert(frame_records(new_rows)) if len(new_rows) else 0
    vanished = indexed - wanted
    removed = index.delete(vanished) if vanished else 0
    return SyncResult(added=added, removed=removed, total=len(indexed) + added - removed)
