"""The fake HN API itself: Firebase shapes, a mutable store, clean start and stop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from hn_assets.hackernews.client import LiveHackerNewsClient
from hn_assets.hackernews.sample_archive import load_sample_archive
from tests.fakes.hn_server import FakeHNServer, FaultPlan

ROOT = Path(__file__).resolve().parents[2]


def test_serves_firebase_shapes_and_counts_requests() -> None:
    archive = load_sample_archive().visible(2)
    thread_id = archive.hiring_thread_id(archive.months[-1])
    with FakeHNServer(archive) as server:
        base = server.base_url
        assert base.startswith("http://127.0.0.1:") and server.port != 0
        item = requests.get(f"{base}/item/{thread_id}.json?print=pretty", timeout=5)
        assert item.headers["Content-Type"].startswith("application/json")
        assert item.json() == archive.items[thread_id]
        assert requests.get(f"{base}/item/1.json", timeout=5).text == "null"
        assert (
            requests.get(f"{base}/user/whoishiring.json", timeout=5).json()["id"] == "whoishiring"
        )
        assert requests.get(f"{base}/maxitem.json", timeout=5).json() == archive.max_item_id
        assert requests.get(f"{base}/topstories.json", timeout=5).status_code == 401
        assert server.requests[f"/v0/item/{thread_id}.json"] == 1
        assert server.item_requests == 2
        server.reset_counts()
        assert server.item_requests == 0


def test_store_changes_while_running() -> None:
    archive = load_sample_archive()
    thread_id = archive.hiring_thread_id(archive.months[0])
    thread = archive.items[thread_id]
    new_posts = [
        {
            "by": "newcomer",
            "id": 90_000_000 + i,
            "parent": thread_id,
            "text": f"Acme {i} | Engineer | NYC",
            "time": thread["time"] + 99_999,
            "type": "comment",
        }
        for i in range(3)
    ]
    with (
        FakeHNServer(archive) as server,
        LiveHackerNewsClient(server.base_url, timeout_s=2) as client,
    ):
        before = client.item(thread_id)["kids"]
        server.store.add_kids(thread_id, new_posts)
        after = client.item(thread_id)
        assert after["kids"] == before + [p["id"] for p in new_posts]
        assert after["descendants"] == thread["descendants"] + 3
        assert client.item(new_posts[0]["id"]) == new_posts[0]
        server.store.load(archive.visible(1, 5))
        assert len(client.item(thread_id)["kids"]) == 5
    assert archive.items[thread_id] is thread and len(thread["kids"]) == len(before), (
        "archive untouched"
    )


def test_faults_are_reproducible_per_path_and_attempt() -> None:
    plan = FaultPlan(fault_rate=0.3, seed=5)
    first = [plan.fault_for(f"/v0/item/{i}.json", n) for i in range(200) for n in range(3)]
    again = [
        FaultPlan(fault_rate=0.3, seed=5).fault_for(f"/v0/item/{i}.json", n)
        for i in range(200)
        for n in range(3)
    ]
    assert first == again
    assert 0.2 < sum(f is not None for f in first) / len(first) < 0.4
    assert {f for f in first if f} == {"5xx", "429", "hang", "malformed"}


def test_stops_promptly_while_a_request_hangs() -> None:
    archive = load_sample_archive().visible(1)
    server = FakeHNServer(archive, fault_rate=1.0, faults=("hang",), hang_s=60).start()
    with LiveHackerNewsClient(server.base_url, timeout_s=0.2, max_retries=0) as client:
        batch = client.items([archive.max_item_id])
    assert "timed out" in batch.failed[archive.max_item_id]
    started = time.perf_counter()
    server.stop()
    assert time.perf_counter() - started < 5


def test_runs_as_a_module_and_exits_on_sigterm() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.hn_server", "--port", "0", "--months", "5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        base = line.split(" at ", 1)[1].split()[0]
        user = json.loads(requests.get(f"{base}/user/whoishiring.json", timeout=5).text)
        months = load_sample_archive().months
        assert len(user["submitted"]) == len(
            load_sample_archive().visible(5).users["whoishiring"]["submitted"]
        )
        assert months[4] in line and months[5] not in line
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
