"""Find the monthly threads among the submissions of the ``whoishiring`` user."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from hn_assets.hackernews.client import HackerNewsClient
from hn_assets.hackernews.sanitize import sanitize_text
from hn_assets.hackernews.titles import WHOISHIRING, ThreadKind, parse_thread_title

logger = logging.getLogger(__name__)

THREAD_COLUMNS = ["id", "kind", "month", "title", "time", "num_kids"]
_DTYPES = {
    "id": "int64",
    "kind": str,
    "month": str,
    "title": str,
    "time": "int64",
    "num_kids": "int64",
}
SKIPPED_COLUMNS = ["item_id", "reason", "title"]

#: ``SkippedSubmission.reason`` of a live story whose title is not a known thread phrasing.
UNRECOGNISED_TITLE = "unrecognised title"
# Logged titles and values are cut to this, so one hostile item cannot flood the log.
_SHOWN_CHARS = 120


@dataclass(frozen=True)
class SkippedSubmission:
    """A submission of the account that did not become a thread row, and why."""

    item_id: int | None  # None when the entry in ``submitted`` was not an item id at all
    reason: str
    title: str | None = None  # cut to a readable length


@dataclass(frozen=True)
class ThreadDiscovery:
    """The recognised threads (the ``hiring_threads`` frame) and the submissions skipped."""

    threads: pd.DataFrame
    skipped: tuple[SkippedSubmission, ...] = ()
    #: Submissions that could not be fetched after retries (id -> last error).
    unfetched: dict[int, str] = field(default_factory=dict)

    @property
    def unrecognised(self) -> tuple[SkippedSubmission, ...]:
        """Live stories of the account whose titles the parser does not know: a new phrasing
        (or a month name it does not read) shows up here before its month goes missing."""
        return tuple(entry for entry in self.skipped if entry.reason == UNRECOGNISED_TITLE)

    def skipped_frame(self) -> pd.DataFrame:
        """The skipped submissions as a table (item_id, reason, title) for asset metadata."""
        return pd.DataFrame(
            [(entry.item_id, entry.reason, entry.title) for entry in self.skipped],
            columns=SKIPPED_COLUMNS,
        )


def empty_threads_frame() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in _DTYPES.items()})


def _cut(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def _shown(value: object) -> str:
    # repr: quotes make an empty or whitespace-only value visible and escape control codes.
    return _cut(repr(value))


def _is_int(value: object) -> bool:
    """A usable id or Unix time: a non-negative int that fits the frame's int64 columns."""
    # bool is an int subclass, and True is no item id.
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def submitted_entries(user: object) -> list | None:
    """The user's ``submitted`` list, or None when the record is not shaped like a user."""
    if not isinstance(user, dict):
        return None
    submitted = user.get("submitted")
    if submitted is None:  # HN leaves the field out for a user who never submitted anything
        return []
    return submitted if isinstance(submitted, list) else None


# --- is this item a thread? ----------------------------------------------------------------


@dataclass(frozen=True)
class RecognisedThread:
    """A submission that is one of the monthly threads."""

    kind: ThreadKind
    month: str  # "YYYY-MM"
    title: str  # sanitised, as stored


@dataclass(frozen=True)
class NotAThread:
    """Why a submission is not a monthly thread, and how loudly to say so."""

    reason: str
    # The account posts deleted, dead and non-story items in the ordinary course (DEBUG);
    # anything malformed or a title nobody taught the parser deserves a look (WARNING).
    level: int = logging.WARNING
    title: str | None = None
    hint: str = ""


_TEACH_TITLES = (
    ". If it is a monthly thread, teach hn_assets/hackernews/titles.py its "
    "phrasing and re-materialize hiring_threads."
)


def recognise_thread(item_id: int, item: object) -> RecognisedThread | NotAThread:
    """Whether the item the API returned for submission ``item_id`` is a monthly thread,
    and which: a live story, not malformed, whose title names a kind and a month."""
    if item is None:
        return NotAThread("no such item (the API returned null)")
    if not isinstance(item, dict):
        return NotAThread(f"malformed: the item is a {type(item).__name__}, not an object")
    if item.get("deleted") or item.get("dead"):
        return NotAThread("deleted" if item.get("deleted") else "dead", logging.DEBUG)
    if item.get("type") != "story":
        return NotAThread(f"not a story (type {_shown(item.get('type'))})", logging.DEBUG)
    if "id" in item and item["id"] != item_id:
        return NotAThread(f"malformed: the item says id {_shown(item['id'])}")
    return _recognise_title(item.get("title"))


def _recognise_title(raw_title: object) -> RecognisedThread | NotAThread:
    if not isinstance(raw_title, str) or not raw_title.strip():
        return NotAThread(f"malformed: title {_shown(raw_title)}")
    # Stored as text: a lone surrogate from the API would make the frame unwritable.
    title = sanitize_text(raw_title)
    parsed = parse_thread_title(title)
    if parsed is None:
        return NotAThread(UNRECOGNISED_TITLE, title=title, hint=_TEACH_TITLES)
    return RecognisedThread(parsed.kind, parsed.month, title)


# --- discovery -----------------------------------------------------------------------------


