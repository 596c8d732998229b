"""Character vocabulary for the job-posting language model.

Rules (issue 4): text is lowercased, apostrophes and quotes are folded into one kind each,
Unicode dashes and bullets become the unknown character, and characters rarer than
``min_frequency`` (default: fewer than 2,000 in 17.8 M, the blog post's cut-off) become the
unknown character too. Three control characters are reserved: START and END wrap every
posting, UNKNOWN stands for everything outside the vocabulary.

A reserved character in the input text would be indistinguishable from a real marker, so
:func:`normalise` removes START and END (and every other control character a reader never
sees) and keeps a literal UNKNOWN as UNKNOWN, which is what it is to the model. Any ``str``
can therefore be normalised and encoded; only a non-``str`` is refused (``TypeError``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

START, END, UNKNOWN = "\x02", "\x03", "\x04"
RESERVED = (START, END, UNKNOWN)
RESERVED_NAMES = {START: "START", END: "END", UNKNOWN: "UNKNOWN"}
DEFAULT_MIN_FREQUENCY = 2000 / 17.8e6
MAX_VOCABULARY_SIZE = 256  # ids are stored as uint8

_APOSTROPHES = "\u2018\u2019\u201a\u201b\u2032\u02bc\u0060\u00b4"
_QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033"
_HYPHENS = "\u2010\u2011"  # hyphens (not dashes) keep their meaning as "-"
_DASHES = "\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b"
_BULLETS = "\u2022\u2023\u25e6\u2043\u2219\u25cf\u25aa\u25a0\u25ba\u25b8\u00b7"
_SPACES = "\u00a0\u2007\u2009\u200a\u202f\u3000\t"
_INVISIBLE = "\u200b\u200c\u200d\ufeff"
# C0 and C1 controls other than tab, newline and carriage return (folded below) and UNKNOWN.
# Ingest strips them already (hackernews.sanitize); dropping them here too keeps a stray
# START or END from faking a post boundary whatever the text's source.
_CONTROLS = "".join(
    chr(code)
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))
    if chr(code) not in "\t\n\r" + UNKNOWN
)
# Lone surrogates (JSON can carry them) cannot be written as UTF-8; to a reader they are an
# unknown character.
_SURROGATES = "".join(chr(code) for code in range(0xD800, 0xE000))

_REPLACEMENTS = {
    **dict.fromkeys(_APOSTROPHES, "'"),
    **dict.fromkeys(_QUOTES, '"'),
    **dict.fromkeys(_HYPHENS, "-"),
    **dict.fromkeys(_DASHES, UNKNOWN),
    **dict.fromkeys(_BULLETS, UNKNOWN),
    **dict.fromkeys(_SPACES, " "),
    **dict.fromkeys(_INVISIBLE, ""),
    **dict.fromkeys(_CONTROLS, ""),
    **dict.fromkeys(_SURROGATES, UNKNOWN),
    "\r": "\n",
    # The one replacement that lengthens the text; str.lower() lengthens "\u0130" too, so
    # nothing may assume a normalised post is as long as the raw one.
    "\u2026": "...",
}
# A regex scan touches only the (rare) special characters; str.translate with a dict
# would look up every character, which is slower on a real corpus.
_SPECIAL = re.compile("[" + re.escape("".join(_REPLACEMENTS)) + "]")


def _replace(match: re.Match[str]) -> str:
    return _REPLACEMENTS[match.group()]


class ReservedCharacterError(ValueError):
    """The input text contains one of the reserved START / END / UNKNOWN characters."""


def check_no_reserved(text: str, where: str = "text") -> None:
    """Raise a clear error when ``text`` contains START, END or UNKNOWN.

    The training set does not need this (:func:`normalise` removes the markers); it is for a
    caller that would rather refuse such text than have it cleaned.
    """
    for char in RESERVED:
        position = text.find(char)
        if position >= 0:
            raise ReservedCharacterError(
                f"{where} contains the reserved {RESERVED_NAMES[char]} character "
                f"{char!r} (U+{ord(char):04X}) at character {position}; these control "
                "characters delimit postings in the training set. Strip ASCII control "
                "characters from the text (the clean_posts cleaning step should) and rebuild."
            )


def normalise(text: str) -> str:
    """Lowercase and fold typographic variants; dashes and bullets become UNKNOWN.

    Idempotent, and total on ``str``. ``\\r\\n`` and ``\\r`` become ``\\n``; non-breaking and
    thin spaces and tabs become a space; zero-width characters and control characters
    (START and END included) are dropped; lone surrogates become UNKNOWN; "…" becomes "...".
    The result can be longer than ``text``. Raises ``TypeError`` for anything but a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"normalise() takes a str, got {type(text).__name__}; pass the post's text "
            "(a missing text should be dropped or turned into '' before building the corpus)."
        )
    return _SPECIAL.sub(_replace, text.replace("\r\n", "\n").lower())


