"""The live client against the local fake API, faults included, and the sample client."""

from __future__ import annotations

import email.utils
import time

import pytest

from hn_assets.hackernews.client import (
    FetchError,
    LiveHackerNewsClient,
    SampleArchiveClient,
)
from hn_assets.hackernews.sample_archive import load_sample_archive
from tests.fakes.hn_server import FakeHNServer

FAST = dict(timeout_s=0.5, backoff_base_s=0.005, backoff_max_s=0.05)


@pytest.fixture(scope="module")
def archive():
    return load_sample_archive()


@pytest.fixture(scope="module")
def posts(archive) -> list[int]:
    return list(archive.items[archive.hiring_thread_id(archive.months[-1])]["kids"])


def test_every_post_arrives_exactly_once_with_20_percent_faults(archive, posts) -> None:
    with (
        FakeHNServer(archive, fault_rate=0.2, seed=3, hang_s=1.0) as server,
        LiveHackerNewsClient(server.base_url, max_retries=8, **FAST) as client,
    ):
        batch = client.items(posts + posts[:20])  # duplicates are fetched once
        requests = server.requests

    assert batch.failed == {}
    assert sorted(batch.items) == sorted(posts)
    assert all(batch.items[i] == archive.items[i] for i in posts)
    # Faults really happened and were retried; no item was asked for more than it needed.
    # (A refused connection is a request the client made that the server never saw.)
    assert sum(requests.values()) <= batch.requests == client.requests_made
    assert len(posts) * 1.1 < batch.requests < len(posts) * 1.6
    assert max(requests.values()) <= 9


@pytest.mark.parametrize("fault", ["5xx", "429", "hang", "malformed", "truncated"])
def test_each_fault_kind_is_retried(archive, posts, fault) -> None:
    with (
        FakeHNServer(archive, fault_rate=0.5, faults=(fault,), seed=11, hang_s=1.0) as server,
        LiveHackerNewsClient(
            server.base_url, max_retries=10, **{**FAST, "timeout_s": 0.2}
        ) as client,
    ):
        batch = client.items(posts[:30])
    assert batch.failed == {} and len(batch.items) == 30
    assert batch.requests > 30


def test_retry_budget_exhausted_names_the_items(archive, posts) -> None:
    broken = set(posts[:3])
    with (
        FakeHNServer(archive, always_fail=broken) as server,
        LiveHackerNewsClient(server.base_url, max_retries=2, **FAST) as client,
    ):
        batch = client.items(posts[:20])
        assert set(batch.failed) == broken
        assert all("HTTP 503" in error and "3 attempts" in error for error in batch.failed.values())
        assert len(batch.items) == 17
        assert batch.requests == 17 + 3 * 3
        with pytest.raises(FetchError) as raised:
            client.item(posts[0])
    assert raised.value.item_ids == [posts[0]]
    assert str(posts[0]) in str(raised.value) and "re-run" in str(raised.value)


def test_null_items_and_unknown_users_are_none(archive) -> None:
    with FakeHNServer(archive) as server, LiveHackerNewsClient(server.base_url, **FAST) as client:
        assert client.item(archive.max_item_id + 1000) is None
        assert client.user("nobody-by-this-name") is None
        assert client.user("whoishiring")["submitted"] == archive.users["whoishiring"]["submitted"]
        assert client.max_item() == archive.max_item_id
        batch = client.items([archive.max_item_id + 1, archive.max_item_id])
        assert batch.items == {
            archive.max_item_id + 1: None,
            archive.max_item_id: archive.items[archive.max_item_id],
        }


def test_wrong_base_url_fails_fast_with_a_hint(archive) -> None:
    with FakeHNServer(archive) as server:
        wrong = server.base_url.replace("/v0", "/v1")
        with LiveHackerNewsClient(wrong, **FAST) as client:
            batch = client.items([1, 2])
            assert batch.requests == 2, "a 401 is not retried"
            assert "HN_API_URL" in batch.failed[1]
    with pytest.raises(ValueError, match="HN_API_URL"):
        LiveHackerNewsClient("hacker-news.firebaseio.com/v0")


def test_unreachable_server_is_retried_then_reported() -> None:
    with FakeHNServer() as server:
        url = server.base_url
    with LiveHackerNewsClient(url, max_retries=2, **FAST) as client:
        batch = client.items([1])
    assert batch.requests == 3 and "connection error" in batch.failed[1]


