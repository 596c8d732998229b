"""Saved searches and alerts on posts that newly match them.

The saved searches live in a YAML file (see ``hn_assets/saved_searches.example.yaml``)::

    searches:
      - name: bay-area-ml
        query: '("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")'
      - name: remote-rust
        query: rust remote:true
        months: [2026-11, 2026-12]   # optional: only alert in these months
        notify: false                # optional: keep it in the digest, never deliver it

Delivery is off unless the environment configures it: SMTP with ``HN_ALERT_SMTP_HOST`` (plus
``_PORT`` default 587, ``_USER``, ``_PASSWORD``, ``_FROM``, ``_TO`` comma-separated), and/or a
webhook with ``HN_ALERT_WEBHOOK_URL`` (a JSON POST with a Slack-compatible ``text`` field).

Post text is written by strangers, so every string from a post is escaped for the medium it
lands in (:func:`render_digest`): markdown for the UI and the digest file, Slack's ``mrkdwn``
for the webhook (``<!channel>`` or ``<@U123>`` in a post must not notify anyone), plain text
for the email. The only links are the ones we build from a post's id.

SMTP logs in (``HN_ALERT_SMTP_USER``) only over TLS: port 465, or STARTTLS when the server
offers it. A server without STARTTLS gets no password unless
``HN_ALERT_SMTP_ALLOW_PLAINTEXT=1`` says the network path is trusted. Without a user nothing
secret is sent, so mail goes out over a plain connection as before (a local relay on port 25
often offers no TLS); the digest only holds public HN posts.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import requests
import yaml

from hn_assets import settings
from hn_assets.errors import ConfigError, HNError
from hn_assets.quarantine import QuarantinedPost, isolate
from hn_assets.search.backends import SearchIndex
from hn_assets.search.documents import hn_url
from hn_assets.search.parser import parse_query
from hn_assets.search.query import Query, QueryError, validate_month

_ALLOWED_KEYS = frozenset({"name", "query", "months", "notify"})
T = TypeVar("T")


class SavedSearchError(ConfigError):
    """The saved searches file is missing or wrong; the message names the file and line."""


class AlertDeliveryError(HNError, RuntimeError):
    """A configured delivery channel failed after its retries, or is configured wrongly."""


@dataclass(frozen=True)
class SavedSearch:
    """A named query; ``months`` limits it to those months, ``notify`` allows delivery."""

    name: str
    query: str
    months: tuple[str, ...] | None = None
    notify: bool = True
    parsed: Query = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parsed", parse_query(self.query))
        if self.months is not None:
            object.__setattr__(self, "months", tuple(validate_month(m) for m in self.months))

    def applies_to(self, month: str) -> bool:
        return self.months is None or month in self.months


@dataclass(frozen=True)
class SearchAlert:
    """One saved search in one month: every post it matches, and those that are new."""

    search: SavedSearch
    matching_ids: tuple[int, ...]
    new_ids: tuple[int, ...]


@dataclass(frozen=True)
class AlertResult:
    month: str
    alerts: tuple[SearchAlert, ...]
    #: What to store and pass back as ``previously_matched`` next time.
    state: dict[str, list[int]]

    @property
    def new_matches(self) -> dict[str, list[int]]:
        return {alert.search.name: list(alert.new_ids) for alert in self.alerts if alert.new_ids}

    @property
    def total_new(self) -> int:
        return sum(len(alert.new_ids) for alert in self.alerts)

    @property
    def deliverable(self) -> bool:
        return any(alert.new_ids and alert.search.notify for alert in self.alerts)

    @property
    def idempotency_key(self) -> str:
        """Names this digest by what it says (month and new matches): a digest sent again
        after a crash carries the same key, so a receiver can drop the repeat."""
        content = json.dumps([self.month, self.new_matches], sort_keys=True)
        return hashlib.sha256(content.encode()).hexdigest()[:32]


# --- loading -------------------------------------------------------------------------------
#: A saved-searches file is a short list written by hand; anything far larger is a mistake
#: (or an attempt to exhaust memory), and is refused before parsing.
MAX_FILE_BYTES = 1_000_000
#: The deepest the format goes is searches -> a search -> its months list; deeper YAML is
#: refused before PyYAML's recursive composer could overflow the stack on it.
MAX_NESTING = 8


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _value_node(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if key_node.value == key:
            return value_node
    return None


def _read_text(source: Path) -> str:
    try:
        with source.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SavedSearchError(
            f"cannot read saved searches from {source}: {exc.strerror or exc}; copy "
            "hn_assets/saved_searches.example.yaml and set HN_SAVED_SEARCHES to its path"
        ) from exc
    if len(data) > MAX_FILE_BYTES:
        raise SavedSearchError(
            f"{source}: larger than {MAX_FILE_BYTES:,} bytes, which is no saved-searches file; "
            "check HN_SAVED_SEARCHES points at the right file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SavedSearchError(
            f"{source}:{line}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from exc


def _check_shape(source: Path, text: str) -> None:
    """Refuse anchors, aliases and deep nesting, scanning events (no recursion, no objects).

    Aliases are how a "billion laughs" file grows a small text into a huge structure, and
    saved searches never need them.
    """
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        where = f"{source}:{event.start_mark.line + 1}"
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise SavedSearchError(
                f"{where}: YAML anchors and aliases (&name, *name) are not supported in saved "
                "searches; write each search out in full"
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise SavedSearchError(
                    f"{where}: nested more than {MAX_NESTING} levels deep; the file is a list "
                    "of searches, each a mapping of name, query, months and notify"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _parse_yaml(source: Path, text: str) -> tuple[yaml.Node | None, Any]:
    try:
        _check_shape(source, text)
        return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else str(source)
        # PyYAML splits a message into context ("while parsing a flow node") and problem.
        problem = " ".join(" ".join(filter(None, (exc.context, exc.problem))).split())
        problem = problem or " ".join(str(exc).split())
        raise SavedSearchError(f"{where}: invalid YAML: {problem}") from exc
    except yaml.reader.ReaderError as exc:  # a control character YAML does not allow
        line_number = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise SavedSearchError(
            f"{source}:{line_number}: invalid YAML: the character U+{code:04X} is not allowed; "
            "remove it"
        ) from exc
    except yaml.YAMLError as exc:
        raise SavedSearchError(f"{source}: invalid YAML: {' '.join(str(exc).split())}") from exc


def load_saved_searches(path: str | os.PathLike[str]) -> list[SavedSearch]:
    """Read and check every saved search in the YAML file at ``path``.

    Every problem is a :class:`SavedSearchError` whose message names the file, the line and
    the fix (one line, except that a query error adds the query with a caret under the
    problem); no other exception escapes, whatever the file holds.
    """
    source = Path(path)
    text = _read_text(source)
    root, data = _parse_yaml(source, text)
    if isinstance(root, yaml.MappingNode) and isinstance(data, dict):
        _no_duplicate_keys(source, root)
        unknown = set(data) - {"searches"}
        if unknown:
            raise SavedSearchError(
                f"{source}:{_line(root)}: unknown top-level key(s) {sorted(map(str, unknown))}; "
                "the file holds one key, searches: a list of {name, query}"
            )
        items_node, items = _value_node(root, "searches"), data.get("searches")
    else:
        items_node, items = root, data
    if not isinstance(items_node, yaml.SequenceNode) or not isinstance(items, list):
        line = _line(items_node) if items_node is not None else 1
        raise SavedSearchError(
            f"{source}:{line}: expected a list of saved searches under 'searches:', each "
            "with a name and a query"
        )
    searches: list[SavedSearch] = []
    lines: dict[str, int] = {}
    for node, item in zip(items_node.value, items, strict=True):
        searches.append(_saved_search(source, node, item, lines))
    return searches


def _no_duplicate_keys(source: Path, mapping: yaml.MappingNode) -> None:
    # PyYAML keeps the last of two equal keys without a word; a second "query:" is a mistake.
    seen: dict[str, int] = {}
    for key_node, _ in mapping.value:
        key = str(key_node.value)
        if key in seen:
            raise SavedSearchError(
                f"{source}:{_line(key_node)}: the key {key!r} is already given on line "
                f"{seen[key]}; keep one"
            )
        seen[key] = _line(key_node)


def _saved_search(source: Path, node: yaml.Node, item: Any, lines: dict[str, int]) -> SavedSearch:
    where = f"{source}:{_line(node)}"
    if not isinstance(item, dict) or not isinstance(node, yaml.MappingNode):
        raise SavedSearchError(f"{where}: a saved search is a mapping with name and query")
    _no_duplicate_keys(source, node)
    unknown = set(item) - _ALLOWED_KEYS
    if unknown:
        raise SavedSearchError(
            f"{where}: unknown key(s) {sorted(map(str, unknown))}; allowed: "
            f"{', '.join(sorted(_ALLOWED_KEYS))}"
        )
    name, query = item.get("name"), item.get("query")
    if not isinstance(name, str) or not name.strip():
        raise SavedSearchError(f"{where}: every saved search needs a name (text)")
    if not name.isprintable():
        raise SavedSearchError(
            f"{where}: the name {name!r} holds a line break or control character; use one "
            "line of plain text"
        )
    if name in lines:
        raise SavedSearchError(f"{where}: the name {name!r} is already used on line {lines[name]}")
    lines[name] = _line(node)
    if not isinstance(query, str):
        raise SavedSearchError(f"{where}: saved search {name!r} needs a query (text)")
    months = item.get("months")
    if isinstance(months, str):
        months = [months]
    notify = item.get("notify", True)
    if not isinstance(notify, bool):
        raise SavedSearchError(f"{where}: notify of {name!r} must be true or false")
    if months is not None and (
        not isinstance(months, list) or not all(isinstance(month, str) for month in months)
    ):
        raise SavedSearchError(
            f"{where}: months of {name!r} must be a list of YYYY-MM months, e.g. [2026-11]"
        )
    query_node = _value_node(node, "query")
    query_where = f"{source}:{_line(query_node)}" if query_node is not None else where
    try:
        return SavedSearch(
            name=name,
            query=query,
            months=tuple(months) if months is not None else None,
            notify=notify,
        )
    except QueryError as exc:
        raise SavedSearchError(f"{query_where}: saved search {name!r}: {exc}") from exc


# --- matching ------------------------------------------------------------------------------
def find_new_matches(
    index: SearchIndex,
    searches: Sequence[SavedSearch],
    month: str,
    previously_matched: Mapping[str, Sequence[int]],
) -> AlertResult:
    """For each search, the month's posts matching now that did not match last time.

    ``previously_matched`` is the ``state`` of the previous result for this month (empty the
    first time, so every match is new). A search that does not apply to ``month`` keeps its
    previous state and reports nothing.
    """
    month = validate_month(month)
    alerts: list[SearchAlert] = []
    state: dict[str, list[int]] = {}
    for search in searches:
        before = {int(post_id) for post_id in previously_matched.get(search.name, ())}
        if not search.applies_to(month):
            state[search.name] = sorted(before)
            continue
        now = index.matching_ids(search.parsed, months=[month])
        alerts.append(
            SearchAlert(
                search, matching_ids=tuple(sorted(now)), new_ids=tuple(sorted(now - before))
            )
        )
        state[search.name] = sorted(now)
    return AlertResult(month=month, alerts=tuple(alerts), state=state)


# --- rendering -----------------------------------------------------------------------------
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
        url=hn_url(post_id),
        company=_field_text(doc.get("company"), "company"),
        roles=_field_text(doc.get("roles"), "roles"),
        locations=_field_text(doc.get("locations"), "locations"),
        remote=_field_text(doc.get("remote"), "remote"),
    )


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


def _slack_lines(text: str) -> str:
    """Multi-line ``text`` shown literally in Slack, line by line (see :func:`slack_text`)."""
    return "\n".join(slack_text(line) for line in text.splitlines())


def _plural(count: int) -> str:
    return f"{count} new match{'es' if count != 1 else ''}"


def _left_out_note(quarantined: Sequence[QuarantinedPost]) -> str:
    ids = ", ".join(str(post.id) for post in quarantined)
    count = len(quarantined)
    return (
        f"{count} matching post{'s' if count != 1 else ''} could not be rendered and "
        f"{'are' if count != 1 else 'is'} left out: {ids}."
    )


def _markdown(
    month: str,
    sections: list[tuple[SavedSearch, list[_DigestRow]]],
    left_out: Sequence[QuarantinedPost],
) -> str:
    lines = [f"# New job matches, {month}", ""]
    if not sections and not left_out:
        lines.append("No saved search has new matches this time.")
        return "\n".join(lines) + "\n"
    for search, rows in sections:
        lines += [
            f"## {markdown_text(search.name)}: {_plural(len(rows))}",
            "",
            _markdown_code(str(search.parsed)),
            "",
            "| Company | Role | Location | Remote | Post |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {markdown_text(row.company) or '?'} | {markdown_text(row.roles)} | "
            f"{markdown_text(row.locations)} | {markdown_text(row.remote)} | "
            f"[{row.post_id}]({row.url}) |"
            for row in rows
        ]
        lines.append("")
    if left_out:
        lines += [_left_out_note(left_out), ""]
    return "\n".join(lines)


def _slack(
    month: str,
    sections: list[tuple[SavedSearch, list[_DigestRow]]],
    left_out: Sequence[QuarantinedPost],
) -> str:
    lines = [f"*New job matches, {month}*"]
    if not sections and not left_out:
        return lines[0] + "\nNo saved search has new matches this time."
    for search, rows in sections:
        query = slack_text(str(search.parsed))
        lines += ["", f"*{slack_text(search.name)}*: {_plural(len(rows))} for {query}"]
        for row in rows:
            cells = [row.company or "?", row.roles, row.locations]
            cells += [f"remote: {row.remote}"] if row.remote else []
            lines.append(
                f"\u2022 <{row.url}|{row.post_id}> "
                + " | ".join(slack_text(cell) for cell in cells if cell)
            )
    if left_out:
        lines += ["", _left_out_note(left_out)]
    return "\n".join(lines) + "\n"


def _plain_text(
    month: str,
    sections: list[tuple[SavedSearch, list[_DigestRow]]],
    left_out: Sequence[QuarantinedPost],
) -> str:
    lines = [f"New job matches, {month}"]
    if not sections and not left_out:
        return lines[0] + "\n\nNo saved search has new matches this time.\n"
    for search, rows in sections:
        lines += ["", f"{search.name}: {_plural(len(rows))} for {search.parsed}", ""]
        for row in rows:
            cells = [row.company or "?", row.roles, row.locations]
            cells += [f"remote: {row.remote}"] if row.remote else []
            lines += ["- " + " | ".join(cell for cell in cells if cell), f"  {row.url}"]
    if left_out:
        lines += ["", _left_out_note(left_out)]
    return "\n".join(lines) + "\n"


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
    return Digest(
        markdown=_markdown(result.month, sections, quarantined),
        slack=_slack(result.month, sections, quarantined),
        plain_text=_plain_text(result.month, sections, quarantined),
        quarantined=tuple(quarantined),
    )


def render_digest_markdown(result: AlertResult, docs_by_id: Mapping[int, Any]) -> str:
    """The markdown of :func:`render_digest` (which also says what was left out)."""
    return render_digest(result, docs_by_id).markdown


# --- delivery ------------------------------------------------------------------------------
def _with_retries(
    action: Callable[[], T],
    retry_on: tuple[type[BaseException], ...],
    attempts: int,
    backoff_s: float,
) -> T:
    for attempt in range(attempts):
        try:
            return action()
        except retry_on:
            if attempt == attempts - 1:
                raise
            time.sleep(backoff_s * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


class _RetryableHTTPError(Exception):
    pass


def _send_email(
    digest: Digest, result: AlertResult, env: Mapping[str, str], timeout_s: float
) -> str:
    host = env["HN_ALERT_SMTP_HOST"]
    port = settings.HN_ALERT_SMTP_PORT.read(env)
    allow_plaintext = settings.HN_ALERT_SMTP_ALLOW_PLAINTEXT.read(env)
    user, password = env.get("HN_ALERT_SMTP_USER"), env.get("HN_ALERT_SMTP_PASSWORD")
    recipients = [a.strip() for a in env.get("HN_ALERT_SMTP_TO", "").split(",") if a.strip()]
    if not recipients:
        raise AlertDeliveryError(
            "HN_ALERT_SMTP_HOST is set but HN_ALERT_SMTP_TO is not: set the recipient address(es)"
        )
    message = EmailMessage()
    message["Subject"] = f"HN jobs: {result.total_new} new matches for {result.month}"
    # The same digest sent twice has one Message-ID, which mail systems use to drop repeats.
    message["Message-ID"] = f"<{result.idempotency_key}@hn-jobs.invalid>"
    try:
        message["From"] = env.get("HN_ALERT_SMTP_FROM") or user or "hn-jobs@localhost"
        message["To"] = ", ".join(recipients)
    except ValueError as exc:  # a line break in an address would start a new header
        raise AlertDeliveryError(
            f"HN_ALERT_SMTP_FROM or HN_ALERT_SMTP_TO is not a valid address list ({exc}): "
            "correct it"
        ) from exc
    # Plain text only: post text in an HTML part would need its own escaping and buys nothing.
    message.set_content(digest.plain_text)
    encrypted = port == 465
    if encrypted:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout_s, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout_s)
    with smtp:
        smtp.ehlo()
        if not encrypted and smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
            encrypted = True
        if user:
            # A server that drops STARTTLS (or an attacker in the path who strips it) must
            # not get the password in clear text.
            if not encrypted and not allow_plaintext:
                raise AlertDeliveryError(
                    f"the SMTP server {host}:{port} offers no STARTTLS, so logging in as "
                    "HN_ALERT_SMTP_USER would send the password unencrypted; use port 465 or a "
                    "server with STARTTLS, or set HN_ALERT_SMTP_ALLOW_PLAINTEXT=1 if the "
                    "network to it is trusted"
                )
            smtp.login(user, password or "")
        smtp.send_message(message)
    return f"email to {', '.join(recipients)}"


def _post_webhook(
    digest: Digest, result: AlertResult, env: Mapping[str, str], timeout_s: float
) -> str:
    url = env["HN_ALERT_WEBHOOK_URL"]
    key = result.idempotency_key
    payload = {
        "text": digest.slack,
        "month": result.month,
        "new_matches": result.new_matches,
        "idempotency_key": key,
    }
    response = requests.post(url, json=payload, headers={"Idempotency-Key": key}, timeout=timeout_s)
    # Webhook URLs often embed a secret token: name only the host in messages.
    host = urlsplit(url).hostname or "the webhook"
    if response.status_code == 429 or response.status_code >= 500:
        raise _RetryableHTTPError(f"webhook at {host} answered {response.status_code}")
    if response.status_code >= 400:
        raise AlertDeliveryError(
            f"webhook at {host} refused the digest with HTTP {response.status_code}: check "
            "HN_ALERT_WEBHOOK_URL"
        )
    return f"webhook to {host}"


def deliver(
    result: AlertResult,
    digest: Digest | str,
    env: Mapping[str, str],
    *,
    timeout_s: float = 10.0,
    attempts: int = 3,
    backoff_s: float = 1.0,
) -> list[str]:
    """Send ``digest`` through each channel the environment configures; returns what was sent.

    ``digest`` is a :class:`Digest` from :func:`render_digest`: the email gets its plain
    text, the webhook its Slack text. A plain ``str`` is taken as finished text: mailed as
    it is and Slack-escaped for the webhook, so it reads literally there.

    Nothing is sent when no notifying search has new matches or nothing is configured. Every
    configured channel is tried; if any fails after its retries, :class:`AlertDeliveryError`
    names all failures (secrets and webhook paths are never included).
    """
    if not result.deliverable:
        return []
    if isinstance(digest, str):
        digest = Digest(markdown=digest, slack=_slack_lines(digest), plain_text=digest)
    channels: list[tuple[Callable[[], str], tuple[type[BaseException], ...]]] = []
    if env.get("HN_ALERT_SMTP_HOST"):
        transient_smtp = (
            smtplib.SMTPServerDisconnected,
            smtplib.SMTPConnectError,
            ConnectionError,
            TimeoutError,
        )
        channels.append((lambda: _send_email(digest, result, env, timeout_s), transient_smtp))
    if env.get("HN_ALERT_WEBHOOK_URL"):
        transient_http = (requests.ConnectionError, requests.Timeout, _RetryableHTTPError)
        channels.append((lambda: _post_webhook(digest, result, env, timeout_s), transient_http))
    delivered: list[str] = []
    failures: list[str] = []
    for send, retry_on in channels:
        try:
            delivered.append(_with_retries(send, retry_on, attempts, backoff_s))
        except (AlertDeliveryError, ConfigError) as exc:
            failures.append(str(exc))
        except smtplib.SMTPException as exc:
            failures.append(f"email delivery via {env['HN_ALERT_SMTP_HOST']} failed: {exc}")
        # Before OSError, which RequestException subclasses. requests' messages repeat the
        # URL, whose path is often a secret token, so only the host is reported.
        except (requests.RequestException, _RetryableHTTPError) as exc:
            host = urlsplit(env["HN_ALERT_WEBHOOK_URL"]).hostname or "the webhook"
            reason = str(exc) if isinstance(exc, _RetryableHTTPError) else type(exc).__name__
            failures.append(
                f"webhook delivery to {host} failed after {attempts} attempts: {reason}"
            )
        except OSError as exc:  # connection refused, DNS, timeouts after the retries
            failures.append(f"email delivery via {env['HN_ALERT_SMTP_HOST']} failed: {exc}")
    if failures:
        sent = f" (delivered: {', '.join(delivered)})" if delivered else ""
        raise AlertDeliveryError("; ".join(failures) + sent)
    return delivered
