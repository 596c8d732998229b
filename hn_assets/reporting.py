"""Small, Dagster-free helpers that turn tables into what a person reads in the UI."""

from __future__ import annotations

import base64
import hashlib
import re

import pandas as pd


def exploded(frame: pd.DataFrame, column: str) -> pd.Series:
    """The items of a list-valued column, one per row."""
    return frame[column].explode().dropna()


def sample_post_markdown(frame: pd.DataFrame, max_chars: int = 1200) -> str:
    if frame.empty:
        return "_no posts_"
    row = frame.iloc[len(frame) // 2]
    text = str(row["text"])
    if len(text) > max_chars:
        text = text[:max_chars].rstrip() + " …"
    # The post's own words, escaped: a post's markdown or HTML is text here, never markup.
    quoted = "\n".join("> " + line if line else ">" for line in escape_markdown(text).splitlines())
    company = escape_markdown(str(row.get("company") or "unknown company"))
    return f"**{company}** ({row.get('hn_url', '')})\n\n{quoted}"


def frame_fingerprint(frame: pd.DataFrame, columns: list[str]) -> str:
    """A stable hash of the given columns, independent of row order: a data version."""
    ordered = frame.sort_values("id")[columns]
    digest = hashlib.sha256()
    for row in ordered.itertuples(index=False):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:16]


def markdown_cell(value: object, max_chars: int = 200) -> str:
    """``value`` as one markdown table cell: no line breaks, pipes escaped, cut to length."""
    text = " ".join(str(value).split())
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text.replace("\\", "\\\\").replace("|", "\\|")


#: Characters that mean something to markdown (CommonMark and GitHub's tables), inline.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&:=$])")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def escape_markdown(text: str) -> str:
    """Markdown that renders as ``text`` itself: every character markdown gives a meaning to
    is escaped, lines keep their breaks (a single newline becomes a hard line break, a blank
    line still separates paragraphs), and leading spaces stay text instead of starting a
    code block. For text a model or a user wrote, shown in the UI's markdown."""
    paragraphs = _BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n").strip("\n"))
    return "\n\n".join(
        "  \n".join(_escape_markdown_line(line) for line in paragraph.split("\n"))
        for paragraph in paragraphs
    )


def _escape_markdown_line(line: str) -> str:
    body = line.lstrip(" \t")
    indent = "&nbsp;" * (len(line) - len(body))
    return indent + _MARKDOWN_PUNCTUATION.sub(r"\\\1", body.rstrip())


def image_markdown(data: bytes, alt: str, mime: str = "image/png") -> str:
    """Markdown that shows an image inline (a data URI), as the Dagster UI renders it."""
    return f"![{alt}](data:{mime};base64,{base64.b64encode(data).decode()})"
