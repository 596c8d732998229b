"""Make text from the outside world safe to store: done once, where posts enter (ingest).

The HN API is JSON; JSON may carry lone UTF-16 surrogates (``"\\ud800"``) that Python decodes
into a ``str`` no UTF-8 writer (Parquet, tantivy, a terminal) accepts, and control characters
that mean nothing in a post but do mean something to our own encodings (the character model
reserves some C0 codes as start/end markers). Both are replaced here, before anything is stored.
"""

from __future__ import annotations

import re

REPLACEMENT_CHARACTER = "\ufffd"

# Lone surrogates, and C0/C1 controls except tab and newline (a carriage return is a newline).
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CARRIAGE_RETURNS = re.compile("\r\n?")


def sanitize_text(text: str) -> str:
    """``text`` with lone surrogates as U+FFFD, CR/CRLF as LF, other C0/C1 controls removed.

    Keeps ``\\n`` and ``\\t``; idempotent; the result always encodes as UTF-8.
    """
    if text.isascii() and text.isprintable():
        return text
    text = _SURROGATES.sub(REPLACEMENT_CHARACTER, text)
    text = _CARRIAGE_RETURNS.sub("\n", text)
    return _CONTROLS.sub("", text)


def sanitize_optional(value: object) -> str | None:
    """A string field of an item (``by``, ``text``): sanitised, or None when absent or not text."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    return sanitize_text(value)
