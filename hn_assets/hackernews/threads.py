"""Find the monthly threads among the submissions of the ``whoishiring`` user."""

from __future__ import annotations

import pandas as pd

from hn_assets.hackernews.client import FetchError, HackerNewsClient
from hn_assets.hackernews.titles import parse_thread_title

THREAD_COLUMNS = ["id", "kind", "month", "title", "time", "num_kids"]
_DTYPES = {
    "id": "int64",
    "kind": str,
    "month": str,
    "title": str,
    "time": "int64",
    "num_kids": "int64",
}


def empty_threads_frame() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in _DTYPES.items()})


def discover_threads(
    client: HackerNewsClient, username: str = "whoishiring", limit: int | None = None
) -> pd.DataFrame:
    """One row per recognised thread (id, kind, month, title, time, num_kids), oldest first.

    ``limit`` inspects only the user's newest ``limit`` submissions (HN lists them newest
    first), which is all a periodic refresh needs.  Comments, dead or deleted stories and
    titles that are not a known thread phrasing are skipped.  If the account somehow posted
    two threads of one kind for one month, the one with more replies is kept.
    """
    user = client.user(username)
    if user is None:
        raise ValueError(
            f"Hacker News has no user {username!r}; the monthly threads are posted by "
            "'whoishiring'. Check the username and HN_API_URL."
        )
    submitted = list(user.get("submitted") or [])
    if limit is not None:
        submitted = submitted[: max(0, limit)]
    batch = client.items(submitted)
    if batch.failed:
        raise FetchError(batch.failed, batch.failed, what=f"submission(s) of {username!r}")

    best: dict[tuple[str, str], dict] = {}
    for item in batch.items.values():
        if not item or item.get("type") != "story" or item.get("deleted") or item.get("dead"):
            continue
        parsed = parse_thread_title(item.get("title") or "")
        if parsed is None:
            continue
        row = {
            "id": int(item["id"]),
            "kind": parsed.kind.value,
            "month": parsed.month,
            "title": item["title"],
            "time": int(item.get("time") or 0),
            "num_kids": len(item.get("kids") or []),
        }
        key = (row["month"], row["kind"])
        if key not in best or row["num_kids"] > best[key]["num_kids"]:
            best[key] = row
    if not best:
        return empty_threads_frame()
    frame = pd.DataFrame(list(best.values()), columns=THREAD_COLUMNS)
    frame = frame.sort_values(["month", "time", "id"], ignore_index=True)
    return frame.astype(_DTYPES)
