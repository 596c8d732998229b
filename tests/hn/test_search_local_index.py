"""LocalIndex specifics: the writer lock, the schema version, and reopening from disk.

Several writer processes at once: test_search_local_index_concurrency.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import tantivy

from hn_assets.search.documents import normalize_documents
from hn_assets.search.errors import IndexWriteError, SearchIndexError
from hn_assets.search.local_index import LocalIndex, translate
from hn_assets.search.parser import parse_query
from tests.fakes.synthetic_posts import synthetic_posts


def test_a_second_process_sees_the_index_after_reopening(tmp_path: Path) -> None:
    posts = synthetic_posts(30, months=["2026-11"], seed=51)
    with LocalIndex(tmp_path / "index") as writer_side:
        writer_side.ensure_index()
        writer_side.upsert(posts)
    reader = LocalIndex(tmp_path / "index")
    query = parse_query("remote:true OR onsite:true")
    assert reader.matching_ids(query) == {p["id"] for p in posts if query.matches(p)}
    assert isinstance(translate(query, reader._open().schema), tantivy.Query)


def test_a_busy_writer_lock_is_waited_for_then_reported(tmp_path: Path) -> None:
    path = tmp_path / "index"
    index = LocalIndex(path, writer_lock_timeout_s=0.3)
    index.ensure_index()
    index.upsert(synthetic_posts(5, seed=52))
    other_writer = tantivy.Index.open(str(path)).writer(15_000_000, 1)
    started = time.monotonic()
    with pytest.raises(IndexWriteError, match="still being written by another writer") as raised:
        index.upsert(synthetic_posts(3, seed=53, first_id=1))
    assert time.monotonic() - started >= 0.3
    assert str(path) in str(raised.value)
    del other_writer
    assert index.count() == 5
    assert index.upsert(synthetic_posts(3, seed=53, first_id=1)) == 3


def test_a_failed_write_rolls_back_and_frees_the_lock_at_once(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index", writer_lock_timeout_s=0)
    index.ensure_index()
    posts = normalize_documents(synthetic_posts(5, seed=54))
    with pytest.raises(RuntimeError) as raised, index._writer() as writer:
        writer.add_document(index._layout.document(posts[0]))
        raise RuntimeError("a failure halfway through a batch")
    # The traceback, which still holds the frame the writer lived in, is alive here.
    assert raised.traceback
    assert index.upsert(posts[1:]) == 4
    assert index.count() == 4


def test_an_upsert_replaces_every_copy_of_its_ids(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index")
    index.ensure_index()
    posts = normalize_documents(synthetic_posts(20, months=["2026-11"], seed=55))
    # Two copies of each post, as two refreshes racing each other could leave before issue #12.
    with index._writer() as writer:
        for post in posts + posts:
            writer.add_document(index._layout.document(post))
    assert index.count() == 40
    assert index.upsert(posts[:5]) == 5
    assert index.count() == 35
    assert index.delete([posts[5]["id"]]) == 1
    assert index.count() == 33
    index.upsert(posts)
    assert index.count() == 20
    hits = index.search(parse_query("month:2026-11"), size=40)
    assert sorted(hit.id for hit in hits) == sorted(post["id"] for post in posts)


def test_an_index_from_another_schema_version_must_be_rebuilt(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index")
    index.ensure_index()
    (tmp_path / "index" / "hn_search_index.json").write_text(json.dumps({"schema_version": 0}))
    with pytest.raises(SearchIndexError, match="delete that folder and rebuild"):
        LocalIndex(tmp_path / "index").count()
