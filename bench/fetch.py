"""Fetching HN items: one ``requests.get`` at a time (the original blog post's script) versus
:class:`LiveHackerNewsClient.items` (pooled session, 16 concurrent workers), against the local
fake API with 25 ms latency per request.  Also counts the item requests of an incremental
refresh: fetch a thread once, let 10 new posts appear, fetch again.

The fake API runs in its own process, as a remote API would, so the client and the server do
not share one interpreter lock.

    python bench/fetch.py [--json] [--items 500] [--latency 0.025] [--workers 16]

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests.fakes` lives next to the package, not inside it

from hn_assets.hackernews.client import LiveHackerNewsClient  # noqa: E402
from hn_assets.hackernews.posts import fetch_thread_posts  # noqa: E402
from hn_assets.hackernews.sample_archive import load_sample_archive  # noqa: E402
from tests.fakes.hn_server import FakeHNServer  # noqa: E402

SPEEDUP_GOAL = 15.0
NEW_POSTS = 10


def _start_server_process(latency_s: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.hn_server", "--port", "0", "--latency", str(latency_s)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # "fake HN API at http://127.0.0.1:PORT/v0 (...)"
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"the fake HN server did not start: {line!r}")
    return process, line.split(" at ", 1)[1].split()[0]


def sequential_fetch(base_url: str, ids: list[int]) -> dict[int, dict | None]:
    """The blog post's way: a fresh ``requests.get`` per item, one after another."""
    return {i: requests.get(f"{base_url}/item/{i}.json", timeout=10).json() for i in ids}


def concurrent_fetch(base_url: str, ids: list[int], workers: int) -> dict[int, dict | None]:
    with LiveHackerNewsClient(base_url, max_workers=workers) as client:
        batch = client.items(ids)
    if batch.failed:
        raise RuntimeError(f"items failed: {batch.failed}")
    return batch.items


def incremental_requests(latency_s: float) -> dict[str, int]:
    """Item requests of a first fetch and of a refresh after NEW_POSTS new posts."""
    archive = load_sample_archive()
    thread_id = archive.hiring_thread_id(archive.months[-1])
    total = len(archive.items[thread_id]["kids"])
    with (
        FakeHNServer(
            archive.visible(len(archive.months), total - NEW_POSTS), latency_s=latency_s
        ) as server,
        LiveHackerNewsClient(server.base_url) as client,
    ):
        stored, _ = fetch_thread_posts(client, thread_id, None)
        first = server.item_requests
        server.store.load(archive)
        server.reset_counts()
        refreshed, stats = fetch_thread_posts(client, thread_id, stored)
        if len(refreshed) != total:
            raise RuntimeError(f"expected {total} posts after the refresh, got {len(refreshed)}")
        return {
            "first_fetch_item_requests": first,
            "new_posts": stats.new,
            "incremental_item_requests": server.item_requests,
            "thread_posts": total,
        }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.025, help="seconds per request")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument(
        "--repeats", type=int, default=3, help="concurrent runs (median is reported)"
    )
    args = parser.parse_args(argv)
    say = (lambda *_: None) if args.json else (lambda *a: print(*a, flush=True))

    archive = load_sample_archive()
    posts = [
        kid
        for month in archive.months
        for kid in archive.items[archive.hiring_thread_id(month)]["kids"]
    ]
    ids = posts[: args.items]
    process, base_url = _start_server_process(args.latency)
    try:
        say(f"fake API at {base_url}, {len(ids)} items, {args.latency * 1000:g} ms per request")
        started = time.perf_counter()
        sequential = sequential_fetch(base_url, ids)
        sequential_s = time.perf_counter() - started
        say(f"sequential requests.get: {sequential_s:.2f} s")
        runs = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            concurrent = concurrent_fetch(base_url, ids, args.workers)
            runs.append(time.perf_counter() - started)
            if concurrent != sequential:
                raise RuntimeError("the concurrent fetch returned different items")
        concurrent_s = statistics.median(runs)
        say(
            f"LiveHackerNewsClient.items ({args.workers} workers): {concurrent_s:.2f} s (runs: "
            + ", ".join(f"{r:.2f}" for r in runs)
            + ")"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)

    incremental = incremental_requests(args.latency)
    say(
        f"incremental refresh: {incremental['new_posts']} new posts, "
        f"{incremental['incremental_item_requests']} item requests "
        f"(first fetch: {incremental['first_fetch_item_requests']})"
    )
    result = {
        "benchmark": "fetch",
        "items": len(ids),
        "latency_s": args.latency,
        "max_workers": args.workers,
        "sequential_s": round(sequential_s, 3),
        "concurrent_s": round(concurrent_s, 3),
        "concurrent_runs_s": [round(r, 3) for r in runs],
        "speedup": round(sequential_s / concurrent_s, 2),
        "speedup_goal": SPEEDUP_GOAL,
        **incremental,
        "incremental_goal": NEW_POSTS + 3,
    }
    result["meets_goals"] = (
        result["speedup"] >= SPEEDUP_GOAL
        and incremental["incremental_item_requests"] <= NEW_POSTS + 3
    )
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()
