"""LocalIndex with several writer processes at once (issue #12: two refreshes of one month
indexed each of its posts twice).

The writers are real processes started with ``spawn`` and released together by a barrier, so
their writes overlap on tantivy's lock file as two ``hn-jobs refresh`` runs would.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from multiprocessing.context import SpawnContext, SpawnProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import pytest

from hn_assets.search.documents import normalize_documents
from hn_assets.search.local_index import LocalIndex
from hn_assets.search.parser import parse_query
from hn_assets.search.query import Query
from tests.fakes.synthetic_posts import synthetic_posts

MONTH = "2026-11"
BATCH = 300
ROUNDS = 4
#: Generous: a spawned process imports pandas and tantivy on a possibly busy machine.
PROCESS_WAIT_S = 120.0


def _posts(count: int = BATCH) -> list[dict[str, Any]]:
    return synthetic_posts(count, months=[MONTH], seed=12)


def _spawn() -> SpawnContext:
    return multiprocessing.get_context("spawn")


def _finish(processes: list[SpawnProcess]) -> None:
    for process in processes:
        process.join(PROCESS_WAIT_S)
        if process.is_alive():
            process.kill()
            pytest.fail(f"writer process {process.pid} did not finish in {PROCESS_WAIT_S}s")
        assert process.exitcode == 0


def _collect(results: Queue[Any], count: int) -> list[Any]:
    return [results.get(timeout=PROCESS_WAIT_S) for _ in range(count)]


# --- process bodies: module level, so that spawned processes can import them -----------------
def _upsert_each(paths: list[str], start: Barrier, results: Queue[Any], worker: int) -> None:
    """For every index in turn: wait for the other writers, then ensure_index and upsert."""
    posts = _posts()
    for path in paths:
        index = LocalIndex(path)
        try:
            start.wait(PROCESS_WAIT_S)
            began = time.monotonic()
            index.ensure_index()
            written = index.upsert(posts)
            ended = time.monotonic()
            results.put((path, worker, written, index.count(), began, ended))
        except Exception as exc:  # reported to the test, which fails on it
            results.put((path, worker, repr(exc), -1, 0.0, 0.0))
        finally:
            index.close()


def _upsert_once(path: str, ready: Event, results: Queue[Any]) -> None:
    index = LocalIndex(path)
    posts = _posts()
    ready.set()
    began = time.monotonic()
    try:
        written: int | str = index.upsert(posts)
    except Exception as exc:
        written = repr(exc)
    results.put((written, index.count(), time.monotonic() - began))


def _delete(path: str, ids: list[int], start: Barrier, results: Queue[Any]) -> None:
    index = LocalIndex(path)
    start.wait(PROCESS_WAIT_S)
    try:
        results.put(index.delete(ids))
    except Exception as exc:
        results.put(repr(exc))


# --- tests -----------------------------------------------------------------------------------
def _assert_one_copy_each(path: Path, posts: list[dict[str, Any]]) -> None:
    index = LocalIndex(path)
    ids = sorted(post["id"] for post in posts)
    assert index.count() == len(ids)
    assert index.ids_for_month(MONTH) == set(ids)
    everything = index.search(Query(must={"month": MONTH}), size=2 * len(ids))
    assert sorted(hit.id for hit in everything) == ids
    term = parse_query("engineer")
    expected = sorted(post["id"] for post in posts if term.matches(post))
    assert expected, "the term should match some of the posts"
    assert sorted(hit.id for hit in index.search(term, size=2 * len(ids))) == expected
    index.close()


@pytest.mark.parametrize("writers", [2, 3])
def test_writers_upserting_the_same_posts_at_once_leave_one_copy_each(
    tmp_path: Path, writers: int
) -> None:
    posts = _posts()
    paths = [tmp_path / f"round-{round_}" / "index" for round_ in range(ROUNDS)]
    # Odd rounds start from an index that already holds an older copy of part of the batch,
    # as a second refresh of a month does; even rounds race on creating the index too.
    for path in paths[1::2]:
        with LocalIndex(path) as earlier:
            earlier.ensure_index()
            earlier.upsert([{**post, "text": f"older {post['text']}"} for post in posts[:100]])

    context = _spawn()
    start = context.Barrier(writers)
    results = context.Queue()
    processes = [
        context.Process(target=_upsert_each, args=([str(p) for p in paths], start, results, n))
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    reports = _collect(results, writers * ROUNDS)
    _finish(processes)

    overlapped = 0
    for path in paths:
        ours = [report for report in reports if report[0] == str(path)]
        assert len(ours) == writers
        for _, worker, written, count_after, _, _ in ours:
            # Every state a writer can see has one copy of each post, never one per writer.
            assert (written, count_after) == (BATCH, BATCH), f"writer {worker} in {path}"
        began = [report[4] for report in ours]
        ended = [report[5] for report in ours]
        overlapped += max(began) < min(ended)
        _assert_one_copy_each(path, posts)
        assert not LocalIndex(path).matching_ids(Query(must="older"))
    # On a busy machine a round may run one writer after the other; most rounds overlap.
    assert overlapped, "no round had its writers upserting at the same time"


def test_a_writer_waits_for_the_lock_and_replaces_what_was_committed_meanwhile(
    tmp_path: Path,
) -> None:
    path = tmp_path / "index"
    posts = _posts()
    holder = LocalIndex(path)
    holder.ensure_index()
    context = _spawn()
    ready = context.Event()
    results = context.Queue()
    waiter = context.Process(target=_upsert_once, args=(str(path), ready, results))
    with holder._writer() as writer:
        waiter.start()
        assert ready.wait(PROCESS_WAIT_S)
        time.sleep(1.0)
        with pytest.raises(queue.Empty):
            results.get_nowait()
        assert waiter.is_alive()
        # Committed while the waiter waits: the same ids, which its upsert must replace.
        for post in normalize_documents(
            {**post, "text": f"older {post['text']}"} for post in posts
        ):
            writer.add_document(holder._layout.document(post))
    written, count_after, waited = results.get(timeout=PROCESS_WAIT_S)
    _finish([waiter])
    assert (written, count_after) == (BATCH, BATCH)
    assert waited >= 0.5
    _assert_one_copy_each(path, posts)
    assert not LocalIndex(path).matching_ids(Query(must="older"))


def test_writers_deleting_the_same_posts_at_once_report_each_once(tmp_path: Path) -> None:
    path = tmp_path / "index"
    posts = _posts()
    with LocalIndex(path) as index:
        index.ensure_index()
        index.upsert(posts)
    doomed = [post["id"] for post in posts[:100]] + [10**9]  # one id that was never indexed
    context = _spawn()
    start = context.Barrier(3)
    results = context.Queue()
    processes = [
        context.Process(target=_delete, args=(str(path), doomed, start, results)) for _ in range(3)
    ]
    for process in processes:
        process.start()
    reported = _collect(results, 3)
    _finish(processes)
    assert all(isinstance(deleted, int) for deleted in reported), reported
    assert sum(reported) == 100
    _assert_one_copy_each(path, posts[100:])
