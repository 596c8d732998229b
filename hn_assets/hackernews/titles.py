"""Recognise the monthly threads that the HN user ``whoishiring`` posts.

Only titles that match one of the known phrasings *and* name a month and a year are
recognised; anything else returns ``None`` so that a one-off story is never mistaken for a
hiring thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class ThreadKind(StrEnum):
    HIRING = "hiring"
    WANTS_TO_BE_HIRED = "wants_to_be_hired"
    FREELANCER = "freelancer"


@dataclass(frozen=True)
class ThreadTitle:
    kind: ThreadKind
    month: str  # "YYYY-MM"


_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
# Three-letter abbreviations plus "sept", which has appeared in real titles.
_MONTH_ALIASES = {**_MONTHS, **{name[:3]: num for name, num in _MONTHS.items()}, "sept": 9}

_PREFIX = r"(?:ask\s+hn\s*:\s*)?"
_KIND_PATTERNS: tuple[tuple[ThreadKind, str], ...] = (
    (ThreadKind.HIRING, r"who(?:\s+is|'s|s)\s+hiring\s*\??"),
    (ThreadKind.WANTS_TO_BE_HIRED, r"who\s+wants\s+to\s+be\s+hired\s*\??"),
    (
        ThreadKind.FREELANCER,
        r"(?:freelancers?\s*\?\s*)?seeking\s+(?:a\s+)?freelancers?\s*\??",
    ),
)
_DATE = r"[\(\[]?\s*(?P<month>[a-z]+)\.?\s*,?\s+(?P<year>(?:19|20)\d\d)\s*[\)\]]?"

_TITLE_RES = tuple(
    (kind, re.compile(rf"^\s*{_PREFIX}{pattern}\s*[-–—:]?\s*{_DATE}\s*$", re.IGNORECASE))
    for kind, pattern in _KIND_PATTERNS
)


def _normalise(title: str) -> str:
    # Curly apostrophes and non-breaking spaces turn up in hand-edited titles.
    return title.replace("\u2019", "'").replace("\u00a0", " ").strip()


def parse_thread_title(title: str) -> ThreadTitle | None:
    """Kind and month of a whoishiring thread title, or ``None`` when it is not one.

    >>> parse_thread_title("Ask HN: Who is hiring? (November 2026)")
    ThreadTitle(kind=<ThreadKind.HIRING: 'hiring'>, month='2026-11')
    """
    text = _normalise(title)
    for kind, pattern in _TITLE_RES:
        match = pattern.match(text)
        if match is None:
            continue
        month_number = _MONTH_ALIASES.get(match["month"].lower())
        if month_number is None:
            return None
        return ThreadTitle(kind=kind, month=f"{int(match['year']):04d}-{month_number:02d}")
    return None
