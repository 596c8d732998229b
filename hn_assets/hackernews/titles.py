"""Recognise the monthly threads that the HN user ``whoishiring`` posts.

Only titles that match one of the known phrasings *and* name a month and a year are
recognised; anything else returns ``None`` so that a one-off story is never mistaken for a
hiring thread. Months are English month names, in full or abbreviated ("Sep", "Sept"), as
the account has always written them. Other languages are not guessed at: month names collide
across languages ("listopad" is November in Polish and October in Croatian), and an unusual
title is worth a person's look, which :mod:`hn_assets.hackernews.threads` asks for by logging
every whoishiring title it does not recognise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

#: The HN account that posts the monthly threads.
WHOISHIRING = "whoishiring"


class ThreadKind(StrEnum):
    HIRING = "hiring"
    WANTS_TO_BE_HIRED = "wants_to_be_hired"
    FREELANCER = "freelancer"


@dataclass(frozen=True)
class ThreadTitle:
    kind: ThreadKind
    month: str  # "YYYY-MM"


#: HN cuts titles at 80 characters; anything much longer is not a thread title, and the
#: bound keeps the regular expressions' work small on hostile input.
MAX_TITLE_CHARS = 200

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

_PREFIX = r"(?:ask hn ?: ?)?"
_KIND_PATTERNS: tuple[tuple[ThreadKind, str], ...] = (
    (ThreadKind.HIRING, r"who(?: is|'s|s) hiring ?\??"),
    (ThreadKind.WANTS_TO_BE_HIRED, r"who wants to be hired ?\??"),
    (ThreadKind.FREELANCER, r"(?:freelancers? ?\? ?)?seeking (?:a )?freelancers? ?\??"),
)
_DATE = r"[\(\[]? ?(?P<month>[a-z]+)\.? ?,? (?P<year>(?:19|20)[0-9][0-9]) ?[\)\]]?"

# Titles are normalised to single spaces first, so " ?" is enough between tokens and no two
# unbounded whitespace runs sit next to each other (which backtracks badly on long input).
_TITLE_RES = tuple(
    (kind, re.compile(rf"{_PREFIX}{pattern} ?[-:]? ?{_DATE}", re.ASCII))
    for kind, pattern in _KIND_PATTERNS
)
# Typographic apostrophes and dashes that hand-edited titles carry; NFKC does not fold them.
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2013": "-", "\u2014": "-"})


def _normalise(title: str) -> str:
    # NFKC folds full-width letters, digits and brackets and the odd Unicode space.
    text = unicodedata.normalize("NFKC", title).translate(_FOLD).casefold()
    return " ".join(text.split())


def parse_thread_title(title: object) -> ThreadTitle | None:
    """Kind and month of a whoishiring thread title, or ``None`` when it is not one.

    Never raises: anything that is not a ``str``, or is far longer than an HN title, is not
    a thread title.

    >>> parse_thread_title("Ask HN: Who is hiring? (November 2026)")
    ThreadTitle(kind=<ThreadKind.HIRING: 'hiring'>, month='2026-11')
    """
    if not isinstance(title, str) or len(title) > MAX_TITLE_CHARS:
        return None
    text = _normalise(title)
    for kind, pattern in _TITLE_RES:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        month_number = _MONTH_ALIASES.get(match["month"])
        if month_number is None:
            return None
        return ThreadTitle(kind=kind, month=f"{int(match['year']):04d}-{month_number:02d}")
    return None
