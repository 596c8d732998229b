"""How hits look to a person (a rich table) and to a program (one JSON object per hit)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from hn_assets.search.backends import Hit
from hn_assets.search.documents import CONTRACT_COLUMNS, hn_url

_HEADER_CHARS = 300


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
    return str(hit.fields.get("hn_url") or hn_url(hit.id))


def hits_table(hits: Sequence[Hit], *, title: str | None = None) -> Table:
    """Company, role, location, remote/onsite, month and the HN link of each hit."""
    table = Table(title=title, show_lines=False, expand=False)
    # Minimum widths keep names readable in an 80-column terminal; the link folds instead.
    table.add_column("Company", overflow="fold", min_width=10, max_width=24)
    table.add_column("Role", overflow="fold", min_width=12, max_width=30)
    table.add_column("Location", overflow="fold", min_width=10, max_width=28)
    table.add_column("Remote", overflow="fold", min_width=6)
    table.add_column("Month", no_wrap=True, min_width=7)
    table.add_column("HN link", overflow="fold", min_width=12)
    for hit in hits:
        fields = hit.fields
        url = _url(hit)
        table.add_row(
            fields.get("company") or "?",
            _listed(fields.get("roles")),
            _listed(fields.get("locations")),
            _remote(fields),
            str(fields.get("month", "")),
            Text(url, style=f"link {url}"),
        )
    return table


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
    for column in CONTRACT_COLUMNS:
        if column not in record and column not in ("text", "hn_url") and column in fields:
            record[column] = _json_safe(fields[column])
    record["header"] = _header(str(fields.get("text", "")))
    return record