@dataclass
class _SkipLog:
    """The submissions skipped so far; each is logged as it is added."""

    username: str
    entries: list[SkippedSubmission] = field(default_factory=list)

    def add(
        self,
        item_id: int | None,
        reason: str,
        title: str | None = None,
        level: int = logging.WARNING,
        hint: str = "",
    ) -> None:
        self.entries.append(
            SkippedSubmission(item_id, reason, None if title is None else _cut(title))
        )
        logger.log(
            level,
            "skipped submission %s of %r: %s%s%s",
            item_id if item_id is not None else "(no id)",
            self.username,
            reason,
            "" if title is None else f", title {_shown(title)}",
            hint,
        )


def _submissions(client: HackerNewsClient, username: str, limit: int | None) -> list:
    """The user's newest ``limit`` submission entries, as the API listed them."""
    user = client.user(username)
    if user is None:
        raise ValueError(
            f"Hacker News has no user {username!r}; the monthly threads are posted by "
            f"{WHOISHIRING!r}. Check the username and HN_API_URL."
        )
    submitted = submitted_entries(user)
    if submitted is None:
        # An empty result here would replace the stored thread list, so refuse instead.
        raise ValueError(
            f"the HN API's record of user {username!r} is not an object with a list of item "
            f"ids under 'submitted' (got {_shown(user)}); check that HN_API_URL points at the "
            "HN API, then re-run."
        )
    return submitted if limit is None else submitted[: max(0, limit)]


def submitted_item_ids(user: object) -> list[int]:
    """The item ids a user record lists under ``submitted``, each once; nothing for a record
    that is not shaped like a user."""
    return list(dict.fromkeys(entry for entry in submitted_entries(user) or [] if _is_int(entry)))


def _item_ids(submitted: list, skips: _SkipLog) -> list[int]:
    """The entries that are item ids, each once, in the order listed."""
    ids: list[int] = []
    for entry in submitted:
        if _is_int(entry):
            ids.append(entry)
        else:
            skips.add(None, f"malformed: {_shown(entry)} is not an item id")
    return list(dict.fromkeys(ids))


def _thread_row(item_id: int, item: dict, thread: RecognisedThread, username: str) -> dict:
    time = item.get("time")
    if not _is_int(time):
        logger.warning(
            "thread %s of %r has time %s, not a Unix time; kept with time 0",
            item_id,
            username,
            _shown(time),
        )
    kids = item.get("kids")
    return {
        "id": item_id,
        "kind": thread.kind.value,
        "month": thread.month,
        "title": thread.title,
        # A bad time only misorders the row and bad kids only lose the tie-break in
        # _keep_best; neither is a reason to drop a real thread.
        "time": time if _is_int(time) else 0,
        "num_kids": len(kids) if isinstance(kids, list) else 0,
    }


def _keep_best(best: dict[tuple[str, str], dict], row: dict, skips: _SkipLog) -> None:
    """Keep one thread per month and kind: the one with more replies."""
    key = (row["month"], row["kind"])
    kept = best.get(key)
    if kept is None:
        best[key] = row
        return
    # On a tie the first seen stays: HN lists submissions newest first.
    winner, loser = (row, kept) if row["num_kids"] > kept["num_kids"] else (kept, row)
    best[key] = winner
    reason = (
        f"duplicate: thread {winner['id']} is the {loser['kind']} thread of "
        f"{loser['month']}, with more replies"
    )
    skips.add(loser["id"], reason, loser["title"], logging.INFO)


def _threads_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return empty_threads_frame()
    frame = pd.DataFrame(rows, columns=THREAD_COLUMNS)
    return frame.sort_values(["month", "time", "id"], ignore_index=True).astype(_DTYPES)


def find_threads(
    client: HackerNewsClient, username: str = WHOISHIRING, limit: int | None = None
) -> ThreadDiscovery:
    """:func:`discover_threads`, plus every submission it skipped and why.

    Each unrecognised title, and each malformed entry or item, is logged at WARNING with its
    item id; deleted, dead and non-story submissions at DEBUG, as the account has those in
    the ordinary course. All of them are listed in ``skipped``.
    """
    submitted = _submissions(client, username, limit)
    skips = _SkipLog(username)
    ids = _item_ids(submitted, skips)

    batch = client.items(ids)
    for item_id, error in sorted(batch.failed.items()):
        # One submission that does not answer must not hide every other month's thread: the
        # caller keeps what it knew of this one (see ThreadDiscovery.unfetched).
        logger.warning("could not fetch submission %s of %r: %s", item_id, username, error)

    best: dict[tuple[str, str], dict] = {}
    for item_id in ids:
        if item_id in batch.failed:  # not an answer about the item: kept as unfetched only
            continue
        item = batch.items.get(item_id)
        thread = recognise_thread(item_id, item)
        if isinstance(thread, NotAThread):
            skips.add(item_id, thread.reason, thread.title, thread.level, thread.hint)
        else:
            _keep_best(best, _thread_row(item_id, item, thread, username), skips)
    return ThreadDiscovery(
        _threads_frame(list(best.values())), tuple(skips.entries), dict(batch.failed)
    )


def discover_threads(
    client: HackerNewsClient, username: str = WHOISHIRING, limit: int | None = None
) -> pd.DataFrame:
    """One row per recognised thread (id, kind, month, title, time, num_kids), oldest first.

    ``limit`` inspects only the user's newest ``limit`` submissions (HN lists them newest
    first), which is all a periodic refresh needs.  Comments, dead or deleted stories and
    titles that are not a known thread phrasing are skipped (and logged; :func:`find_threads`
    also returns them).  If the account somehow posted two threads of one kind for one month,
    the one with more replies is kept.
    """
    return find_threads(client, username, limit).threads
