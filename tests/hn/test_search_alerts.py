"""Saved searches, new-match detection, the markdown digest and delivery (SMTP, webhook)."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from hn_assets.search.alerts import (
    AlertDeliveryError,
    SavedSearch,
    SavedSearchError,
    deliver,
    find_new_matches,
    load_saved_searches,
    render_digest_markdown,
)
from hn_assets.search.local_index import LocalIndex
from hn_assets.search.sync import sync_month
from hn_assets.search.synthetic import synthetic_posts

EXAMPLE = Path(__file__).resolve().parents[2] / "hn_assets" / "saved_searches.example.yaml"
MONTH = "2026-11"


def test_the_shipped_example_loads() -> None:
    searches = load_saved_searches(EXAMPLE)
    assert [s.name for s in searches][:2] == ["bay-area-ml", "remote-rust"]
    assert str(searches[0].parsed) == (
        '("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")'
    )
    assert any(not s.notify for s in searches)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("searches:\n  - name: a\n    query: rust\n   bad: [\n", ":4:"),
        (
            "searches:\n  - name: ok\n    query: rust\n  - name: broken\n    query: '(rust OR'\n",
            ":5: saved search 'broken': expected a term after OR",
        ),
        (
            "searches:\n  - name: a\n    query: rust\n  - name: a\n    query: go\n",
            "already used on line 2",
        ),
        ("searches:\n  - name: a\n    query: rust\n    email: me@x\n", "unknown key(s) ['email']"),
        ("searches:\n  - name: a\n    query: city:Berlin\n", "unknown field 'city'"),
        ("searches:\n  - name: a\n    query: rust\n    months: [2026-13]\n", "YYYY-MM"),
        ("searches: rust\n", "expected a list of saved searches"),
        ("searches:\n  - query: rust\n", "needs a name"),
    ],
)
def test_bad_saved_search_files_name_the_file_and_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "searches.yaml"
    path.write_text(content)
    with pytest.raises(SavedSearchError) as raised:
        load_saved_searches(path)
    assert str(path) in str(raised.value)
    assert message in str(raised.value)


def test_a_query_error_keeps_the_caret(tmp_path: Path) -> None:
    path = tmp_path / "searches.yaml"
    path.write_text("- name: a\n  query: 'rust AND'\n")
    with pytest.raises(SavedSearchError) as raised:
        load_saved_searches(path)
    assert str(raised.value).splitlines()[-2:] == ["  rust AND", "          ^"]


def test_missing_file_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(SavedSearchError, match="HN_SAVED_SEARCHES"):
        load_saved_searches(tmp_path / "nope.yaml")


@pytest.fixture
def index(tmp_path: Path) -> Iterator[LocalIndex]:
    index = LocalIndex(tmp_path / "index")
    index.ensure_index()
    yield index
    index.close()


def test_only_posts_that_newly_match_are_reported(index: LocalIndex) -> None:
    posts = pd.DataFrame(synthetic_posts(120, months=[MONTH], seed=21))
    searches = [
        SavedSearch("sf-ml", '"san francisco" AND "machine learning"'),
        SavedSearch("remote", "remote:true"),
        SavedSearch("december-only", "rust", months=("2026-12",)),
    ]
    sync_month(index, MONTH, posts.iloc[:80])
    first = find_new_matches(index, searches, MONTH, {})
    expected_first = {
        s.name: sorted(
            int(p["id"]) for p in posts.iloc[:80].to_dict("records") if s.parsed.matches(p)
        )
        for s in searches[:2]
    }
    assert first.new_matches == {k: v for k, v in expected_first.items() if v}
    assert [a.search.name for a in first.alerts] == ["sf-ml", "remote"]
    state = json.loads(json.dumps(first.state))  # what the asset stores between runs

    sync_month(index, MONTH, posts.iloc[10:])  # 10 posts vanished, 40 appeared
    second = find_new_matches(index, searches, MONTH, state)
    records = posts.iloc[10:].to_dict("records")
    for search in searches[:2]:
        now = {int(p["id"]) for p in records if search.parsed.matches(p)}
        assert set(second.state[search.name]) == now
        assert set(second.new_matches.get(search.name, [])) == now - set(state[search.name])
        assert all(
            post_id >= posts["id"].iloc[80] for post_id in second.new_matches.get(search.name, [])
        )
    assert second.state["december-only"] == []
    assert second.total_new == sum(len(ids) for ids in second.new_matches.values()) > 0

    third = find_new_matches(index, searches, MONTH, second.state)
    assert third.total_new == 0 and not third.deliverable


def test_digest_lists_new_matches_with_links(index: LocalIndex) -> None:
    posts = synthetic_posts(40, months=[MONTH], seed=22)
    posts[0].update(company="Pipe | Co", remote=True)
    sync_month(index, MONTH, pd.DataFrame(posts))
    result = find_new_matches(index, [SavedSearch("remote", "remote:true")], MONTH, {})
    digest = render_digest_markdown(result, {p["id"]: p for p in posts})
    assert digest.startswith(f"# New job matches, {MONTH}")
    assert f"## remote: {result.total_new} new matches" in digest
    assert "`remote:true`" in digest
    assert "| Pipe \\| Co |" in digest
    assert f"[{posts[0]['id']}]({posts[0]['hn_url']})" in digest
    table_rows = [line for line in digest.splitlines() if line.startswith("| ") and "](" in line]
    assert len(table_rows) == result.total_new
    empty = find_new_matches(index, [SavedSearch("remote", "remote:true")], MONTH, result.state)
    assert "No saved search has new matches" in render_digest_markdown(empty, {})


# --- delivery ------------------------------------------------------------------------------
class _Webhook(BaseHTTPRequestHandler):
    statuses: list[int]
    received: list[dict]

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(self.statuses.pop(0) if self.statuses else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[type[_Webhook]]:
    handler = type("Handler", (_Webhook,), {"statuses": [], "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T0KEN"
    yield handler
    server.shutdown()
    server.server_close()


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""

    messages: list[dict]

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 localhost test SMTP")
        envelope: dict = {"to": []}
        while line := self.rfile.readline().decode():
            command = line.strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 localhost")
            elif command.startswith("MAIL FROM"):
                envelope["from"] = line.strip()[10:]
                self.reply("250 OK")
            elif command.startswith("RCPT TO"):
                envelope["to"].append(line.strip()[8:])
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                body = []
                while (data := self.rfile.readline().decode()) not in (".\r\n", ""):
                    body.append(data)
                envelope["data"] = "".join(body)
                self.messages.append(envelope)
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[dict]]]:
    handler = type("Handler", (_SMTPHandler,), {"messages": []})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1], handler.messages
    server.shutdown()
    server.server_close()


@pytest.fixture
def result(index: LocalIndex):
    sync_month(index, MONTH, pd.DataFrame(synthetic_posts(30, months=[MONTH], seed=23)))
    searches = [
        SavedSearch("remote", "remote:true"),
        SavedSearch("quiet", "onsite:true", notify=False),
    ]
    return find_new_matches(index, searches, MONTH, {})


def test_nothing_is_delivered_unless_configured(result) -> None:
    assert result.total_new > 0
    assert deliver(result, "digest", {}) == []


def test_webhook_gets_the_digest_as_json_and_transient_errors_are_retried(result, webhook) -> None:
    webhook.statuses = [503]
    delivered = deliver(result, "# digest", {"HN_ALERT_WEBHOOK_URL": webhook.url}, backoff_s=0.01)
    assert delivered == ["webhook to 127.0.0.1"]
    assert len(webhook.received) == 2
    payload = webhook.received[-1]
    assert payload["text"] == "# digest" and payload["month"] == MONTH
    assert payload["new_matches"] == {k: v for k, v in result.new_matches.items()}


def test_webhook_refusal_is_an_error_that_hides_the_token(result, webhook) -> None:
    webhook.statuses = [404]
    with pytest.raises(AlertDeliveryError, match="HTTP 404") as raised:
        deliver(result, "# digest", {"HN_ALERT_WEBHOOK_URL": webhook.url}, backoff_s=0.01)
    assert "T0KEN" not in str(raised.value)
    assert len(webhook.received) == 1  # a 4xx is not retried


def test_unreachable_webhook_is_retried_then_reported(result) -> None:
    env = {"HN_ALERT_WEBHOOK_URL": "http://127.0.0.1:9/hooks/T0KEN"}
    with pytest.raises(AlertDeliveryError, match="after 2 attempts") as raised:
        deliver(result, "# digest", env, attempts=2, backoff_s=0.01, timeout_s=2)
    assert "T0KEN" not in str(raised.value)


def test_email_is_sent_over_smtp(result, smtp_server) -> None:
    port, messages = smtp_server
    env = {
        "HN_ALERT_SMTP_HOST": "127.0.0.1",
        "HN_ALERT_SMTP_PORT": str(port),
        "HN_ALERT_SMTP_FROM": "alerts@example.com",
        "HN_ALERT_SMTP_TO": "me@example.com, you@example.com",
    }
    assert deliver(result, "# the digest", env) == ["email to me@example.com, you@example.com"]
    (message,) = messages
    assert message["to"] == ["<me@example.com>", "<you@example.com>"]
    assert f"Subject: HN jobs: {result.total_new} new matches for {MONTH}" in message["data"]
    assert "# the digest" in message["data"]


def test_email_without_recipients_is_a_configuration_error(result) -> None:
    with pytest.raises(AlertDeliveryError, match="HN_ALERT_SMTP_TO"):
        deliver(result, "# digest", {"HN_ALERT_SMTP_HOST": "127.0.0.1"})


def test_searches_with_notify_off_are_never_delivered(index: LocalIndex, webhook) -> None:
    sync_month(index, MONTH, pd.DataFrame(synthetic_posts(30, months=[MONTH], seed=24)))
    quiet = find_new_matches(index, [SavedSearch("quiet", "remote:true", notify=False)], MONTH, {})
    assert quiet.total_new > 0
    assert deliver(quiet, "# digest", {"HN_ALERT_WEBHOOK_URL": webhook.url}) == []
    assert webhook.received == []
