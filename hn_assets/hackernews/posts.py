"""Fetch the top-level posts of a hiring thread incrementally, and clean them.

``fetch_thread_posts`` asks the API for the thread, then only for kid ids that are not
already stored, so the cost of a refresh grows with what is new.  When some items cannot be
fetched it raises :class:`FetchError` whose ``partial`` frame holds everything that is known
(previous rows plus the newly fetched ones): the caller stores that first, and the next run
fetches only what is still missing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd

from hn_assets.hackernews.cleaning import html_to_text
from hn_assets.hackernews.client import FetchError, HackerNewsClient
from hn_assets.hackernews.headers import parse_post_header

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

CLEAN_POST_COLUMNS = [
    "id",
    "thread_id",
    "month",
    "by",
    "time",
    "text",
    "company",
    "roles",
    "locations",
    "remote",
    "onsite",
    "hybrid",
    "salary_min",
    "salary_max",
    "salary_currency",
    "visa",
    "employment_types",
    "urls",
    "emails",
    "hn_url",
]
_CLEAN_DTYPES = {
    "id": "int64",
    "thread_id": "int64",
    "month": object,
    "by": object,
    "time": "int64",
    "text": object,
    "company": object,
    "roles": object,
    "locations": object,
    "remote": "bool",
    "onsite": "bool",
    "hybrid": "bool",
    "salary_min": "float64",
    "salary_max": "float64",
    "salary_currency": object,
    "visa": object,
    "employment_types": object,
    "urls": object,
    "emails": object,
    "hn_url": object,
}
HN_ITEM_URL = "https://news.ycombinator.com/item?id={}"


@dataclass
class IngestStats:
    new: int  # rows fetched in this run
    total: int  # rows in the returned frame
    deleted: int  # rows of deleted or dead items in the returned frame
    requests: int  # API requests made, retries included
    seconds: float
    missing: int = 0  # kid ids the API answered with null (not yet visible; retried next run)
    removed: int = 0  # stored rows dropped because the thread no longer lists them


def _typed(frame: pd.DataFrame, dtypes: dict[str, object]) -> pd.DataFrame:
    return frame.astype(dtypes)[list(dtypes)]


def empty_raw_frame() -> pd.DataFrame:
    return _typed(pd.DataFrame({c: [] for c in RAW_POST_COLUMNS}), _RAW_DTYPES)


def raw_post_row(item: dict, thread_id: int) -> dict:
    """One raw row from an item's JSON. Deleted items carry neither author nor text."""
    deleted = bool(item.get("deleted", False))
    return {
        "id": int(item["id"]),
        "by": None if deleted else item.get("by"),
        "time": int(item.get("time") or 0),
        "text": "" if deleted else (item.get("text") or ""),
        "deleted": deleted,
        "dead": bool(item.get("dead", False)),
        # A kid of the thread is a post of the thread even when the API omits "parent".
        "parent": int(item.get("parent") or thread_id),
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
    fetch fails).  Kids the API answers with ``null`` are left out and retried next time.
    Raises FetchError, with ``partial`` set, when some kids could not be fetched.
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
    kids = [int(kid) for kid in thread.get("kids") or []]
    kid_set = set(kids)
    stored = _validated_previous(previous)
    known = set() if full_refresh else set(stored["id"].tolist())
    wanted = [kid for kid in kids if kid not in known]

    batch = client.items(wanted)
    rows = [raw_post_row(item, thread_id) for item in batch.items.values() if item is not None]
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
    )
    if batch.failed:
        raise FetchError(
            batch.failed, batch.failed, what=f"post(s) of thread {thread_id}", partial=frame
        )
    return frame, stats


def alive_posts(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows of posts that are neither deleted nor dead: what a reader of the thread sees."""
    return raw[~raw["deleted"].astype(bool) & ~raw["dead"].astype(bool)]


def empty_clean_frame() -> pd.DataFrame:
    return _typed(pd.DataFrame({c: [] for c in CLEAN_POST_COLUMNS}), _CLEAN_DTYPES)


def clean_posts_frame(raw: pd.DataFrame, month: str, thread_id: int) -> pd.DataFrame:
    """The ``clean_posts`` contract (see TEAM notes): alive posts, plain text, parsed header."""
    rows = []
    for post in alive_posts(raw).sort_values("id").itertuples(index=False):
        text = html_to_text(post.text or "")
        header = parse_post_header(text)
        rows.append(
            {
                "id": int(post.id),
                "thread_id": int(thread_id),
                "month": month,
                "by": post.by,
                "time": int(post.time),
                "text": text,
                "company": header.company,
                "roles": header.roles,
                "locations": header.locations,
                "remote": header.remote,
                "onsite": header.onsite,
                "hybrid": header.hybrid,
                "salary_min": header.salary_min,
                "salary_max": header.salary_max,
                "salary_currency": header.salary_currency,
                "visa": header.visa,
                "employment_types": header.employment_types,
                "urls": header.urls,
                "emails": header.emails,
                "hn_url": HN_ITEM_URL.format(int(post.id)),
            }
        )
    if not rows:
        return empty_clean_frame()
    frame = pd.DataFrame(rows, columns=CLEAN_POST_COLUMNS)
    frame[["salary_min", "salary_max"]] = frame[["salary_min", "salary_max"]].astype("float64")
    return _typed(frame, _CLEAN_DTYPES)
