"""Fetch the top-level posts of a hiring thread incrementally, and clean them.

``fetch_thread_posts`` asks the API for the thread, then only for kid ids that are not
already stored, so the cost of a refresh grows with what is new.  Items that cannot be fetched
after every retry do not stop the month: they are reported in ``IngestStats.unfetched`` (id ->
reason), everything else is returned, and the next run asks again for exactly those ids,
because they are not stored.  Whatever an item's JSON holds, it becomes a row: strings are
sanitised (lone surrogates, control characters) here, once, before anything is stored.

``clean_posts_frame`` cleans and parses each alive post on its own: a post that raises is
quarantined (see :mod:`hn_assets.quarantine`) and the month goes on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from hn_assets.hackernews.cleaning import clean_html
from hn_assets.hackernews.client import HackerNewsClient
from hn_assets.hackernews.headers import parse_post_header
from hn_assets.hackernews.hn_format import item_url
from hn_assets.hackernews.sanitize import sanitize_optional
from hn_assets.quarantine import QuarantinedPost, isolate
from hn_assets.search.schema import POST_SCHEMA

RAW_POST_COLUMNS = ["id", "by", "time", "text", "deleted", "dead", "parent"]
_RAW_DTYPES = {
    "id": "int64",
    "by": object,
    "time": "int64",
    "text": object,
    "deleted": "bool",
    "dead": "bool",
    "parent": "int64",
}

#: The clean_posts columns and dtypes, from the post schema (where a column is added).
CLEAN_POST_COLUMNS = list(POST_SCHEMA.columns)
_CLEAN_DTYPES = POST_SCHEMA.dtypes


@dataclass
class IngestStats:
    new: int  # rows fetched in this run
    total: int  # rows in the returned frame
    deleted: int  # rows of deleted or dead items in the returned frame
    requests: int  # API requests made, retries included
    seconds: float
    missing: int = 0  # kid ids the API answered with null (not yet visible; retried next run)
    removed: int = 0  # stored rows dropped because the thread no longer lists them
    # kid id -> last error, for items that could not be fetched (asked for again next run)
    unfetched: dict[int, str] = field(default_factory=dict)
    invalid_kids: list[str] = field(default_factory=list)  # kids that are not item ids, as repr


def _typed(frame: pd.DataFrame, dtypes: dict[str, object]) -> pd.DataFrame:
    return frame.astype(dtypes)[list(dtypes)]


def empty_raw_frame() -> pd.DataFrame:
    return _typed(pd.DataFrame({c: [] for c in RAW_POST_COLUMNS}), _RAW_DTYPES)


def _positive_int(value: Any) -> int | None:
    """``value`` if it is a positive JSON integer (an item id, a Unix time), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def thread_kids(thread: dict) -> tuple[list[int], list[str]]:
    """The thread's kid ids in order, without repeats, and the entries that are not ids."""
    kids = thread.get("kids")
    if kids is None:
        return [], []
    if not isinstance(kids, list):
        return [], [repr(kids)[:80]]
    valid: dict[int, None] = {}
    invalid: list[str] = []
    for kid in kids:
        item_id = _positive_int(kid)
        if item_id is None:
            invalid.append(repr(kid)[:80])
        else:
            valid[item_id] = None
    return list(valid), invalid


def raw_post_row(item: dict, thread_id: int, item_id: int | None = None) -> dict:
    """One raw row from an item's JSON, whatever it holds. Deleted items carry neither author
    nor text. ``item_id`` is the id that was asked for: an answer's own "id" may be wrong."""
    deleted = item.get("deleted") is True
    post_id = item_id if item_id is not None else _positive_int(item.get("id"))
    if post_id is None:
        raise ValueError(f"item has no valid id: {item.get('id')!r}")
    return {
        "id": post_id,
        "by": None if deleted else sanitize_optional(item.get("by")),
        "time": _positive_int(item.get("time")) or 0,
        "text": "" if deleted else (sanitize_optional(item.get("text")) or ""),
        "deleted": deleted,
        "dead": item.get("dead") is True,
        # A kid of the thread is a post of the thread even when the API omits "parent".
        "parent": _positive_int(item.get("parent")) or thread_id,
    }


def _raw_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return empty_raw_frame()
    return _typed(pd.DataFrame(rows, columns=RAW_POST_COLUMNS), _RAW_DTYPES)


def _merge(
    previous: pd.DataFrame, fetched: pd.DataFrame, keep_ids: set[int] | None
) -> pd.DataFrame:
    frames = [frame for frame in (previous, fetched) if not frame.empty]
    if not frames:
        return empty_raw_frame()
    merged = pd.concat(frames, ignore_index=True)
    merged = merged.drop_duplicates("id", keep="last")  # a re-fetched row wins
    if keep_ids is not None:
        merged = merged[merged["id"].isin(keep_ids)]
    return _typed(merged.sort_values("id", ignore_index=True), _RAW_DTYPES)


def _validated_previous(previous: pd.DataFrame | None) -> pd.DataFrame:
    if previous is None or previous.empty:
        return empty_raw_frame()
    missing = [c for c in RAW_POST_COLUMNS if c not in previous.columns]
    if missing:
        raise ValueError(
            f"The stored raw posts lack column(s) {missing}; expected {RAW_POST_COLUMNS}. "
            "Re-materialize raw_posts with full_refresh: true to rebuild them."
        )
    return _typed(previous[RAW_POST_COLUMNS], _RAW_DTYPES)


