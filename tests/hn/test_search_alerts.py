"""Saved searches, new-match detection, the markdown digest and delivery (SMTP, webhook)."""

from __future__ import annotations

import email
import email.policy
import json
import re
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hn_assets.search.delivery import AlertDeliveryError, deliver
from hn_assets.search.digest import DIGEST_STAGE, render_digest, render_digest_markdown
from hn_assets.search.local_index import LocalIndex
from hn_assets.search.matching import AlertResult, SearchAlert, find_new_matches
from hn_assets.search.saved_searches import SavedSearch, SavedSearchError, load_saved_searches
from hn_assets.search.sync import sync_month
from tests.fakes.synthetic_posts import synthetic_posts

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
        ("searches:\n  - name: a\n    query: planet:Mars\n", "unknown field 'planet'"),
        ("searches:\n  - name: a\n    query: rust\n    months: [2026-13]\n", "YYYY-MM"),
        ("searches: rust\n", "expected a list of saved searches"),
        ("searches:\n  - query: rust\n", "needs a name"),
        ("", "expected a list of saved searches"),
        ("searches:\n  - name: a\n    query: [rust]\n", "needs a query (text)"),
        ("searches:\n  - name: a\n    query: rust\n    notify: maybe\n", "true or false"),
        ("searches:\n  - name: a\n    query: rust\n    months: [2026-11-01]\n", "YYYY-MM"),
        ("searches:\n  - name: a\n    query: rust\n    months: [[2026-11]]\n", "YYYY-MM"),
        ("searches:\n  - name: a\n    query: rust\n    months: {a: 1}\n", "YYYY-MM"),
        ("searches:\n  - name: a\n    query: rust\n    query: go\n", ":4: the key 'query'"),
        ("searches: []\nsearches: []\n", ":2: the key 'searches' is already given"),
        ('searches:\n  - name: "a\\nb"\n    query: rust\n', "line break or control"),
        ("1: x\nsearches: []\n", "unknown top-level key(s) ['1']"),
        ("searches:\n  - name: a\n    query: rust\n    7: x\n", "unknown key(s) ['7']"),
        ("searches: []\n---\nsearches: []\n", ":2:1: invalid YAML: expected a single document"),
        ("searches: !!python/object:os.system []\n", "invalid YAML"),
        ("searches:\n  - name: a\n    query: \x07\n", ":3: invalid YAML: the character U+0007"),
        (
            "searches:\n  - name: a\n    query: '" + "a OR (b AND (" * 10 + "c" + "))" * 10 + "'\n",
            ":3: saved search 'a': query nests more than",
        ),
        # A "billion laughs": aliases multiply a few lines into a huge structure.
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "searches:\n  - name: bomb\n    query: rust\n    months: [*b, *b, *b, *b]\n",
            ":1: YAML anchors and aliases",
        ),
        ("searches: " + "[" * 5000 + "]" * 5000 + "\n", ":1: nested more than"),
        (
            "searches:\n" + "".join("  " * depth + "k:\n" for depth in range(1, 20)),
            ":9: nested more than",
        ),
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
    with pytest.raises(SavedSearchError, match="HN_SAVED_SEARCHES"):
        load_saved_searches(tmp_path)  # a directory


def test_a_file_that_is_not_utf8_or_far_too_large_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "searches.yaml"
    path.write_bytes(b"searches:\n  - name: caf\xe9\n    query: rust\n")
    with pytest.raises(SavedSearchError, match=r"searches.yaml:2: not UTF-8 text"):
        load_saved_searches(path)
    path.write_bytes(b"searches:\n" + b"  - {name: a, query: rust}\n" * 100_000)
    with pytest.raises(SavedSearchError, match="larger than"):
        load_saved_searches(path)


def test_a_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "searches.yaml"
    path.write_bytes("\ufeffsearches:\n  - {name: a, query: rust}\n".encode())
    assert [s.name for s in load_saved_searches(path)] == ["a"]


_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["searches", "name", "query", "months", "notify", "x"])
            | st.text(max_size=5),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_yaml_values, raw=st.text(max_size=60))
