"""The digest of one month's new matches, written for each medium it lands in.

Post text is written by strangers, so every string from a post is escaped for its medium:
markdown for the UI and the digest file, Slack's ``mrkdwn`` for the webhook (``<!channel>`` or
``<@U123>`` in a post must not notify anyone), plain text for the email. The only links are the
ones built from a post's id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hn_assets.hackernews.hn_format import item_url
from hn_assets.quarantine import QuarantinedPost, isolate
from hn_assets.search.matching import AlertResult
from hn_assets.search.saved_searches import SavedSearch

#: The quarantine stage of a post that could not be written into the digest.
DIGEST_STAGE = "alert_digest"
#: Longest text kept from one field of a post: a digest row, not the post.
MAX_FIELD_CHARS = 200

# Characters that change how text reads without being visible: control characters, bidi
# overrides and isolates (which can make a row display in a misleading order), zero-width
# spaces and the byte-order mark. Whitespace among them is collapsed to a space beforehand.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# Characters with a meaning in markdown wherever they stand in a line (emphasis, code, links,
# images, tables, strikethrough, headings, math); line-start-only syntax (lists, quotes) cannot
# arise because every untrusted string lands mid-line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()!|~#$])")
# Slack turns these into notifications when written as <!here>; the bare words are defused too
# in case a workspace or a future default links them.
_SLACK_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _DigestRow:
    """One post as the digest shows it: single-line plain text, not yet escaped."""

    post_id: int
    url: str
    company: str
    roles: str
    locations: str
    remote: str
    #: "repost, first seen YYYY-MM" for a post repeating an earlier month's, else "".
    repost: str = ""


@dataclass(frozen=True)
class Digest:
    """One alert result written for each medium, and the posts left out of it.

    ``markdown`` is for the Dagster UI and the digest file, ``slack`` for the webhook's
    ``text`` (Slack ``mrkdwn``), ``plain_text`` for the email body. ``quarantined`` lists the
    new matches that could not be rendered (stage :data:`DIGEST_STAGE`).
    """

    markdown: str
    slack: str
    plain_text: str
    quarantined: tuple[QuarantinedPost, ...] = ()


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _scalar_text(value: Any, column: str) -> str:
    if _missing(value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    raise TypeError(f"{column} holds a {type(value).__name__}, not text")


def _field_text(value: Any, column: str) -> str:
    """A post's field as one line of plain text: lists joined, NaN and None empty."""
    if isinstance(value, list | tuple | np.ndarray):
        if isinstance(value, np.ndarray) and value.ndim != 1:
            raise TypeError(f"{column} is a {value.ndim}-d array, not a list")
        text = ", ".join(part for part in (_scalar_text(item, column) for item in value) if part)
    else:
        text = _scalar_text(value, column)
    text = _INVISIBLE.sub("", " ".join(text.split()))
    return text if len(text) <= MAX_FIELD_CHARS else text[: MAX_FIELD_CHARS - 1] + "\u2026"


def _digest_row(post_id: int, doc: Any) -> _DigestRow:
    """The digest's row for one post; raises on a document it cannot read."""
    if not isinstance(doc, Mapping):
        raise TypeError(f"its document is a {type(doc).__name__}, not a mapping")
    return _DigestRow(
        post_id=post_id,
        # Built from the id, never taken from the document: the only link in a digest.
        url=item_url(post_id),
        company=_field_text(doc.get("company"), "company"),
        roles=_field_text(doc.get("roles"), "roles"),
        locations=_field_text(doc.get("locations"), "locations"),
        remote=_field_text(doc.get("remote"), "remote"),
        repost=_repost_note(doc),
    )


def _repost_note(doc: Mapping[str, Any]) -> str:
    if doc.get("repost") is not True and doc.get("repost") is not np.True_:
        return ""
    first_seen = _field_text(doc.get("first_seen_month"), "first_seen_month")
    return f"repost, first seen {first_seen}" if first_seen else "repost"


