"""One post schema: the clean_posts columns, both backends and the query language follow it.

The central test adds fields to a copy of the schema and shows each of them stored and
searchable in the tantivy index and in the Elasticsearch requests, without any change to
either backend.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hn_assets.hackernews.client import SampleArchiveClient
from hn_assets.hackernews.posts import (
    CLEAN_POST_COLUMNS,
    clean_post_row,
    clean_posts_frame,
    fetch_thread_posts,
)
from hn_assets.hackernews.sample_archive import load_sample_archive
from hn_assets.search.documents import frame_records, normalize_document, normalize_documents
from hn_assets.search.elastic_index import mappings
from hn_assets.search.errors import IndexWriteError, QueryError, SearchIndexError
from hn_assets.search.local_index import LocalIndex
from hn_assets.search.parser import parse_query
from hn_assets.search.query import FIELDS, Term, resolve_field
from hn_assets.search.schema import POST_SCHEMA, PostField, PostSchema, Search, Type
from tests.fakes.synthetic_posts import synthetic_posts
from tests.hn.test_search_elasticsearch import Answer, bulk_ok, make_index

#: What upcoming issues add, one line each.
NEW_FIELDS = (
    PostField("skills", Type.STR_LIST, Search.KEYWORD, "a technology named", query="skill"),
    PostField("stock_options", Type.BOOL, Search.BOOL, "stock_options offered: true/false"),
    PostField("times_listed", Type.INT, Search.NUMBER, "months it was posted", optional=True),
    PostField("listed_since", Type.MONTH, Search.MONTH, "first posted", optional=True),
    PostField("repeats_post", Type.INT, Search.ATTRIBUTE, "the post it repeats", optional=True),
    PostField("pay_period", Type.STR, Search.STORED, "year, month, hour", optional=True),
)
EXTENDED = POST_SCHEMA.with_fields(*NEW_FIELDS)
TECH = ["Rust", "Python", "Go", "Kubernetes"]


def extended_posts(count: int = 60) -> list[dict[str, Any]]:
    posts = synthetic_posts(count, months=["2026-10", "2026-11"], seed=61)
    for i, post in enumerate(posts):
        post.update(
            skills=[TECH[i % 4], TECH[(i * 3 + 1) % 4]] if i % 5 else [],
            stock_options=i % 3 == 0,
            times_listed=None if i % 7 == 0 else 1 + i % 4,
            listed_since=None if i % 2 else "2026-09",
            repeats_post=None if i % 4 else 1000 + i,
            pay_period="year" if i % 2 else None,
        )
    return posts


# --- what is derived from the schema ---------------------------------------------------------


def test_clean_posts_columns_and_dtypes_are_the_schemas() -> None:
    archive = load_sample_archive()
    month = archive.months[0]
    thread_id = archive.hiring_thread_id(month)
    raw, _ = fetch_thread_posts(SampleArchiveClient(archive), thread_id, None)
    clean = clean_posts_frame(raw, month, thread_id).posts
    assert CLEAN_POST_COLUMNS == list(POST_SCHEMA.columns) == list(clean.columns)
    assert {c: str(t) for c, t in clean.dtypes.items()} == {
        c: str(pd.Series([], dtype=t).dtype) for c, t in POST_SCHEMA.dtypes.items()
    }
    post = next(raw[~raw["deleted"] & ~raw["dead"]].itertuples(index=False))
    row, _ = clean_post_row(post, month, thread_id)
    assert list(row) == list(POST_SCHEMA.columns)  # computed once each, nothing left out


def test_query_fields_come_from_the_schema_with_their_column_names_as_aliases() -> None:
    assert set(FIELDS) == {
        "text", "company", "title", "role", "level", "location", "city", "country", "remote_region",
        "remote", "onsite", "hybrid", "visa", "month", "period", "salary_yearly_min", "salary", "equity", "tech",
        "employment", "currency", "salary_min", "salary_max", "first_seen", "months_posted", "repost",
    }  # fmt: skip
    for field in POST_SCHEMA:
        if field.query_name is None:
            with pytest.raises(QueryError, match="unknown field"):
                resolve_field(field.name)
        else:
            spec = resolve_field(field.name)
            assert (spec.name, spec.column, spec.kind) == (
                field.query_name,
                field.name,
                field.search.value,
            )


def test_both_backends_hold_every_column(tmp_path: Path) -> None:
    assert set(mappings()["properties"]) == set(POST_SCHEMA.columns)
    LocalIndex(tmp_path / "index").ensure_index()
    meta = json.loads((tmp_path / "index" / "meta.json").read_text())
    assert {field["name"] for field in meta["schema"]} == set(POST_SCHEMA.columns)


# --- a field added to a copy of the schema ---------------------------------------------------


SEARCHES = [
    "skill:rust",
    "skill:RUST AND NOT skill:go",
    "skills:kubernetes OR stock_options:true",
    "times_listed:>=3 AND remote:true",
    "times_listed:2",
    "listed_since:2026-09 AND skill:python",
    "NOT stock_options:true AND month:2026-11",
]


@pytest.mark.parametrize("source", SEARCHES)
def test_new_fields_are_searchable_in_the_local_index(tmp_path: Path, source: str) -> None:
    posts = extended_posts()
    index = LocalIndex(tmp_path / "index", schema=EXTENDED)
    index.ensure_index()
    assert index.upsert(posts) == len(posts)
    query = parse_query(source, EXTENDED)
    expected = {post["id"] for post in posts if query.matches(post)}
    assert expected and len(expected) < len(posts)  # the search tells posts apart
    assert index.matching_ids(query) == expected
    assert index.count(query) == len(expected)


def test_new_fields_are_stored_in_the_local_index(tmp_path: Path) -> None:
    posts = normalize_documents(extended_posts(), EXTENDED)
    with LocalIndex(tmp_path / "index", schema=EXTENDED) as index:
        index.ensure_index()
        index.upsert(posts)
        hits = index.search(parse_query("month:2026-10 OR month:2026-11", EXTENDED), size=100)
    assert len(hits) == len(posts)
    by_id = {post["id"]: post for post in posts}
    for hit in hits:
        want = by_id[hit.id]
        for field in NEW_FIELDS:
            assert hit.fields[field.name] == want[field.name], field.name
        assert type(hit.fields["times_listed"]) in (int, type(None))


def test_new_fields_are_mapped_sent_and_read_back_by_elasticsearch() -> None:
    posts = extended_posts(4)
    wire = {**normalize_document(posts[1], EXTENDED), "salary_min": None, "salary_max": None}

    def respond(method: str, path: str, body: Any) -> Answer:
        if method == "HEAD":
            return (404, None) if not node.requests[1:] else (200, None)
        if path == "/_bulk":
            return bulk_ok(body)
        if path.endswith("/_search"):
            hit = {"_id": str(wire["id"]), "_score": 1.5, "_source": wire}
            return 200, {"hits": {"hits": [hit]}}
        return 200, {"acknowledged": True}

    index, node = make_index(respond, schema=EXTENDED)
    index.ensure_index()
    properties = node.requests[1].body["mappings"]["properties"]
    assert properties["skills"] == {"type": "keyword", "normalizer": "hn_keyword"}
    assert properties["stock_options"] == {"type": "boolean"}
    assert properties["times_listed"] == {"type": "long"}
    assert properties["listed_since"] == {"type": "keyword"}
    assert properties["repeats_post"] == {"type": "long"}
    assert properties["pay_period"] == {"type": "keyword", "index": False, "doc_values": False}

    assert index.upsert(posts) == len(posts)
    sources = [line for r in node.requests if r.path == "/_bulk" for line in r.body][1::2]
    for post, source in zip(posts, sources, strict=True):
        assert {f.name: source[f.name] for f in NEW_FIELDS} == {
            f.name: post[f.name] for f in NEW_FIELDS
        }

    query = parse_query("skill:rust AND times_listed:>1", EXTENDED)
    (hit,) = index.search(query)
    assert node.requests[-1].body["query"] == {
        "bool": {"must": [{"term": {"skills": "rust"}}, {"range": {"times_listed": {"gt": 1.0}}}]}
    }
    assert {f.name: hit.fields[f.name] for f in NEW_FIELDS} == {
        f.name: wire[f.name] for f in NEW_FIELDS
    }
    assert math.isnan(hit.fields["salary_min"])


def test_documents_of_the_copy_default_and_check_the_new_fields(tmp_path: Path) -> None:
    post = synthetic_posts(1, seed=62)[0]
    doc = normalize_document(post, EXTENDED)
    assert doc["skills"] == [] and doc["stock_options"] is False
    assert doc["times_listed"] is None and doc["listed_since"] is None
    assert list(doc) == list(EXTENDED.columns)
    with pytest.raises(IndexWriteError, match="skills: expected a list of strings"):
        normalize_documents([{**post, "skills": "rust"}], EXTENDED)
    with pytest.raises(IndexWriteError, match="listed_since must look like YYYY-MM"):
        normalize_documents([{**post, "listed_since": "Sept"}], EXTENDED)
    # A nullable integer column goes through Parquet as Int64 and comes back as pd.NA.
    frame = pd.DataFrame(normalize_documents(extended_posts(8), EXTENDED))
    frame = frame.astype(EXTENDED.dtypes)[list(EXTENDED.columns)]
    assert str(frame["times_listed"].dtype) == "Int64"
    frame.to_parquet(tmp_path / "posts.parquet")
    back = normalize_documents(frame_records(pd.read_parquet(tmp_path / "posts.parquet")), EXTENDED)
    assert back[0]["times_listed"] is None and back[1]["times_listed"] == 2
    assert all(type(doc["skills"]) is list for doc in back)


def test_the_default_query_language_does_not_know_the_new_fields() -> None:
    with pytest.raises(QueryError, match="unknown field 'skill'"):
        parse_query("skill:rust")
    assert Term("skill", "Rust", schema=EXTENDED).value == "rust"


def test_an_index_built_for_other_fields_must_be_rebuilt(tmp_path: Path) -> None:
    LocalIndex(tmp_path / "index").ensure_index()
    with pytest.raises(
        SearchIndexError,
        match="missing: listed_since, pay_period, repeats_post, skills, stock_options, times_listed",
    ) as raised:
        LocalIndex(tmp_path / "index", schema=EXTENDED).count()
    assert "delete that folder and rebuild" in str(raised.value)


def test_jobs_index_rebuilds_an_index_built_for_other_fields(tmp_path: Path) -> None:
    """What an upgrade that adds post fields meets: the derived index is rebuilt, empty, for
    every month's jobs_index to fill again; searching the old one says what to do."""
    posts = pd.DataFrame(synthetic_posts(10, months=["2026-11"], seed=7))
    with LocalIndex(tmp_path / "index") as old:
        old.ensure_index()
        old.upsert(posts.to_dict("records"))
        assert old.count() == 10
    upgraded = LocalIndex(tmp_path / "index", schema=EXTENDED)
    upgraded.ensure_index()
    assert upgraded.count() == 0
    upgraded.upsert(normalize_documents(extended_posts(5), EXTENDED))
    assert upgraded.count() == 5
    assert [path.name for path in tmp_path.iterdir()] == ["index"]  # nothing left behind


@pytest.mark.parametrize(
    ("declare", "message"),
    [
        (lambda: PostField("x", Type.STR, Search.NUMBER, ""), "cannot hold STR values"),
        (lambda: PostField("x", Type.STR, Search.STORED, "", query="y"), "not part of the query"),
        (lambda: PostField("x", Type.STR, Search.KEYWORD, "", facet=True), "only TEXT fields"),
        (lambda: PostField("x", Type.MONTH, Search.MONTH, ""), "make it required or optional"),
        (lambda: PostField("x", Type.STR_LIST, Search.TEXT, "", optional=True), "never unknown"),
    ],
)
def test_a_field_that_cannot_work_is_refused_when_declared(declare: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        declare()


def test_a_schema_with_clashing_names_is_refused() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        POST_SCHEMA.with_fields(PostField("text", Type.STR, Search.TEXT, ""))
    with pytest.raises(ValueError, match="called 'role' in queries"):
        POST_SCHEMA.with_fields(PostField("role", Type.STR, Search.TEXT, ""))
    with pytest.raises(ValueError, match="name both a field and a column"):
        PostSchema(
            PostField("locations", Type.STR, Search.TEXT, "", query="place"),
            PostField("city", Type.STR, Search.TEXT, "", query="locations"),
        )