def test_retry_after_is_honoured(archive, posts) -> None:
    with (
        FakeHNServer(archive, fault_rate=1.0, faults=("429",), retry_after="7") as server,
        LiveHackerNewsClient(server.base_url, max_retries=2, **FAST) as client,
    ):
        waits: list[float] = []
        client._sleep = waits.append  # record instead of sleeping 7 s
        batch = client.items(posts[:1])
    assert waits == [7.0, 7.0] and "HTTP 429" in batch.failed[posts[0]]


def test_backoff_grows_exponentially_with_jitter_up_to_a_cap(archive, posts) -> None:
    broken = posts[:3]
    with (
        FakeHNServer(archive, always_fail=set(broken)) as server,
        LiveHackerNewsClient(
            server.base_url, max_workers=1, max_retries=6, backoff_base_s=1.0, backoff_max_s=5.0
        ) as client,
    ):
        waits: list[float] = []
        client._sleep = waits.append  # record instead of sleeping
        batch = client.items(broken)
    assert set(batch.failed) == set(broken) and batch.requests == 3 * 7
    # One item after the other: the first retry is immediate, then 2 s and 4 s (plus up to
    # 1 s of jitter), then the 5 s cap.
    per_item = [waits[i : i + 5] for i in range(0, len(waits), 5)]
    assert len(per_item) == 3
    for second, third, *capped in per_item:
        assert 2 <= second < 3 and 4 <= third <= 5
        assert capped == [5.0, 5.0, 5.0]
    assert len({item[0] for item in per_item}) > 1, "no jitter"


@pytest.mark.parametrize(
    ("header", "expected_waits"),
    [
        ("3", [3.0, 3.0]),
        ("in-30-s", [30.0, 30.0]),  # the HTTP-date form, 30 s from now
        ("soon", []),  # unreadable: ignored, leaving only the backoff (none here)
    ],
)
def test_retry_after_forms(archive, posts, header, expected_waits) -> None:
    if header == "in-30-s":
        header = email.utils.formatdate(time.time() + 30, usegmt=True)
    with (
        FakeHNServer(archive, fault_rate=1.0, faults=("429",), retry_after=header) as server,
        LiveHackerNewsClient(
            server.base_url, max_retries=2, **{**FAST, "backoff_base_s": 0}
        ) as client,
    ):
        waits: list[float] = []
        client._sleep = waits.append
        batch = client.items(posts[:1])
    assert "HTTP 429 (after 3 attempts)" in batch.failed[posts[0]]
    assert len(waits) == len(expected_waits)
    assert all(want - 2 <= got <= want for got, want in zip(waits, expected_waits, strict=True))


def test_a_retry_after_beyond_the_cap_is_not_waited_for(archive, posts) -> None:
    with (
        FakeHNServer(archive, fault_rate=1.0, faults=("429",), retry_after="3600") as server,
        LiveHackerNewsClient(server.base_url, max_retries=5, **FAST) as client,
    ):
        waits: list[float] = []
        client._sleep = waits.append
        batch = client.items(posts[:1])
    assert waits == [] and batch.requests == 1
    assert "HTTP 429 (after 1 attempts)" in batch.failed[posts[0]]


def test_concurrency_is_bounded(archive, posts) -> None:
    with (
        FakeHNServer(archive, latency_s=0.02) as server,
        LiveHackerNewsClient(server.base_url, max_workers=4, **FAST) as client,
    ):
        started = time.perf_counter()
        client.items(posts[:40])
        elapsed = time.perf_counter() - started
    assert elapsed >= 40 / 4 * 0.02, "more than 4 requests were in flight"


def test_sample_client_counts_and_copies(archive) -> None:
    client = SampleArchiveClient(archive)
    thread_id = archive.hiring_thread_id(archive.months[0])
    thread = client.item(thread_id)
    thread["kids"].clear()
    assert archive.items[thread_id]["kids"], "the shared archive was modified"
    batch = client.items([thread_id, thread_id, 1])
    assert batch.items[1] is None and batch.requests == 2 and batch.failed == {}
    assert client.user("whoishiring") is not None and client.user("nobody") is None
    assert client.requests_made == 5


def test_proxy_settings_are_read_once_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = LiveHackerNewsClient()
    assert client._session.proxies.get("https") == "http://proxy.internal:3128"
    monkeypatch.setenv("NO_PROXY", "hacker-news.firebaseio.com")
    assert LiveHackerNewsClient()._session.proxies == {}
