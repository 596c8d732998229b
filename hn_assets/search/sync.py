"""Keep one month of the index equal to that month's clean posts, touching only what changed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hn_assets.quarantine import QuarantinedPost, isolate
from hn_assets.search.backends import SearchIndex
from hn_assets.search.documents import frame_records, normalize_document
from hn_assets.search.errors import IndexWriteError
from hn_assets.search.query import validate_month


@dataclass(frozen=True)
class SyncResult:
    """What a sync did: posts added, posts removed, the month's size afterwards, and the posts
    that could not be indexed (left out, with why)."""

    added: int
    removed: int
    total: int
    quarantined: list[QuarantinedPost] = field(default_factory=list)


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
    if index.count(months=[month]) != len(indexed):
        # Copies of one post, left by a race of older versions: upserting an id replaces
        # every copy, so writing the month again repairs it.
        new_rows = posts
    else:
        new_rows = posts[~posts["id"].isin(indexed)]
    docs, quarantined = isolate(
        frame_records(new_rows),
        lambda row: normalize_document(row, index.schema),
        stage="index",
        id_of=lambda row: row["id"],
    )
    added, rejected = _upsert_isolated(index, docs)
    quarantined += rejected
    wanted = {int(post_id) for post_id in posts["id"]} - {post.id for post in quarantined}
    vanished = indexed - wanted
    removed = index.delete(vanished) if vanished else 0
    return SyncResult(
        added=added,
        removed=removed,
        total=len(index.ids_for_month(month)),
        quarantined=quarantined,
    )


def _upsert_isolated(index: SearchIndex, docs: list[dict]) -> tuple[int, list[QuarantinedPost]]:
    """Write ``docs``; documents the backend rejects one by one (an Elasticsearch mapping
    error, say) are quarantined, and a failure of the whole write still raises."""
    if not docs:
        return 0, []
    try:
        return index.upsert(docs), []
    except IndexWriteError as error:
        rejected = {
            problem.id: problem.reason for problem in error.failures if problem.id is not None
        }
        if not rejected or len(rejected) < len(error.failures):
            raise
    # The backend kept the rest of the batch (see SearchIndex.upsert); write it again to be
    # sure of it, without the rejected documents: upserts are idempotent.
    kept = [doc for doc in docs if doc["id"] not in rejected]
    added = index.upsert(kept) if kept else 0
    return added, [QuarantinedPost(post_id, "index", why) for post_id, why in rejected.items()]
