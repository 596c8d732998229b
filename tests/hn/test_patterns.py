"""The quick-scan patterns: each first-character class holds every character its pattern can
start with, so the look-ahead in front never drops a match."""

from __future__ import annotations

import re
from functools import cache

# The parser is what re itself compiles with; reading its tree is the only way to know which
# characters a pattern can start with.
from re import _constants as sre
from re import _parser as sre_parse

import pytest

# Importing the modules builds their patterns.
from hn_assets.hackernews import headers, places, roles  # noqa: F401
from hn_assets.hackernews.patterns import BUILT, StartingWith

# Every character a post is likely to hold, and the odd ones case folding maps to ASCII.
ALPHABET = "".join(chr(code) for code in range(0x2100)) + "\u2028\u2029\u202f\u205f\u3000\u212a"
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}


@cache
def _matching(item: str, flags: int) -> frozenset[str]:
    return frozenset(c for c in ALPHABET if re.fullmatch(item, c, flags))


def _one_character(op: object, av: object, flags: int, state: sre_parse.State) -> frozenset[str]:
    """The characters one single-character item of a parsed pattern matches."""
    if op is sre.ANY:
        return frozenset(ALPHABET)
    if op is sre.LITERAL:
        return _matching(re.escape(chr(av)), flags)  # type: ignore[arg-type]
    if op is sre.NOT_LITERAL:
        return _matching(f"[^{re.escape(chr(av))}]", flags)  # type: ignore[arg-type]
    # A class: compile the item alone by putting it in a pattern of its own.
    alone = sre_parse.SubPattern(state, [(op, av)])
    compiled = re._compiler.compile(alone, flags)  # type: ignore[attr-defined]
    return frozenset(c for c in ALPHABET if compiled.fullmatch(c))


def first_characters(items: sre_parse.SubPattern, flags: int) -> tuple[frozenset[str], bool]:
    """(the characters a match of ``items`` can start with, whether it can match nothing)."""
    found: set[str] = set()
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        if op is sre.SUBPATTERN:
            _, add, remove, body = av
            chars, empty = first_characters(body, (flags | add) & ~remove)
        elif op is sre.ATOMIC_GROUP:
            chars, empty = first_characters(av, flags)
        elif op is sre.BRANCH:
            readings = [first_characters(branch, flags) for branch in av[1]]
            chars = frozenset().union(*(chars for chars, _ in readings))
            empty = any(empty for _, empty in readings)
        elif op in _REPEATS:
            low, _, body = av
            chars, empty = first_characters(body, flags)
            empty = empty or low == 0
        elif op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN, sre.CATEGORY):
            chars, empty = _one_character(op, av, flags, items.state), False
        else:  # a back reference or anything else: assume it can start anywhere
            chars, empty = frozenset(ALPHABET), False
        found |= chars
        if not empty:
            return frozenset(found), False
    return frozenset(found), True


def _checked(built: StartingWith) -> tuple[frozenset[str], frozenset[str], bool]:
    parsed = sre_parse.parse(built.source, built.flags)
    starts, empty = first_characters(parsed, parsed.state.flags)
    allowed = _matching(f"[{built.first}]", built.flags)
    return starts, allowed, empty


def _built(first: str, source: str, flags: int = 0) -> StartingWith:
    return StartingWith(first, source, flags, re.compile(source, flags))


@pytest.mark.parametrize("built", BUILT, ids=lambda b: b.source[:40])
def test_every_pattern_starts_only_where_its_class_says(built: StartingWith) -> None:
    starts, allowed, empty = _checked(built)
    assert not empty, "a pattern that can match nothing matches anywhere: no class holds it"
    assert starts <= allowed, f"can also start with {sorted(starts - allowed)[:20]}"


def test_the_check_finds_a_class_that_misses_an_alternative() -> None:
    # "are not able to sponsor" starts with "a": a class without it would drop the match.
    source = r"\bno\s+sponsorship\b|\b(?:are|is)\s+not\s+able\s+to\s+sponsor\b"
    starts, allowed, _ = _checked(_built("n", source, re.IGNORECASE))
    assert {"a", "A", "i", "I"} <= starts - allowed
    starts, allowed, _ = _checked(_built("nai", source, re.IGNORECASE))
    assert starts <= allowed


def test_the_check_follows_optional_parts_and_look_behinds() -> None:
    starts, _, empty = _checked(_built("x", r"(?:(?<!\s)\s+)?[|/]\s*"))
    assert not empty
    assert {" ", "\t", "\u3000", "|", "/"} <= starts
    assert "a" not in starts
    _, _, empty = _checked(_built("x", r"\s*"))
    assert empty


def test_matches_are_those_of_the_plain_pattern() -> None:
    text = "Visa: no. We are not able to sponsor visas; full-time | REMOTE / Berlin - 2 roles"
    for built in BUILT:
        plain = re.compile(built.source, built.flags)
        quick = [m.span() for m in built.pattern.finditer(text)]
        assert quick == [m.span() for m in plain.finditer(text)]
