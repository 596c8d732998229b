"""Regular expressions that a long post is scanned with, built so that the scan is quick."""

from __future__ import annotations

import re
from typing import NamedTuple


class StartingWith(NamedTuple):
    first: str
    source: str
    flags: int
    pattern: re.Pattern[str]


#: Every pattern :func:`starting_with` built, as it was asked for: a test checks that each
#: source can only start with a character of its class.
BUILT: list[StartingWith] = []


def starting_with(first: str, source: str, flags: int = 0) -> re.Pattern[str]:
    """``source`` compiled so that a scan tries it only where a character of the class
    ``first`` stands (written as between brackets: ``r"\\s|/"``; with ``re.IGNORECASE`` a
    letter stands for both cases): every match of ``source`` must start with one of them.

    A pattern that opens with ``\\b``, a look-behind or an optional part makes the engine try
    each of its alternatives at every position of the text; a one-character look-ahead in
    front turns most positions away at once, which makes a search of a post several times
    quicker.  The matches are the same (the look-ahead consumes nothing)."""
    pattern = re.compile(f"(?=[{first}])(?:{source})", flags)
    BUILT.append(StartingWith(first, source, flags, pattern))
    return pattern
