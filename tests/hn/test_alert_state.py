"""Each digest is delivered once: across a run that dies between sending and saving, and
across two runs of one month at the same time. A local webhook receiver counts deliveries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from hn_assets.search.alert_state import AlertStateError, run_month_alerts
from hn_assets.search.local_index import LocalIndex
from hn_assets.search.saved_searches import SavedSearch
from hn_assets.search.sync import sync_month
from tests.fakes.synthetic_posts import synthetic_posts

MONTH = "2026-11"
SEARCHES = [SavedSearch("remote", "remote:true")]


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str | None, dict]]

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.headers.get("Idempotency-Key"), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[type[_Receiver]]:
    handler = type("Receiver", (_Receiver,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    handler.env = {"HN_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{server.server_address[1]}/hook"}
    yield handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def month_index(tmp_path: Path) -> tuple[Path, dict[int, dict]]:
    posts = synthetic_posts(60, months=[MONTH], seed=31)
    with LocalIndex(tmp_path / "index") as index:
        sync_month(index, MONTH, pd.DataFrame(posts))
    return tmp_path / "index", {int(p["id"]): p for p in posts}


def _run(index_path: Path, docs: dict[int, dict], directory: Path, env: dict[str, str]):
    with LocalIndex(index_path) as index:
        return run_month_alerts(index, SEARCHES, MONTH, directory, docs, env)


def test_a_run_that_died_before_saving_its_state_sends_nothing_twice(
    month_index, receiver, tmp_path
):
    index_path, docs = month_index
    alerts = tmp_path / "alerts"
    first = _run(index_path, docs, alerts, receiver.env)
    assert first.delivered and len(receiver.received) == 1
    key, body = receiver.received[0]
    assert key == body["idempotency_key"] == first.result.idempotency_key

    # The run died after sending, before saving its state: the same new matches come back.
    (alerts / f"{MONTH}.state.json").unlink()
    again = _run(index_path, docs, alerts, receiver.env)
    assert again.already_sent and again.delivered == []
    assert len(receiver.received) == 1
    assert again.result.new_matches == first.result.new_matches

    # Died even before the ledger was written: sent again, with the same key to drop it by.
    (alerts / f"{MONTH}.state.json").unlink()
    (alerts / f"{MONTH}.delivered.json").unlink()
    _run(index_path, docs, alerts, receiver.env)
    assert [k for k, _ in receiver.received] == [key, key]

    # Nothing new afterwards: nothing sent.
    assert _run(index_path, docs, alerts, receiver.env).result.total_new == 0
    assert len(receiver.received) == 2


def test_two_runs_of_one_month_at_once_deliver_one_digest(month_index, receiver, tmp_path):
    index_path, docs = month_index
    alerts = tmp_path / "alerts"
    start = threading.Barrier(3)
    outcomes = []

    def run() -> None:
        start.wait()
        outcomes.append(_run(index_path, docs, alerts, receiver.env))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 3
    assert len(receiver.received) == 1
    assert sorted(bool(o.delivered) for o in outcomes) == [False, False, True]


def test_a_state_file_from_elsewhere_is_a_clear_error(month_index, tmp_path):
    index_path, docs = month_index
    alerts = tmp_path / "alerts"
    alerts.mkdir()
    (alerts / f"{MONTH}.state.json").write_text("{not json")
    with pytest.raises(AlertStateError, match="delete it"):
        _run(index_path, docs, alerts, {})
    (alerts / f"{MONTH}.state.json").write_text("[1, 2]")
    with pytest.raises(AlertStateError, match="delete them"):
        _run(index_path, docs, alerts, {})