def markdown_text(text: str) -> str:
    """``text`` shown literally in markdown: metacharacters backslash-escaped, HTML's
    ``& < >`` as entities, one line."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markdown_code(text: str) -> str:
    """An inline code span that holds ``text`` whatever backticks it contains."""
    text = " ".join(text.split())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def slack_text(text: str) -> str:
    """``text`` shown literally in Slack ``mrkdwn``: ``& < >`` escaped as Slack requires, so
    no ``<!channel>``, ``<@U123>`` or ``<url|label>`` survives, broadcast words defused."""
    escaped = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SLACK_BROADCAST.sub("@\u2060\\1", escaped)


def _plural(count: int) -> str:
    return f"{count} new match{'es' if count != 1 else ''}"


def _left_out_note(quarantined: Sequence[QuarantinedPost]) -> str:
    ids = ", ".join(str(post.id) for post in quarantined)
    count = len(quarantined)
    return (
        f"{count} matching post{'s' if count != 1 else ''} could not be rendered and "
        f"{'are' if count != 1 else 'is'} left out: {ids}."
    )


def _cells(row: _DigestRow) -> list[str]:
    """The row's company, roles, places and remote mode, leaving out the empty ones."""
    cells = [row.company or "?", row.roles, row.locations]
    cells += [f"remote: {row.remote}"] if row.remote else []
    return [cell for cell in [*cells, row.repost] if cell]


def _markdown_section(search: SavedSearch, rows: list[_DigestRow]) -> list[str]:
    return [
        f"## {markdown_text(search.name)}: {_plural(len(rows))}",
        "",
        _markdown_code(str(search.parsed)),
        "",
        "| Company | Role | Location | Remote | Post |",
        "|---|---|---|---|---|",
        *(
            f"| {markdown_text(row.company) or '?'} | {markdown_text(row.roles)} | "
            f"{markdown_text(row.locations)} | {markdown_text(row.remote)} | "
            f"[{row.post_id}]({row.url}){f' ({markdown_text(row.repost)})' if row.repost else ''} |"
            for row in rows
        ),
    ]


def _slack_section(search: SavedSearch, rows: list[_DigestRow]) -> list[str]:
    query = slack_text(str(search.parsed))
    return [
        f"*{slack_text(search.name)}*: {_plural(len(rows))} for {query}",
        *(
            f"\u2022 <{row.url}|{row.post_id}> " + " | ".join(slack_text(c) for c in _cells(row))
            for row in rows
        ),
    ]


def _plain_section(search: SavedSearch, rows: list[_DigestRow]) -> list[str]:
    lines = [f"{search.name}: {_plural(len(rows))} for {search.parsed}", ""]
    for row in rows:
        lines += ["- " + " | ".join(_cells(row)), f"  {row.url}"]
    return lines


def _document(title: str, blocks: list[list[str]], left_out: Sequence[QuarantinedPost]) -> str:
    """``title`` and the blocks of lines after it, a blank line between each two."""
    if left_out:
        blocks = [*blocks, [_left_out_note(left_out)]]
    if not blocks:
        blocks = [["No saved search has new matches this time."]]
    return "\n\n".join("\n".join(block) for block in [[title], *blocks]) + "\n"


def render_digest(result: AlertResult, docs_by_id: Mapping[int, Any]) -> Digest:
    """The digest of ``result`` for every medium: one section per saved search with new
    matches, one row per post. A post whose row cannot be rendered (odd types in its
    document) is left out and listed in ``Digest.quarantined``; the rest still go out."""
    new_ids = list(dict.fromkeys(post_id for alert in result.alerts for post_id in alert.new_ids))
    rendered, quarantined = isolate(
        new_ids,
        lambda post_id: _digest_row(int(post_id), docs_by_id.get(post_id, {})),
        stage=DIGEST_STAGE,
        id_of=int,
    )
    rows = {row.post_id: row for row in rendered}
    sections = [
        (alert.search, [rows[post_id] for post_id in alert.new_ids if post_id in rows])
        for alert in result.alerts
    ]
    sections = [(search, section_rows) for search, section_rows in sections if section_rows]
    month = result.month
    return Digest(
        markdown=_document(
            f"# New job matches, {month}",
            [_markdown_section(*section) for section in sections],
            quarantined,
        ),
        slack=_document(
            f"*New job matches, {month}*",
            [_slack_section(*section) for section in sections],
            quarantined,
        ),
        plain_text=_document(
            f"New job matches, {month}",
            [_plain_section(*section) for section in sections],
            quarantined,
        ),
        quarantined=tuple(quarantined),
    )


def render_digest_markdown(result: AlertResult, docs_by_id: Mapping[int, Any]) -> str:
    """The markdown of :func:`render_digest` (which also says what was left out)."""
    return render_digest(result, docs_by_id).markdown


def text_digest(text: str) -> Digest:
    """Finished ``text`` as a digest: as it is for markdown and email, and Slack-escaped line
    by line for the webhook, so it reads literally there."""
    return Digest(
        markdown=text,
        slack="\n".join(slack_text(line) for line in text.splitlines()),
        plain_text=text,
    )
