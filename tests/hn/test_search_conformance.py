"""One behaviour for every search backend, checked against :meth:`Query.matches`.

Runs on the embedded LocalIndex always, and on Elasticsearch whenever ``ELASTICSEARCH_URL``
points at a server (``ELASTICSEARCH_API_KEY`` or ``ELASTICSEARCH_USERNAME``/``_PASSWORD`` for
auth); each Elasticsearch test uses throwaway indices named ``hn-jobs-test-*`` and deletes them.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable, Iterator

import pandas as pd
import pytest

from hn_assets.search.backends import SearchIndex
from hn_assets.search.documents import normalize_documents
from hn_assets.search.errors import IndexNotFoundError, IndexWriteError
from hn_assets.search.parser import parse_query
from hn_assets.search.query import Query, QueryError
from hn_assets.search.sync import sync_month
from tests.fakes.synthetic_posts import synthetic_posts

MONTHS = ["2026-10", "2026-11", "2026-12"]
BLOG_FIRST = Query(must=["san francisco", "machine learning"])
BLOG_SECOND = Query(
    must=[
        Query(should=["san francisco", "bay area"]),
        Query(should=["machine learning", "data analysis"]),
    ]
)

MakeIndex = Callable[[str], SearchIndex]


def edge_posts() -> list[dict]:
    """Hand-written posts for the corners of the analysis rules."""
    template = synthetic_posts(1, months=["2026-12"], first_id=1)[0]

    def make(post_id: int, text: str, **fields: object) -> dict:
        return {
            **template,
            "id": post_id,
            "time": template["time"] + post_id,
            "text": text,
            **fields,
        }

    return [
        make(1, "SAN FRANCISCO, CA | Machine-Learning platform", locations=["San Francisco"]),
        make(2, "Learning machine vision in San Jose; francisco san", locations=["San Jose"]),
        make(3, "Data analysis for the bay-area transit", locations=["San Francisco", "Bay Area"]),
        make(4, "Quant research in Zürich", company=None, locations=["ZÜRICH"], visa=None),
        make(5, "", company="Stripe, Inc.", roles=[], locations=[], salary_min=math.nan),
    ]


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return normalize_documents(synthetic_posts(240, months=MONTHS, seed=7) + edge_posts())


def _elasticsearch_factory() -> Iterator[MakeIndex]:
    from hn_assets.search.elastic_index import MAPPING_VERSION, ElasticsearchIndex

    prefix = f"hn-jobs-test-{uuid.uuid4().hex[:8]}"
    made: list[ElasticsearchIndex] = []

    def make(name: str) -> SearchIndex:
        index = ElasticsearchIndex.from_env(index=f"{prefix}-{name}")
        made.append(index)
        return index

    yield make
    for index in made:
        # By exact name: Elasticsearch refuses wildcard deletes by default.
        index.client.indices.delete(
            index=f"{index.index}-v{MAPPING_VERSION}", ignore_unavailable=True
        )
        index.close()


@pytest.fixture(
    scope="module",
    params=[
        "local",
        pytest.param(
            "elasticsearch",
            marks=pytest.mark.skipif(
                not os.environ.get("ELASTICSEARCH_URL"),
                reason="set ELASTICSEARCH_URL to run the conformance suite on Elasticsearch",
            ),
        ),
    ],
)
def make_index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if request.param == "local":
        from hn_assets.search.local_index import LocalIndex

        root = tmp_path_factory.mktemp("local-index")
        yield lambda name: LocalIndex(root / name)
    else:
        yield from _elasticsearch_factory()


@pytest.fixture(scope="module")
def filled(make_index: MakeIndex, corpus: list[dict]) -> SearchIndex:
    index = make_index("filled")
    index.ensure_index()
    assert index.upsert(corpus) == len(corpus)
    return index


@pytest.fixture
def empty(make_index: MakeIndex) -> SearchIndex:
    index = make_index(f"empty-{uuid.uuid4().hex[:6]}")
    index.ensure_index()
    return index


def reference(corpus: list[dict], query: Query, months: list[str] | None = None) -> set[int]:
    return {
        doc["id"]
        for doc in corpus
        if query.matches(doc) and (months is None or doc["month"] in months)
    }


QUERIES = [
    '"san francisco" AND "machine learning"',
    '("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")',
    "(san francisco OR bay area) AND (machine learning OR data analysis) AND NOT onsite",
    '("san francisco" OR "bay area") AND NOT remote:true',
    'location:"bay area" OR location:"san francisco"',
    'location:"francisco bay"',
    "location:zürich OR company:stripe",
    "NOT remote:true",
    "NOT (rust OR python) AND (visa:true OR visa:false)",
    "employment:contract currency:EUR",
    "salary_min:>=150k AND salary_max:<200000",
    "title:engineer AND NOT title:(manager OR designer)",
    # The structured fields: facets of the reader, filters of saved searches.
    'tech:rust OR tech:"node.js"',
    "tech:PYTHON AND NOT tech:go",
    "country:DE OR country:us",
    'city:berlin OR city:"new york city"',
    "level:senior AND role:(backend OR ml)",
    "role:data AND NOT level:senior",
    "remote_region:US AND remote:true",
    "equity:true AND salary>=150k",
    "salary<100000 OR period:year",
    "(kubernetes OR terraform) AND (month:2026-10 OR month:2026-12) AND hybrid:false",
    "learning NOT machine",
    "rust OR NOT remote:true",
    "NOT (NOT onsite:true OR visa:true)",
    '"node.js" OR "c++ and" OR "text:[a TO z]*"',  # query-syntax characters are just text
]
BUILT_QUERIES = [
    Query(should=["rust", "python"], must_not={"remote": True}),
    Query(must={"month": "2026-11"}, should={"location": ["berlin", "bay area"]}),
    Query(should=[Query(must_not="learning"), Query(must={"company": "stripe"})]),
    Query(must=[Query(must=[Query(should=["go", Query(must="kubernetes", must_not="rust")])])]),
]


@pytest.mark.parametrize("source", QUERIES + BUILT_QUERIES, ids=str)
def test_matches_equal_the_reference_evaluation(
    filled: SearchIndex, corpus: list[dict], source: str | Query
) -> None:
    query = parse_query(source) if isinstance(source, str) else source
    expected = reference(corpus, query)
    assert filled.matching_ids(query) == expected
    assert filled.count(query) == len(expected)
    hits = filled.search(query, size=len(corpus))
    assert {hit.id for hit in hits} == expected
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_blog_post_examples_find_what_a_person_would(
    filled: SearchIndex, corpus: list[dict]
) -> None:
    first = filled.matching_ids(BLOG_FIRST)
    second = filled.matching_ids(BLOG_SECOND)
    assert first == reference(corpus, BLOG_FIRST) and len(first) > 10
    assert second == reference(corpus, BLOG_SECOND) and first < second
    assert 1 in first and 3 in second  # case, punctuation and hyphens do not matter
    assert 2 not in second  # "learning machine", "francisco san", "San Jose" are not matches


def test_month_filter_and_ids_for_month(filled: SearchIndex, corpus: list[dict]) -> None:
    for month in MONTHS:
        assert filled.ids_for_month(month) == {d["id"] for d in corpus if d["month"] == month}
    months = ["2026-10", "2026-12"]
    expected = reference(corpus, BLOG_SECOND, months)
    assert filled.matching_ids(BLOG_SECOND, months=months) == expected
    assert filled.count(BLOG_SECOND, months=months) == len(expected)
    assert {h.id for h in filled.search(BLOG_SECOND, size=500, months=months)} == expected
    assert filled.count(months=["2026-11"]) == len(filled.ids_for_month("2026-11"))
    assert filled.count() == len(corpus)
    assert filled.ids_for_month("1999-01") == set()


def test_sort_by_time_is_newest_first(filled: SearchIndex, corpus: list[dict]) -> None:
    query = parse_query("remote:true")
    hits = filled.search(query, size=15, sort="time")
    newest = sorted((d for d in corpus if query.matches(d)), key=lambda d: -d["time"])[:15]
    assert [hit.id for hit in hits] == [doc["id"] for doc in newest]
    assert all(hit.score == 0.0 for hit in hits)


def test_hits_carry_the_clean_posts_fields(filled: SearchIndex, corpus: list[dict]) -> None:
    by_id = {doc["id"]: doc for doc in corpus}
    hits = filled.search(parse_query("location:zürich OR company:stripe"), size=50)
    assert hits
    for hit in hits:
        expected, got = by_id[hit.id], hit.fields
        assert set(got) == set(expected)
        for column, value in expected.items():
            if isinstance(value, float) and math.isnan(value):
                assert math.isnan(got[column]), column
            else:
                assert got[column] == value, column


def test_upsert_is_idempotent_and_replaces_by_id(empty: SearchIndex) -> None:
    posts = synthetic_posts(20, months=["2026-11"], seed=1)
    assert empty.upsert(posts) == 20
    assert empty.upsert(posts) == 20
    assert empty.count() == 20
    changed = {**posts[0], "text": "Now hiring a zookeeper"}
    assert empty.upsert([changed]) == 1
    assert empty.matching_ids(Query(must="zookeeper")) == {posts[0]["id"]}
    assert empty.count() == 20


def test_delete_reports_what_was_present(empty: SearchIndex) -> None:
    posts = synthetic_posts(10, months=["2026-11"], seed=2)
    empty.upsert(posts)
    assert empty.delete([posts[0]["id"], posts[1]["id"], 123]) == 2
    assert empty.delete([posts[0]["id"]]) == 0
    assert empty.delete([]) == 0
    assert empty.ids_for_month("2026-11") == {post["id"] for post in posts[2:]}


def test_sync_month_adds_new_and_removes_vanished_posts(empty: SearchIndex) -> None:
    posts = synthetic_posts(30, months=["2026-10", "2026-11"], seed=4)
    october = pd.DataFrame([p for p in posts if p["month"] == "2026-10"])
    november = pd.DataFrame([p for p in posts if p["month"] == "2026-11"])
    assert sync_month(empty, "2026-10", october).added == len(october)
    first = sync_month(empty, "2026-11", november.iloc[:10])
    assert (first.added, first.removed, first.total) == (10, 0, 10)
    later = pd.concat([november.iloc[3:], november.iloc[:0]])  # 3 deleted upstream, 5 new
    second = sync_month(empty, "2026-11", later)
    assert (second.added, second.removed, second.total) == (len(later) - 7, 3, len(later))
    assert empty.ids_for_month("2026-11") == set(later["id"])
    assert empty.ids_for_month("2026-10") == set(october["id"])
    again = sync_month(empty, "2026-11", later)
    assert (again.added, again.removed, again.total) == (0, 0, len(later))


def test_bad_input_changes_nothing(empty: SearchIndex) -> None:
    posts = synthetic_posts(12, months=["2026-11"], seed=5)
    empty.upsert(posts[:10])
    before = empty.ids_for_month("2026-11")
    broken = [*posts[10:], {**posts[0], "id": 7, "month": "November"}, {"id": 8, "text": 1}]
    with pytest.raises(IndexWriteError) as raised:
        empty.upsert(broken)
    assert [problem.id for problem in raised.value.failures] == [7, 8]
    assert "month must look like YYYY-MM" in str(raised.value)
    with pytest.raises(ValueError, match="other months"):
        sync_month(empty, "2026-11", pd.DataFrame([{**posts[10], "month": "2026-12"}]))
    with pytest.raises(QueryError, match="unknown field"):
        empty.search(parse_query("rust") & Query(must={"planet": "Mars"}))
    with pytest.raises(QueryError, match="size"):
        empty.search(parse_query("rust"), size=0)
    with pytest.raises(QueryError, match="YYYY-MM"):
        empty.count(months=["last month"])
    assert empty.ids_for_month("2026-11") == before
    assert empty.count() == len(before)


def test_missing_index_is_reported_and_not_created(make_index: MakeIndex) -> None:
    index = make_index("never-built")
    query = parse_query("rust")
    for read in (
        lambda: index.search(query),
        lambda: index.count(),
        lambda: index.ids_for_month("2026-11"),
        lambda: index.delete([1]),
    ):
        with pytest.raises(IndexNotFoundError, match="hn-jobs refresh"):
            read()
    with pytest.raises(IndexNotFoundError):
        index.count()