def describe_char(char: str) -> str:
    """Visible name of a vocabulary character for tables in the UI: the reserved ones and
    whitespace by name, any other character a reader would not see by its code point."""
    if char in RESERVED_NAMES:
        return f"<{RESERVED_NAMES[char]}>"
    names = {" ": "<space>", "\n": "<newline>", "\t": "<tab>"}
    if char in names:
        return names[char]
    if not char.isprintable() or char.isspace():
        return f"<U+{ord(char):04X}>"
    return char


@dataclass(frozen=True)
class Vocabulary:
    """Characters by id: START, END and UNKNOWN are ids 0, 1 and 2, the rest sorted."""

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        if tuple(self.chars[:3]) != RESERVED:
            raise ValueError(
                "a Vocabulary must start with START, END, UNKNOWN ('\\x02', '\\x03', '\\x04'); "
                f"got {self.chars[:3]!r}. Build it with build_vocabulary()."
            )
        if len(set(self.chars)) != len(self.chars):
            raise ValueError("a Vocabulary must not list a character twice")
        if any(len(char) != 1 for char in self.chars):
            raise ValueError("every vocabulary entry must be exactly one character")
        if len(self.chars) > MAX_VOCABULARY_SIZE:
            raise ValueError(
                f"{len(self.chars)} characters do not fit in uint8 ids (at most "
                f"{MAX_VOCABULARY_SIZE}); raise min_frequency so rare characters map to UNKNOWN."
            )

    @property
    def size(self) -> int:
        return len(self.chars)

    @property
    def start_id(self) -> int:
        return 0

    @property
    def end_id(self) -> int:
        return 1

    @property
    def unknown_id(self) -> int:
        return 2

    @cached_property
    def _lookup(self) -> np.ndarray:
        """Code point -> id for every code point up to the largest in the vocabulary."""
        table = np.full(max(ord(c) for c in self.chars) + 1, self.unknown_id, dtype=np.uint8)
        for index, char in enumerate(self.chars):
            table[ord(char)] = index
        return table

    @cached_property
    def _char_array(self) -> np.ndarray:
        return np.array(self.chars, dtype="<U1")

    def encode_normalised(self, text: str) -> np.ndarray:
        """Ids of already-normalised text, vectorised through a code-point lookup table.

        One id per code point, for any ``str``: a lone surrogate becomes UNKNOWN instead of
        failing the UTF-32 encoding.
        """
        code_points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        table = self._lookup
        ids = table.take(code_points, mode="clip")
        ids[code_points >= table.size] = self.unknown_id
        return ids

    def encode(self, text: str) -> np.ndarray:
        """Normalise ``text`` and map it to uint8 ids (rare characters -> UNKNOWN)."""
        return self.encode_normalised(normalise(text))

    def decode(self, ids: Iterable[int] | np.ndarray) -> str:
        """Characters for ``ids``, the reserved ones included as their control characters."""
        array = np.asarray(ids if isinstance(ids, np.ndarray) else list(ids), dtype=np.int64)
        if array.size and (array.min() < 0 or array.max() >= self.size):
            raise ValueError(f"ids must lie in 0..{self.size - 1}")
        return "".join(self._char_array[array].tolist())

    def to_json(self) -> str:
        return json.dumps({"chars": list(self.chars)}, ensure_ascii=True)

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        try:
            chars = json.loads(text)["chars"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"not a vocabulary JSON document ({error}): {text[:80]!r}") from error
        return cls(tuple(chars))


def count_characters(texts: Iterable[str]) -> Counter[str]:
    """Character counts of the normalised texts."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(normalise(text))
    return counts


def vocabulary_from_counts(
    counts: Counter[str], min_frequency: float = DEFAULT_MIN_FREQUENCY
) -> Vocabulary:
    """Keep characters whose share of all characters is at least ``min_frequency``."""
    if not 0 <= min_frequency < 1:
        raise ValueError(f"min_frequency must be in [0, 1), got {min_frequency}")
    total = sum(count for char, count in counts.items() if char not in RESERVED)
    threshold = min_frequency * total * (1 - 1e-9)  # "2000 in 17.8 M" must keep exactly 2000
    kept = sorted(
        char for char, count in counts.items() if char not in RESERVED and count >= threshold
    )
    return Vocabulary(RESERVED + tuple(kept))


def build_vocabulary(
    texts: Iterable[str], min_frequency: float = DEFAULT_MIN_FREQUENCY
) -> Vocabulary:
    """Vocabulary of the normalised ``texts``; characters rarer than the threshold -> UNKNOWN."""
    return vocabulary_from_counts(count_characters(texts), min_frequency)


def vocabulary_table(vocab: Vocabulary, counts: Sequence[int] | np.ndarray) -> list[dict]:
    """Rows (id, char, count, share) for a table in the UI, the characters by their visible
    names (:func:`describe_char`); ``counts`` indexed by id."""
    total = float(np.sum(counts)) or 1.0
    return [
        {
            "id": index,
            "char": describe_char(char),
            "count": int(counts[index]),
            "share": float(counts[index]) / total,
        }
        for index, char in enumerate(vocab.chars)
    ]
