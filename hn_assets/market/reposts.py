"""Reposts: which posts of a month repeat a posting of an earlier month.

Companies post the same job month after month, often edited a little: a new salary, a
shorter text, a title changed. A post is a **repost** of an earlier post when

* both come from the same company (the same :func:`company_key`), or from the same HN user
  when either company is unknown; a recruiter's template reused for another company is not a
  repost of it;
* they were posted in different months (two posts of one month are two postings); and
* their texts are near-duplicates: the share of the shorter text's word shingles (runs of
  :data:`SHINGLE_WORDS` words) that the longer text also has is at least
  :data:`REPOST_SIMILARITY`. The overlap is taken relative to the shorter text so that a
  shortened or lengthened repost still counts; a one-line post has too few shingles to be
  told apart from another one-liner, so short texts must match exactly.

For each post this gives ``reposted_from`` (the nearest earlier near-duplicate: latest month,
then the most similar, then the highest id), ``first_seen_month`` (the earliest month with a
near-duplicate, else the post's own) and ``months_posted`` (the distinct months with a
near-duplicate, plus its own). These depend only on the texts of earlier months, never on the
order months were processed in: each month's :class:`Fingerprints` are computed from its own
posts alone, and every post is compared directly with every earlier candidate.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from upath import UPath

from hn_assets.hackernews.posts import clean_posts_frame
from hn_assets.storage import ParquetStore

#: Words per shingle: three keep word order without letting one edited word hide a sentence.
SHINGLE_WORDS = 3
#: The share of the shorter post's shingles the other one must hold to be the same posting.
REPOST_SIMILARITY = 0.6
#: Texts with fewer shingles than this match only when their shingles are all the same.
MIN_SHINGLES = 8

#: The columns of a month's fingerprints, as stored beside clean_posts.
FINGERPRINT_COLUMNS = ["id", "month", "company_key", "by", "shingles"]
#: The repost columns of clean_posts (their meaning is in the post schema).
REPOST_COLUMNS = ["first_seen_month", "reposted_from", "months_posted", "repost"]

_WEB_SUFFIX = re.compile(r"\.(?:com|ai|io|co|dev|org|net|app|so|xyz|tech|health|pub)\b")
_GENERIC_WORDS = re.compile(
    r"\b(?:inc|llc|ltd|limited|gmbh|corp|corporation|co|company|plc|sa|ag|bv|pty|labs?|"
    r"technologies|technology|tech|the|ai|io|hq|group|software|systems|studios?|apps?)\b"
)
_WORD = re.compile(r"\w+")


def company_key(name: str | None) -> str:
    """A company name without case, accents, punctuation, a web suffix, words in parentheses
    or legal and generic words: "Acme, Inc." and "ACME (acme.io)" are both "acme"."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = _WEB_SUFFIX.sub(" ", text)
    text = re.sub(r"\(.*?\)", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(_GENERIC_WORDS.sub(" ", text).split())


def shingles(text: str) -> np.ndarray:
    """The text's word shingles as sorted unique uint32 hashes (CRC-32: the same in every
    process, so fingerprints can be stored)."""
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        grams = [" ".join(words)] if words else []
    else:
        grams = [
            " ".join(words[start : start + SHINGLE_WORDS])
            for start in range(len(words) - SHINGLE_WORDS + 1)
        ]
    hashes = {zlib.crc32(gram.encode()) for gram in grams}
    return np.fromiter(sorted(hashes), dtype=np.uint32, count=len(hashes))


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The share of the smaller shingle set found in the other (0 when either is empty);
    short texts count only when identical."""
    smaller = min(len(a), len(b))
    if smaller == 0:
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    if smaller < MIN_SHINGLES:
        return 1.0 if common == len(a) == len(b) else 0.0
    return common / smaller


@dataclass(frozen=True)
class Fingerprint:
    id: int
    month: str
    company_key: str
    by: str
    shingles: np.ndarray


def fingerprints(posts: pd.DataFrame) -> pd.DataFrame:
    """A month's posts (columns id, month, company, by, text) as fingerprints: what later
    months compare themselves with. Shingles are stored as bytes of uint32."""
    rows = [
        {
            "id": int(post.id),
            "month": str(post.month),
            "company_key": company_key(post.company if isinstance(post.company, str) else None),
            "by": post.by if isinstance(post.by, str) else "",
            "shingles": shingles(post.text or "").tobytes(),
        }
        for post in posts.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=FINGERPRINT_COLUMNS).astype(
        {"id": "int64", "month": object, "company_key": object, "by": object}
    )


def _as_fingerprints(frame: pd.DataFrame) -> Iterable[Fingerprint]:
    for row in frame.itertuples(index=False):
        yield Fingerprint(
            int(row.id),
            str(row.month),
            str(row.company_key),
            str(row.by),
            np.frombuffer(row.shingles, dtype=np.uint32),
        )


@dataclass(frozen=True)
class MonthPrints:
    """One month's fingerprints, grouped by company and by author for lookups."""

    month: str
    by_company: dict[str, list[Fingerprint]]
    by_author: dict[str, list[Fingerprint]]

    @classmethod
    def of(cls, month: str, prints: Iterable[Fingerprint]) -> MonthPrints:
        by_company: dict[str, list[Fingerprint]] = defaultdict(list)
        by_author: dict[str, list[Fingerprint]] = defaultdict(list)
        for print_ in prints:
            if print_.company_key:
                by_company[print_.company_key].append(print_)
            if print_.by:
                by_author[print_.by].append(print_)
        return cls(month, dict(by_company), dict(by_author))


def month_prints(frame: pd.DataFrame) -> list[MonthPrints]:
    """:func:`fingerprints` rows grouped by month."""
    grouped: dict[str, list[Fingerprint]] = defaultdict(list)
    for print_ in _as_fingerprints(frame):
        grouped[print_.month].append(print_)
    return [MonthPrints.of(month, prints) for month, prints in sorted(grouped.items())]


class RepostHistory:
    """The fingerprints of earlier months, looked up by company and by author."""

    def __init__(self, months: Iterable[pd.DataFrame] = ()) -> None:
        self._months: dict[str, MonthPrints] = {}
        for frame in months:
            self.add(frame)

    @property
    def months(self) -> set[str]:
        return set(self._months)

    def add(self, frame: pd.DataFrame) -> None:
        """Adds :func:`fingerprints` (of one month or several)."""
        for grouped in month_prints(frame):
            self.add_month(grouped)

    def add_month(self, grouped: MonthPrints) -> None:
        self._months[grouped.month] = grouped

    def candidates(self, post: Fingerprint) -> list[Fingerprint]:
        """Earlier posts that may be the same posting: same company, or same author where
        either company is unknown (or both are the same)."""
        found: dict[int, Fingerprint] = {}
        for month, grouped in self._months.items():
            if month >= post.month:
                continue
            if post.company_key:
                for other in grouped.by_company.get(post.company_key, ()):
                    found[other.id] = other
            if post.by:
                for other in grouped.by_author.get(post.by, ()):
                    if not post.company_key or not other.company_key:
                        found[other.id] = other
        return list(found.values())

    def reposts(self, month_prints: pd.DataFrame) -> pd.DataFrame:
        """The repost columns (:data:`REPOST_COLUMNS`) for a month's fingerprints, indexed by
        post id."""
        rows = []
        for post in _as_fingerprints(month_prints):
            matches = [
                (other.month, score, other.id)
                for other in self.candidates(post)
                if (score := similarity(post.shingles, other.shingles)) >= REPOST_SIMILARITY
            ]
            if matches:
                nearest = max(matches)
                months = {month for month, _, _ in matches}
                rows.append((post.id, min(months), nearest[2], len(months) + 1, True))
            else:
                rows.append((post.id, post.month, None, 1, False))
        frame = pd.DataFrame(rows, columns=["id", *REPOST_COLUMNS]).set_index("id")
        return frame.astype({"reposted_from": "Int64", "months_posted": "int64", "repost": bool})


def with_reposts(posts: pd.DataFrame, history: RepostHistory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``posts`` (a month of clean posts) with its repost columns filled from ``history``, and
    the month's fingerprints for the months after it."""
    prints = fingerprints(posts)
    found = history.reposts(prints)
    filled = posts.copy()
    for column in REPOST_COLUMNS:
        filled[column] = found[column].reindex(posts["id"].to_numpy()).to_numpy()
    return filled.astype({column: posts[column].dtype for column in REPOST_COLUMNS}), prints


#: Where each month's fingerprints are stored, beside its clean posts.
FINGERPRINTS_TABLE = "repost_fingerprints"
CLEAN_POSTS_TABLE = "clean_posts"
RAW_POSTS_TABLE = "raw_posts"


@dataclass
class EarlierMonths:
    """What a month was compared with: the history, and the earlier months not fetched yet
    (their posts could not be looked at; cleaning this month again later will)."""

    history: RepostHistory
    not_cleaned: list[str]


class FingerprintStore:
    """Each month's fingerprints, stored beside its clean posts. They are a cache of what
    clean_posts holds: a month stored before fingerprints existed gets them from its clean
    posts on first use, and a month fetched but not cleaned yet from its raw posts. Reads are remembered per file version, so a process that cleans many
    months reads each earlier month once."""

    def __init__(self, store: ParquetStore) -> None:
        self.store = store

    def write(self, month: str, prints: pd.DataFrame) -> None:
        self.store.write(FINGERPRINTS_TABLE, prints, month)

    def read(self, month: str) -> pd.DataFrame | None:
        path = self.store.path(FINGERPRINTS_TABLE, month)
        if path.exists():
            return self.store.read(FINGERPRINTS_TABLE, month)
        clean = self.store.read_or_none(CLEAN_POSTS_TABLE, month)
        if clean is None:
            clean = self._cleaned_from_raw(month)
        if clean is None:
            return None
        prints = fingerprints(clean)
        self.write(month, prints)
        return prints

    def _cleaned_from_raw(self, month: str) -> pd.DataFrame | None:
        """A month fetched but not cleaned yet (runs of several months at once), cleaned here
        as clean_posts will clean it: the same posts, so the same fingerprints."""
        raw = self.store.read_or_none(RAW_POSTS_TABLE, month)
        if raw is None:
            return None
        thread_id = int(raw["parent"].mode().iloc[0]) if len(raw) else 0
        return clean_posts_frame(raw, month, thread_id).posts

    def read_month(self, month: str) -> MonthPrints | None:
        """The month's fingerprints, grouped; remembered per version of the stored file."""
        path = self.store.path(FINGERPRINTS_TABLE, month)
        if not path.exists() and self.read(month) is None:
            return None
        info = path.stat()
        return _month_prints_version(str(path), month, float(info.st_mtime), int(info.st_size))

    def earlier_months(self, month: str, months: Iterable[str]) -> EarlierMonths:
        """The fingerprints of every month of ``months`` before ``month``."""
        history = RepostHistory()
        not_cleaned = []
        for earlier in sorted(m for m in set(months) if m < month):
            grouped = self.read_month(earlier)
            if grouped is None:
                not_cleaned.append(earlier)
            else:
                history.add_month(grouped)
        return EarlierMonths(history, not_cleaned)


@functools.lru_cache(maxsize=512)
def _month_prints_version(path: str, month: str, mtime: float, size: int) -> MonthPrints:
    """One version of a month's fingerprints file, grouped (shared: never changed)."""
    with UPath(path).open("rb") as fh:
        frame = pd.read_parquet(io.BytesIO(fh.read()))
    grouped = month_prints(frame)
    return grouped[0] if grouped else MonthPrints(month, {}, {})


def repost_share(posts: pd.DataFrame) -> float:
    """The share of a month's posts that are reposts (0 for no posts)."""
    return float(posts["repost"].mean()) if len(posts) else 0.0
