"""LocalIndex specifics: the writer lock, the schema version, and reopening from disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tantivy

import hn_assets.search.local_index as local_index
from hn_assets.search.backends import IndexWriteError, SearchIndexError
from hn_assets.search.local_index import LocalIndex, translate
from hn_assets.search.parser import parse_query
from hn_assets.search.synthetic import synthetic_posts


def test_a_second_process_sees_the_index_after_reopening(tmp_path: Path) -> None:
    posts = synthetic_posts(30, months=["2026-11"], seed=51)
    with LocalIndex(tmp_path / "index") as writer_side:
        writer_side.ensure_index()
        writer_side.upsert(posts)
    reader = LocalIndex(tmp_path / "index")
    query = parse_query("remote:true OR onsite:true")
    assert reader.matching_ids(query) == {p["id"] for p in posts if query.matches(p)}
    assert isinstance(translate(query, reader._open().schema), tantivy.Query)


def test_a_busy_writer_lock_is_retried_then_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_index, "_WRITER_LOCK_RETRIES", (0.01, 0.01))
    index = LocalIndex(tmp_path / "index")
    index.ensure_index()
    index.upsert(synthetic_posts(5, seed=52))
    other_writer = tantivy.Index.open(str(tmp_path / "index")).writer(15_000_000, 1)
    with pytest.raises(IndexWriteError, match="another process is writing"):
        index.upsert(synthetic_posts(3, seed=53, first_id=1))
    del other_writer
    assert index.count() == 5


def test_an_index_from_another_schema_version_must_be_rebuilt(tmp_path: Path) -> None:
    index = LocalIndex(tmp_path / "index")
    index.ensure_index()
    (tmp_path / "index" / "hn_search_index.json").write_text(json.dumps({"schema_version": 0}))
    with pytest.raises(SearchIndexError, match="delete that folder and rebuild"):
        LocalIndex(tmp_path / "index").count()
