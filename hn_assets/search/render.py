"""How hits look to a person (a rich table) and to a program (one JSON object per hit).

Everything in a table cell or title comes from a post or from the user's query, so it is shown as
plain text: never read as rich markup (a company called ``[/x] Corp`` is printed as written), and
with control characters replaced, so a post cannot move the cursor, recolour or retitle the
terminal, or reorder the text around it.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Sequence
from typing import Any

from rich.style import Style
from rich.table import Table
from rich.text import Text

from hn_assets.hackernews.hn_format import item_url
from hn_assets.search.backends import Hit
from hn_assets.search.schema import POST_SCHEMA

_HEADER_CHARS = 300
#: Characters of one cell (or the title) shown before it is cut with "…": a post's field can be
#: any length, and a folded column would otherwise print it on hundreds of lines.
_CELL_CHARS = 160
#: U+FFFD stands in for each character that must not reach the terminal.
_UNSAFE = dict.fromkeys(
    [
        *range(0x00, 0x20),  # C0 controls, ESC among them
        *range(0x7F, 0xA0),  # DEL and C1 controls (0x9B is a one-byte CSI)
        # Bidirectional marks, embeddings, overrides and isolates reorder the text after them.
        *(ord(char) for char in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"),
        *range(0x2066, 0x206A),
        *range(0xD800, 0xE000),  # lone surrogates cannot be encoded for output at all
    ],
    "\ufffd",
)
#: A URL made a clickable link: printable ASCII only, so nothing in it can end the terminal's
#: link sequence early or disguise where it leads.
_LINK = re.compile(r"https?://[\x21-\x7e]+")


def _listed(value: Any) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    return ", ".join(str(item) for item in value)


def _remote(fields: dict[str, Any]) -> str:
    """yes / hybrid / no (onsite only) / ? (the post does not say)."""
    if fields.get("remote"):
        return "yes"
    if fields.get("hybrid"):
        return "hybrid"
    return "no" if fields.get("onsite") else "?"


def _url(hit: Hit) -> str:
    return str(hit.fields.get("hn_url") or item_url(hit.id))


def _plain(value: object, limit: int = _CELL_CHARS) -> Text:
    """``value`` as one line of terminal-safe text that rich shows as written: whitespace runs
    become one space, control characters U+FFFD, and past ``limit`` characters it is cut."""
    line = " ".join(str(value).split()).translate(_UNSAFE)
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return Text(line)


def _link(url: str) -> Text:
    """The link as text, clickable in terminals that support it when it is a plain web URL."""
    text = _plain(url, sys.maxsize)  # a cut link would lead elsewhere
    if _LINK.fullmatch(url):
        # A Style object, not a "link ..." style string, so the URL is never parsed as style.
        text.stylize(Style(link=url))
    return text


def hits_table(hits: Sequence[Hit], *, title: str | None = None) -> Table:
    """Company, role, location, remote/onsite, month and the HN link of each hit.

    Every string from the hits and the ``title`` is shown literally (see the module docstring),
    so callers may pass untrusted text such as the user's query.
    """
    table = Table(title=None if title is None else _plain(title), show_lines=False, expand=False)
    # Minimum widths keep names readable in an 80-column terminal; the link folds instead.
    table.add_column("Company", overflow="fold", min_width=10, max_width=24)
    table.add_column("Role", overflow="fold", min_width=12, max_width=30)
    table.add_column("Location", overflow="fold", min_width=10, max_width=28)
    table.add_column("Remote", overflow="fold", min_width=6)
    table.add_column("Month", no_wrap=True, min_width=7)
    table.add_column("Posted", no_wrap=True, min_width=5)
    table.add_column("HN link", overflow="fold", min_width=12)
    for hit in hits:
        fields = hit.fields
        url = _url(hit)
        table.add_row(
            _plain(fields.get("company") or "?"),
            _plain(_listed(fields.get("roles"))),
            _plain(_listed(fields.get("locations"))),
            _remote(fields),
            _plain(fields.get("month", "")),
            _posted(fields),
            _link(url),
        )
    return table


def _posted(fields: dict[str, Any]) -> str:
    """ "new", or how long the posting has run: "3 mo since 2026-01"."""
    months = fields.get("months_posted")
    if not fields.get("repost") or not isinstance(months, int):
        return "new"
    return _plain(f"{months} mo since {fields.get('first_seen_month') or '?'}")


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


def _header(text: str) -> str:
    first = text.strip().split("\n\n", 1)[0]
    first = " ".join(first.split())
    return first if len(first) <= _HEADER_CHARS else first[: _HEADER_CHARS - 1] + "…"


def hit_json(hit: Hit) -> dict[str, Any]:
    """A JSON-ready dict: id, company, month, score, url, the other clean_posts fields except
    the text, and the text's header line."""
    fields = hit.fields
    record: dict[str, Any] = {
        "id": hit.id,
        "company": fields.get("company"),
        "month": fields.get("month"),
        "score": round(float(hit.score), 4),
        "url": _url(hit),
    }
    for column in POST_SCHEMA.columns:
        if column not in record and column not in ("text", "hn_url") and column in fields:
            record[column] = _json_safe(fields[column])
    record["header"] = _header(str(fields.get("text", "")))
    return record