def fetch_thread_posts(
    client: HackerNewsClient,
    thread_id: int,
    previous: pd.DataFrame | None,
    full_refresh: bool = False,
) -> tuple[pd.DataFrame, IngestStats]:
    """The thread's top-level posts: ``previous`` rows plus the kids not stored yet.

    With ``full_refresh`` every kid is fetched again (stored rows are kept only for kids whose
    fetch fails).  Kids the API answers with ``null`` are left out and retried next time, and
    so are kids that could not be fetched (``stats.unfetched``).  Raises FetchError only when
    the thread itself cannot be fetched.
    """
    started = time.perf_counter()
    requests_before = client.requests_made
    thread = client.item(thread_id)
    if thread is None:
        raise ValueError(
            f"HN item {thread_id} does not exist; is it the right hiring thread id? "
            "Re-run hiring_threads to rediscover the threads."
        )
    if thread.get("type") not in (None, "story"):
        raise ValueError(f"HN item {thread_id} is a {thread.get('type')}, not a thread (story).")
    kids, invalid_kids = thread_kids(thread)
    kid_set = set(kids)
    stored = _validated_previous(previous)
    known = set() if full_refresh else set(stored["id"].tolist())
    wanted = [kid for kid in kids if kid not in known]

    batch = client.items(wanted)
    rows = [
        raw_post_row(item, thread_id, item_id)
        for item_id, item in batch.items.items()
        if item is not None
    ]
    fetched = _raw_frame(rows)
    missing = sum(1 for item in batch.items.values() if item is None)
    removed = int((~stored["id"].isin(kid_set)).sum())
    frame = _merge(stored, fetched, keep_ids=kid_set)
    stats = IngestStats(
        new=len(fetched),
        total=len(frame),
        deleted=int((frame["deleted"] | frame["dead"]).sum()),
        requests=client.requests_made - requests_before,
        seconds=time.perf_counter() - started,
        missing=missing,
        removed=removed,
        unfetched=dict(sorted(batch.failed.items())),
        invalid_kids=invalid_kids,
    )
    return frame, stats


def alive_posts(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows of posts that are neither deleted nor dead: what a reader of the thread sees."""
    return raw[~raw["deleted"].astype(bool) & ~raw["dead"].astype(bool)]


def empty_clean_frame() -> pd.DataFrame:
    return _typed(pd.DataFrame({c: [] for c in CLEAN_POST_COLUMNS}), _CLEAN_DTYPES)


@dataclass
class CleanResult:
    """A month's clean posts, and the alive posts that are not among them, with why."""

    posts: pd.DataFrame
    quarantined: list[QuarantinedPost] = field(default_factory=list)
    truncated: list[int] = field(default_factory=list)  # ids whose HTML was cut to the cap


def clean_post_row(post: Any, month: str, thread_id: int) -> tuple[dict, bool]:
    """One alive raw post as a clean_posts row, and whether its HTML was cut to the size cap."""
    cleaned = clean_html(post.text or "")
    header = parse_post_header(cleaned.text)
    row = {
        "id": int(post.id),
        "thread_id": int(thread_id),
        "month": month,
        "by": post.by,
        "time": int(post.time),
        "text": cleaned.text,
        "company": header.company,
        "roles": header.roles,
        "role_families": header.role_families,
        "seniority": header.seniority,
        "locations": header.locations,
        "location_cities": header.location_cities,
        "location_countries": header.location_countries,
        "remote_regions": header.remote_regions,
        "remote": header.remote,
        "onsite": header.onsite,
        "hybrid": header.hybrid,
        "salary_min": header.salary_min,
        "salary_max": header.salary_max,
        "salary_currency": header.salary_currency,
        "salary_period": header.salary_period,
        "salary_yearly_min": header.salary_yearly_min,
        "salary_yearly_max": header.salary_yearly_max,
        "equity": header.equity,
        "visa": header.visa,
        "employment_types": header.employment_types,
        "technologies": header.technologies,
        "urls": header.urls,
        "emails": header.emails,
        "hn_url": item_url(int(post.id)),
        # A new posting until the month is compared with earlier ones (hn_assets.market.reposts).
        "first_seen_month": month,
        "reposted_from": None,
        "months_posted": 1,
        "repost": False,
    }
    return row, cleaned.truncated


def clean_posts_frame(raw: pd.DataFrame, month: str, thread_id: int) -> CleanResult:
    """The ``clean_posts`` contract: alive posts, plain text, parsed header; each post on its
    own, so one that cannot be cleaned is quarantined instead of failing the month."""
    done, quarantined = isolate(
        alive_posts(raw).sort_values("id").itertuples(index=False),
        lambda post: clean_post_row(post, month, thread_id),
        stage="clean",
        id_of=lambda post: post.id,
    )
    truncated = [row["id"] for row, was_cut in done if was_cut]
    if not done:
        return CleanResult(empty_clean_frame(), quarantined, truncated)
    frame = pd.DataFrame([row for row, _ in done], columns=CLEAN_POST_COLUMNS)
    return CleanResult(_typed(frame, _CLEAN_DTYPES), quarantined, truncated)