def test_no_file_content_escapes_as_anything_but_saved_search_error(
    tmp_path_factory: pytest.TempPathFactory, data: object, raw: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "searches.yaml"
    for content in (yaml.safe_dump(data), yaml.safe_dump({"searches": [data]}), raw):
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
        try:
            load_saved_searches(path)
        except SavedSearchError as error:
            assert str(path) in str(error)


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
    """Just enough SMTP for smtplib: EHLO (offering AUTH, never STARTTLS), AUTH, MAIL, RCPT,
    DATA, QUIT. Every command line is kept, so a test can see what went over the wire."""

    messages: list[dict]
    commands: list[str]

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 localhost test SMTP")
        envelope: dict = {"to": []}
        while line := self.rfile.readline().decode():
            command = line.strip().upper()
            self.commands.append(line.strip())
            if command.startswith(("EHLO", "HELO")):
                self.reply("250-localhost")
                self.reply("250 AUTH PLAIN LOGIN")
            elif command.startswith("AUTH"):
                self.reply("235 2.7.0 authenticated")
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


@dataclass
class FakeSMTP:
    port: int
    messages: list[dict]
    commands: list[str]


@pytest.fixture
def fake_smtp() -> Iterator[FakeSMTP]:
    handler = type("Handler", (_SMTPHandler,), {"messages": [], "commands": []})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield FakeSMTP(server.server_address[1], handler.messages, handler.commands)
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp_server(fake_smtp: FakeSMTP) -> tuple[int, list[dict]]:
    return fake_smtp.port, fake_smtp.messages


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


# --- hostile posts -------------------------------------------------------------------------
HOSTILE = (
    "<!channel> <!here> <@U123> [click](javascript:alert(1)) ![img](http://t/p.gif) "
    "<a href='javascript:alert(2)'>x</a> &amp; &#106;avascript: `code` <script>alert(3)</script>"
    "\n# heading\n\n| fake | row |\u202eevil"
)


def hostile_result() -> tuple[AlertResult, dict[int, dict]]:
    search = SavedSearch("remote", "remote:true")
    docs = {
        101: {
            "company": HOSTILE,
            "roles": np.array(["engineer | lead", "<!everyone>"], dtype=object),
            "locations": ["Berlin\n# not a heading", None, float("nan")],
            "remote": np.bool_(True),
            "hn_url": "javascript:alert(4)",  # never used: links are built from the id
        },
        102: {"company": "Acme", "roles": ["sre"], "locations": [], "remote": False},
    }
    alert = SearchAlert(search, matching_ids=(101, 102), new_ids=(101, 102))
    return AlertResult(month=MONTH, alerts=(alert,), state={"remote": [101, 102]}), docs


def test_hostile_post_text_renders_as_inert_markdown() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    result, docs = hostile_result()
    digest = render_digest(result, docs)
    # A permissive renderer (raw HTML on, tables on) must still show only text and our links.
    html = (
        markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(digest.markdown)
    )
    assert "<script" not in html and "<img" not in html and "<a href='javascript" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs == [
        "https://news.ycombinator.com/item?id=101",
        "https://news.ycombinator.com/item?id=102",
    ]
    assert html.count("<h1>") == 1 and html.count("<h2>") == 1  # no heading from a post
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    assert len(rows) == 3  # the header and one row per post: no newline or | broke out
    assert all(row.count("<td>") == 5 for row in rows[1:])
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in rows[1]
    assert "\u202e" not in digest.markdown and "\\# heading \\| fake \\| row \\|evil |" in (
        digest.markdown
    )
    assert "| engineer \\| lead, &lt;\\!everyone&gt; | Berlin \\# not a heading | yes |" in (
        digest.markdown
    )


def test_hostile_post_text_cannot_mention_or_link_in_slack(webhook) -> None:
    result, docs = hostile_result()
    digest = render_digest(result, docs)
    assert deliver(result, digest, {"HN_ALERT_WEBHOOK_URL": webhook.url}) == [
        "webhook to 127.0.0.1"
    ]
    text = webhook.received[-1]["text"]
    assert text == digest.slack
    # Slack acts on <...> only: every one left is a link we made to an HN item.
    assert re.findall(r"<([^>]*)>", text) == [
        "https://news.ycombinator.com/item?id=101|101",
        "https://news.ycombinator.com/item?id=102|102",
    ]
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt;" in text
    assert "&lt;!everyone&gt;" in text and "javascript:alert(4)" not in text
    assert "&amp;amp; &amp;#106;avascript:" in text  # entities in a post stay literal
    assert "\n# heading" not in text


def test_a_plain_string_digest_is_slack_escaped_for_the_webhook(result, webhook) -> None:
    deliver(result, "<!channel> look\nsecond line", {"HN_ALERT_WEBHOOK_URL": webhook.url})
    assert webhook.received[-1]["text"] == "&lt;!channel&gt; look\nsecond line"


def test_hostile_post_text_is_plain_text_in_the_email(fake_smtp) -> None:
    result, docs = hostile_result()
    digest = render_digest(result, docs)
    env = {
        "HN_ALERT_SMTP_HOST": "127.0.0.1",
        "HN_ALERT_SMTP_PORT": str(fake_smtp.port),
        "HN_ALERT_SMTP_TO": "me@example.com",
    }
    deliver(result, digest, env)
    (sent,) = fake_smtp.messages
    message = email.message_from_string(sent["data"], policy=email.policy.default)
    assert not message.is_multipart() and message.get_content_type() == "text/plain"
    body = message.get_content().replace("\r\n", "\n")
    assert body == digest.plain_text
    post_line = next(line for line in body.splitlines() if "<!channel>" in line)
    assert post_line.startswith("- <!channel>") and "# heading" in post_line  # one line
    assert not any(line.startswith(("# heading", "| fake")) for line in body.splitlines())
    assert "  https://news.ycombinator.com/item?id=101" in body.splitlines()


def test_a_post_that_cannot_be_rendered_is_left_out_and_reported() -> None:
    search = SavedSearch("remote", "remote:true")
    docs = {
        1: {"company": "Good One", "roles": np.array(["sre"]), "remote": True},
        2: {"company": {"nested": "dict"}},
        3: {"company": "Grid", "roles": np.array([["a", "b"], ["c", "d"]])},
        4: None,
        5: {"company": float("nan"), "roles": None, "locations": pd.NA, "remote": None},
        6: {"company": object()},
    }
    alert = SearchAlert(search, matching_ids=tuple(docs), new_ids=tuple(docs))
    result = AlertResult(month=MONTH, alerts=(alert,), state={})
    digest = render_digest(result, docs)
    assert [(post.id, post.stage) for post in digest.quarantined] == [
        (2, DIGEST_STAGE),
        (3, DIGEST_STAGE),
        (4, DIGEST_STAGE),
        (6, DIGEST_STAGE),
    ]
    assert "company holds a dict" in digest.quarantined[0].error
    assert "## remote: 2 new matches" in digest.markdown
    assert "| Good One | sre |  | yes | [1](" in digest.markdown
    assert "| ? |  |  |  | [5](" in digest.markdown
    for text in (digest.markdown, digest.slack, digest.plain_text):
        assert "4 matching posts could not be rendered and are left out: 2, 3, 4, 6." in text
    assert render_digest_markdown(result, docs) == digest.markdown


# --- SMTP without TLS ----------------------------------------------------------------------
def smtp_env(fake_smtp, **extra: str) -> dict[str, str]:
    return {
        "HN_ALERT_SMTP_HOST": "127.0.0.1",
        "HN_ALERT_SMTP_PORT": str(fake_smtp.port),
        "HN_ALERT_SMTP_TO": "me@example.com",
        **extra,
    }


def test_no_password_goes_to_a_server_without_starttls(result, fake_smtp) -> None:
    env = smtp_env(fake_smtp, HN_ALERT_SMTP_USER="me", HN_ALERT_SMTP_PASSWORD="s3cret")
    with pytest.raises(AlertDeliveryError) as raised:
        deliver(result, "# digest", env, backoff_s=0.01)
    message = str(raised.value)
    assert "offers no STARTTLS" in message and "HN_ALERT_SMTP_ALLOW_PLAINTEXT=1" in message
    assert "\n" not in message and "s3cret" not in message
    assert not any(command.upper().startswith("AUTH") for command in fake_smtp.commands)
    assert fake_smtp.messages == []


def test_plaintext_login_happens_only_when_allowed(result, fake_smtp) -> None:
    env = smtp_env(
        fake_smtp,
        HN_ALERT_SMTP_USER="me",
        HN_ALERT_SMTP_PASSWORD="s3cret",
        HN_ALERT_SMTP_ALLOW_PLAINTEXT="1",
    )
    assert deliver(result, "# digest", env) == ["email to me@example.com"]
    assert any(command.upper().startswith("AUTH") for command in fake_smtp.commands)
    assert len(fake_smtp.messages) == 1


def test_without_a_user_mail_goes_out_over_plaintext_without_auth(result, fake_smtp) -> None:
    assert deliver(result, "# digest", smtp_env(fake_smtp)) == ["email to me@example.com"]
    assert not any(command.upper().startswith("AUTH") for command in fake_smtp.commands)
    assert len(fake_smtp.messages) == 1


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("HN_ALERT_SMTP_ALLOW_PLAINTEXT", "maybe"),
        ("HN_ALERT_SMTP_PORT", "smtp"),
        ("HN_ALERT_SMTP_PORT", "70000"),
        ("HN_ALERT_SMTP_TO", "me@example.com\r\nBcc: them@example.com"),
    ],
)
def test_bad_smtp_settings_are_named(result, fake_smtp, setting: str, value: str) -> None:
    env = smtp_env(fake_smtp, HN_ALERT_SMTP_USER="me", **{setting: value})
    with pytest.raises(AlertDeliveryError, match=setting):
        deliver(result, "# digest", env, backoff_s=0.01)
    assert fake_smtp.messages == []
