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
"""

from __future__ import annotations

import math
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import yaml

from hn_assets.search.backends import SearchIndex
from hn_assets.search.parser import parse_query
from hn_assets.search.query import Query, QueryError, validate_month

_ALLOWED_KEYS = frozenset({"name", "query", "months", "notify"})
T = TypeVar("T")


class SavedSearchError(ValueError):
    """The saved searches file is missing or wrong; the message names the file and line."""


class AlertDeliveryError(RuntimeError):
    """A configured delivery channel failed after its retries."""


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


# --- loading -------------------------------------------------------------------------------
def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _value_node(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if key_node.value == key:
            return value_node
    return None


def load_saved_searches(path: str | os.PathLike[str]) -> list[SavedSearch]:
    """Read and check every saved search in the YAML file at ``path``."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise SavedSearchError(
            f"cannot read saved searches from {source}: {exc.strerror or exc}; copy "
            "hn_assets/saved_searches.example.yaml and set HN_SAVED_SEARCHES to its path"
        ) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else str(source)
        raise SavedSearchError(f"{where}: invalid YAML: {exc.problem or exc}") from exc
    if isinstance(root, yaml.MappingNode) and isinstance(data, dict):
        unknown = set(data) - {"searches"}
        if unknown:
            raise SavedSearchError(
                f"{source}:{_line(root)}: unknown top-level key(s) {sorted(unknown)}; "
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


def _saved_search(source: Path, node: yaml.Node, item: Any, lines: dict[str, int]) -> SavedSearch:
    where = f"{source}:{_line(node)}"
    if not isinstance(item, dict) or not isinstance(node, yaml.MappingNode):
        raise SavedSearchError(f"{where}: a saved search is a mapping with name and query")
    unknown = set(item) - _ALLOWED_KEYS
    if unknown:
        raise SavedSearchError(
            f"{where}: unknown key(s) {sorted(map(str, unknown))}; allowed: "
            f"{', '.join(sorted(_ALLOWED_KEYS))}"
        )
    name, query = item.get("name"), item.get("query")
    if not isinstance(name, str) or not name.strip():
        raise SavedSearchError(f"{where}: every saved search needs a name (text)")
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
    if months is not None and not isinstance(months, list):
        raise SavedSearchError(f"{where}: months of {name!r} must be a list of YYYY-MM")
    query_node = _value_node(node, "query")
    query_where = f"{source}:{_line(query_node)}" if query_node is not None else where
    try:
        return SavedSearch(
            name=name,
            query=query,
            months=tuple(str(month) for month in months) if months is not None else None,
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
def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        try:
            text = ", ".join(str(item) for item in value)
        except TypeError:
            text = str(value)
    return " ".join(text.replace("|", "\\|").split())


def render_digest_markdown(result: AlertResult, docs_by_id: Mapping[int, Mapping[str, Any]]) -> str:
    """A markdown digest: one section per saved search with new matches, one row per post."""
    lines = [f"# New job matches, {result.month}", ""]
    if not result.total_new:
        lines.append("No saved search has new matches this time.")
        return "\n".join(lines) + "\n"
    for alert in result.alerts:
        if not alert.new_ids:
            continue
        count = len(alert.new_ids)
        lines += [
            f"## {alert.search.name}: {count} new match{'es' if count != 1 else ''}",
            "",
            f"`{alert.search.parsed}`",
            "",
            "| Company | Role | Location | Remote | Post |",
            "|---|---|---|---|---|",
        ]
        for post_id in alert.new_ids:
            doc = docs_by_id.get(post_id, {})
            url = doc.get("hn_url") or f"https://news.ycombinator.com/item?id={post_id}"
            lines.append(
                f"| {_cell(doc.get('company')) or '?'} | {_cell(doc.get('roles'))} | "
                f"{_cell(doc.get('locations'))} | {_cell(doc.get('remote'))} | "
                f"[{post_id}]({url}) |"
            )
        lines.append("")
    return "\n".join(lines)


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


def _send_email(digest: str, result: AlertResult, env: Mapping[str, str], timeout_s: float) -> str:
    host = env["HN_ALERT_SMTP_HOST"]
    port = int(env.get("HN_ALERT_SMTP_PORT") or 587)
    user, password = env.get("HN_ALERT_SMTP_USER"), env.get("HN_ALERT_SMTP_PASSWORD")
    recipients = [a.strip() for a in env.get("HN_ALERT_SMTP_TO", "").split(",") if a.strip()]
    if not recipients:
        raise AlertDeliveryError(
            "HN_ALERT_SMTP_HOST is set but HN_ALERT_SMTP_TO is not: set the recipient address(es)"
        )
    message = EmailMessage()
    message["Subject"] = f"HN jobs: {result.total_new} new matches for {result.month}"
    message["From"] = env.get("HN_ALERT_SMTP_FROM") or user or "hn-jobs@localhost"
    message["To"] = ", ".join(recipients)
    message.set_content(digest)
    if port == 465:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout_s, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout_s)
    with smtp:
        smtp.ehlo()
        if port != 465 and smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if user:
            smtp.login(user, password or "")
        smtp.send_message(message)
    return f"email to {', '.join(recipients)}"


def _post_webhook(
    digest: str, result: AlertResult, env: Mapping[str, str], timeout_s: float
) -> str:
    url = env["HN_ALERT_WEBHOOK_URL"]
    payload = {"text": digest, "month": result.month, "new_matches": result.new_matches}
    response = requests.post(url, json=payload, timeout=timeout_s)
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
    digest: str,
    env: Mapping[str, str],
    *,
    timeout_s: float = 10.0,
    attempts: int = 3,
    backoff_s: float = 1.0,
) -> list[str]:
    """Send ``digest`` through each channel the environment configures; returns what was sent.

    Nothing is sent when no notifying search has new matches or nothing is configured. Every
    configured channel is tried; if any fails after its retries, :class:`AlertDeliveryError`
    names all failures (secrets and webhook paths are never included).
    """
    if not result.deliverable:
        return []
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
        except AlertDeliveryError as exc:
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
