"""Text analysis shared by every backend and by the in-Python reference matcher.

One rule everywhere: a token is a maximal run of letters and digits, lowercased. Punctuation and
whitespace only separate tokens, so "San Francisco", "san-francisco" and "SAN FRANCISCO," all
analyse to ``["san", "francisco"]``. tantivy's ``simple`` tokenizer + ``lowercase`` filter and the
Elasticsearch ``pattern`` tokenizer on ``[^\\p{L}\\p{N}]+`` + ``lowercase`` implement the same rule,
which is what lets the conformance suite compare both backends with :func:`tokenize`.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Python's \w also accepts "_", which neither search engine treats as part of a word.
_TOKEN = re.compile(r"[^\W_]+")

#: Name of the analyser/tokenizer for analysed text fields in both backends.
TEXT_ANALYZER = "hn_text"
#: Name of the lowercasing keyword normaliser/tokenizer in both backends.
KEYWORD_ANALYZER = "hn_keyword"


@lru_cache(maxsize=8192)
def tokenize(text: str) -> tuple[str, ...]:
    """Split ``text`` into lowercased letter/digit runs (the index's analysis of text fields)."""
    return tuple(_TOKEN.findall(text.lower()))


def contains_phrase(haystack: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """True when ``phrase`` occurs as consecutive tokens of ``haystack``."""
    width = len(phrase)
    if width == 0 or width > len(haystack):
        return False
    first = phrase[0]
    for start, token in enumerate(haystack[: len(haystack) - width + 1]):
        if token == first and haystack[start : start + width] == phrase:
            return True
    return False
