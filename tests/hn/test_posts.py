"""Thread discovery, incremental post fetching and the clean_posts frame."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import hn_assets.hackernews.posts as posts_module
from hn_assets.hackernews.cleaning import MAX_POST_HTML_CHARS, html_to_text
from hn_assets.hackernews.client import LiveHackerNewsClient, SampleArchiveClient
from hn_assets.hackernews.posts import (
    CLEAN_POST_COLUMNS,
    RAW_POST_COLUMNS,
    clean_posts_frame,
    fetch_thread_posts,
)
from hn_assets.hackernews.sample_archive import load_sample_archive
from hn_assets.hackernews.threads import THREAD_COLUMNS, discover_threads
from tests.fakes.hn_server import FakeHNServer

FAST = dict(timeout_s=0.5, backoff_base_s=0.005, backoff_max_s=0.05)


@pytest.fixture(scope="module")
def archive():
    return load_sample_archive()


def test_discover_threads(archive) -> None:
    client = SampleArchiveClient(archive)
    threads = discover_threads(client)
    assert list(threads.columns) == THREAD_COLUMNS
    assert len(threads) == 3 * len(archive.months)
    assert threads["month"].tolist() == sorted(threads["month"].tolist())
    for row in threads.itertuples():
        assert archive.threads[(row.month, row.kind)] == row.id
        assert row.num_kids == len(archive.items[row.id]["kids"])
        assert row.title == archive.items[row.id]["title"]
    assert threads["id"].dtype == "int64" and threads["time"].dtype == "int64"

    newest = discover_threads(client, limit=3)
    assert set(newest["month"]) == {archive.months[-1]}
    with pytest.raises(ValueError, match="no user 'nobody'"):
        discover_threads(client, username="nobody")


def test_incremental_fetch_asks_only_for_new_posts(archive) -> None:
    month = archive.months[-1]
    thread_id = archive.hiring_thread_id(month)
    total = len(archive.items[thread_id]["kids"])
    with (
        FakeHNServer(archive.visible(6, total - 10)) as server,
        LiveHackerNewsClient(server.base_url, **FAST) as client,
    ):
        first, stats = fetch_thread_posts(client, thread_id, None)
        assert (stats.new, stats.total, stats.requests) == (total - 10, total - 10, total - 10 + 1)

        server.store.load(archive)  # ten new posts appear
        server.reset_counts()
        second, stats = fetch_thread_posts(client, thread_id, first)
        assert server.item_requests <= 10 + 3
        assert stats.new == 10 and stats.total == total
        assert server.item_requests <= stats.requests <= 10 + 3

        server.reset_counts()
        third, stats = fetch_thread_posts(client, thread_id, second)
        assert stats.new == 0 and server.item_requests == 1
        pd.testing.assert_frame_equal(third, second)

        server.reset_counts()
        refreshed, stats = fetch_thread_posts(client, thread_id, second, full_refresh=True)
        assert stats.new == total and server.item_requests == total + 1
        pd.testing.assert_frame_equal(refreshed, second)

    assert list(second.columns) == RAW_POST_COLUMNS
    assert second["id"].is_unique and second["id"].is_monotonic_increasing
    assert set(second["id"]) == set(archive.items[thread_id]["kids"])
    assert (second["parent"] == thread_id).all()
    assert stats.deleted == int((second["deleted"] | second["dead"]).sum()) > 0
    deleted = second[second["deleted"]]
    assert (deleted["text"] == "").all() and deleted["by"].isna().all()


def test_failed_items_keep_partial_data_and_a_rerun_fetches_only_the_rest(archive) -> None:
    month = archive.months[0]
    thread_id = archive.hiring_thread_id(month)
    kids = archive.items[thread_id]["kids"]
    broken = set(kids[5:8])
    with (
        FakeHNServer(archive, always_fail=broken) as server,
        LiveHackerNewsClient(server.base_url, max_retries=2, **FAST) as client,
    ):
        partial, stats = fetch_thread_posts(client, thread_id, None)
        assert sorted(stats.unfetched) == sorted(broken)
        assert all("HTTP 503" in reason for reason in stats.unfetched.values())
        assert len(partial) == len(kids) - 3 and not broken & set(partial["id"])

        server.plan.always_fail.clear()  # the API recovers
        server.reset_counts()
        complete, stats = fetch_thread_posts(client, thread_id, partial)
    assert stats.new == 3 and server.item_requests == 1 + 3
    assert set(complete["id"]) == set(kids)


def test_null_kids_are_retried_next_time_and_vanished_posts_dropped(archive) -> None:
    thread_id = archive.hiring_thread_id(archive.months[1])
    thread = archive.items[thread_id]
    client = SampleArchiveClient(archive)
    previous, _ = fetch_thread_posts(client, thread_id, None)
    gone = previous["id"].iloc[0]
    not_yet_visible = archive.max_item_id + 100
    moved = archive.visible()
    moved.items[thread_id] = {
        **thread,
        "kids": [k for k in thread["kids"] if k != gone] + [not_yet_visible],
    }
    frame, stats = fetch_thread_posts(SampleArchiveClient(moved), thread_id, previous)
    assert (stats.new, stats.missing, stats.removed) == (0, 1, 1)
    assert gone not in set(frame["id"]) and len(frame) == len(previous) - 1


def test_wrong_thread_id_is_a_clear_error(archive) -> None:
    client = SampleArchiveClient(archive)
    with pytest.raises(ValueError, match="does not exist"):
        fetch_thread_posts(client, archive.max_item_id + 1, None)
    some_post = archive.items[archive.hiring_thread_id(archive.months[0])]["kids"][0]
    with pytest.raises(ValueError, match="not a thread"):
        fetch_thread_posts(client, some_post, None)
    with pytest.raises(ValueError, match="full_refresh"):
        fetch_thread_posts(
            client, archive.hiring_thread_id(archive.months[0]), pd.DataFrame({"id": [1]})
        )


def test_clean_posts_frame_follows_the_contract(archive) -> None:
    month = archive.months[2]
    thread_id = archive.hiring_thread_id(month)
    raw, _ = fetch_thread_posts(SampleArchiveClient(archive), thread_id, None)
    result = clean_posts_frame(raw, month, thread_id)
    clean = result.posts
    assert result.quarantined == [] and result.truncated == []
    alive = raw[~raw["deleted"] & ~raw["dead"]]

    assert list(clean.columns) == CLEAN_POST_COLUMNS
    assert clean["id"].tolist() == sorted(alive["id"])
    assert (clean["thread_id"] == thread_id).all() and (clean["month"] == month).all()
    assert {str(clean[c].dtype) for c in ("id", "thread_id", "time")} == {"int64"}
    assert {str(clean[c].dtype) for c in ("remote", "onsite", "hybrid")} == {"bool"}
    assert {str(clean[c].dtype) for c in ("salary_min", "salary_max")} == {"float64"}
    for column in ("roles", "locations", "employment_types", "urls", "emails"):
        assert (
            clean[column]
            .map(lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v))
            .all()
        )
    assert clean["visa"].map(lambda v: v in (True, False, None)).all()
    assert clean["salary_min"].isna().any() and clean["salary_min"].notna().any()
    assert (
        clean["hn_url"] == "https://news.ycombinator.com/item?id=" + clean["id"].astype(str)
    ).all()
    assert not clean["text"].str.contains(r"<[a-z/][^>]*>|&#x|&amp;|&quot;", regex=True).any()
    assert (clean["text"].str.len() > 0).all()
    assert "Remote" not in {loc for locs in clean["locations"] for loc in locs}
    assert "San Francisco Bay Area" in {loc for locs in clean["locations"] for loc in locs}

    empty = clean_posts_frame(raw.iloc[0:0], month, thread_id).posts
    assert list(empty.columns) == CLEAN_POST_COLUMNS and empty.dtypes.equals(clean.dtypes)


def _hostile_thread(server: FakeHNServer, thread_id: int, kids: list) -> None:
    server.store.put_item(
        {"id": thread_id, "type": "story", "by": "whoishiring", "time": 1, "kids": kids}
    )


def test_hostile_items_become_rows_or_are_reported_never_raise() -> None:
    """Kids that are not ids are skipped and named; item JSON with lone surrogates, control
    characters, wrong types or a wrong id still becomes a storable row."""
    thread_id = 9_000
    items = [
        {"id": 9_001, "by": "a\ud800b", "time": 5, "text": "Acme\ud83d | Remote\x02\x85"},
        {"id": 1, "by": 42, "time": "soon", "text": ["not", "text"], "parent": "x"},
        {"id": 9_003, "deleted": "yes", "dead": 1, "text": None},
    ]
    with FakeHNServer() as server:
        server.store.put_item(items[0])
        server.store.put_item(items[1], item_id=9_002)  # claims id 1: the id asked for wins
        server.store.put_item(items[2])
        _hostile_thread(server, thread_id, [9_001, "abc", 1.5, None, True, -3, 9_002, 9_003, 9_001])
        with LiveHackerNewsClient(server.base_url, **FAST) as client:
            frame, stats = fetch_thread_posts(client, thread_id, None)
    assert stats.invalid_kids == ["'abc'", "1.5", "None", "True", "-3"]
    assert frame["id"].tolist() == [9_001, 9_002, 9_003]
    rows = frame.set_index("id")
    assert rows.loc[9_001, "by"] == "a\ufffdb"
    assert rows.loc[9_001, "text"] == "Acme\ufffd | Remote"
    assert rows.loc[9_002, "by"] == "42" and rows.loc[9_002, "time"] == 0
    assert rows.loc[9_002, "text"] == "['not', 'text']" and rows.loc[9_002, "parent"] == thread_id
    # Only the JSON value true marks an item deleted or dead.
    assert not rows.loc[9_003, "deleted"] and not rows.loc[9_003, "dead"]
    # Everything stored can be written as Parquet (lone surrogates could not).
    frame.to_parquet(io.BytesIO())


def test_a_thread_whose_kids_are_not_a_list_has_no_posts() -> None:
    with FakeHNServer() as server:
        _hostile_thread(server, 9_100, "12,13")  # type: ignore[arg-type]
        with LiveHackerNewsClient(server.base_url, **FAST) as client:
            frame, stats = fetch_thread_posts(client, 9_100, None)
    assert frame.empty and stats.invalid_kids == ["'12,13'"]


def test_one_post_that_cannot_be_cleaned_is_quarantined(archive, monkeypatch) -> None:
    month = archive.months[0]
    thread_id = archive.hiring_thread_id(month)
    raw, _ = fetch_thread_posts(SampleArchiveClient(archive), thread_id, None)
    alive = raw[~raw["deleted"] & ~raw["dead"]]
    victim = int(alive["id"].iloc[3])
    real_parse = posts_module.parse_post_header

    def parse_or_fail(text: str):
        if text.startswith(html_to_text(alive["text"].iloc[3])[:40]):
            raise RuntimeError("header parser bug")
        return real_parse(text)

    monkeypatch.setattr(posts_module, "parse_post_header", parse_or_fail)
    result = clean_posts_frame(raw, month, thread_id)
    assert [(q.id, q.stage) for q in result.quarantined] == [(victim, "clean")]
    assert "RuntimeError: header parser bug" in result.quarantined[0].error
    assert set(result.posts["id"]) == set(alive["id"]) - {victim}


def test_an_oversized_post_is_cut_and_recorded(archive) -> None:
    month = archive.months[0]
    thread_id = archive.hiring_thread_id(month)
    raw, _ = fetch_thread_posts(SampleArchiveClient(archive), thread_id, None)
    alive_index = raw.index[~raw["deleted"] & ~raw["dead"]]
    huge = raw.copy()
    huge.loc[alive_index[0], "text"] = "Acme | Remote<p>" + "word " * (MAX_POST_HTML_CHARS // 2)
    result = clean_posts_frame(huge, month, thread_id)
    assert result.truncated == [int(huge.loc[alive_index[0], "id"])]
    assert len(result.posts.set_index("id").loc[result.truncated[0], "text"]) <= MAX_POST_HTML_CHARS
