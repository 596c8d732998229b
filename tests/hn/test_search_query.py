"""Query builder: construction, composition, reference semantics and the Elasticsearch JSON."""

from __future__ import annotations

import json
import math

import pytest

from hn_assets.search.query import (
    FIELDS,
    MAX_QUERY_DEPTH,
    Query,
    QueryError,
    Term,
    all_of,
    any_of,
)

SF_AND_ML = Query(must=["san francisco", "machine learning"])
NESTED = Query(
    must=[
        Query(should=["san francisco", "bay area"]),
        Query(should=["machine learning", "data analysis"]),
    ]
)


def post(**overrides: object) -> dict:
    base: dict = {
        "id": 1,
        "thread_id": 9,
        "month": "2026-11",
        "by": "pg",
        "time": 1_790_000_000,
        "text": "",
        "company": None,
        "roles": [],
        "locations": [],
        "remote": False,
        "onsite": False,
        "hybrid": False,
        "salary_min": math.nan,
        "salary_max": math.nan,
        "salary_currency": None,
        "visa": None,
        "employment_types": [],
        "urls": [],
        "emails": [],
        "hn_url": "https://news.ycombinator.com/item?id=1",
    }
    base.update(overrides)
    return base


def no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), f"duplicated key in {keys}"
    return dict(pairs)


def test_blog_examples_translate_to_nested_bool_queries() -> None:
    assert SF_AND_ML.to_elasticsearch() == {
        "bool": {
            "must": [
                {"match_phrase": {"text": "san francisco"}},
                {"match_phrase": {"text": "machine learning"}},
            ]
        }
    }
    assert NESTED.to_elasticsearch() == {
        "bool": {
            "must": [
                {
                    "bool": {
                        "should": [
                            {"match_phrase": {"text": "san francisco"}},
                            {"match_phrase": {"text": "bay area"}},
                        ]
                    }
                },
                {
                    "bool": {
                        "should": [
                            {"match_phrase": {"text": "machine learning"}},
                            {"match_phrase": {"text": "data analysis"}},
                        ]
                    }
                },
            ]
        }
    }


def test_should_beside_must_requires_one_match() -> None:
    query = Query(must="rust", should=["berlin", "remote"], must_not={"onsite": True})
    assert query.to_elasticsearch() == {
        "bool": {
            "must": [{"match": {"text": "rust"}}],
            "should": [{"match": {"text": "berlin"}}, {"match": {"text": "remote"}}],
            "minimum_should_match": 1,
            "must_not": [{"term": {"onsite": True}}],
        }
    }
    assert not query.matches(post(text="rust everywhere"))  # the OR is not optional
    assert query.matches(post(text="rust in Berlin"))


def test_several_values_of_one_field_become_several_clauses_without_duplicate_keys() -> None:
    query = Query(
        should={"location": ["Berlin", "bay area"], "company": "Stripe"},
        must={"month": "2026-11", "remote": "yes", "salary_min": ">=150k"},
    )
    encoded = json.dumps(query.to_elasticsearch())
    decoded = json.loads(encoded, object_pairs_hook=no_duplicate_keys)
    assert decoded["bool"]["should"] == [
        {"match": {"locations": "Berlin"}},
        {"match_phrase": {"locations": "bay area"}},
        {"match": {"company": "Stripe"}},
    ]
    assert decoded["bool"]["must"] == [
        {"term": {"month": "2026-11"}},
        {"term": {"remote": True}},
        {"range": {"salary_min": {"gte": 150000.0}}},
    ]


def test_operators_compose_and_flatten() -> None:
    sf, bay, ml = Term("text", "san francisco"), Term("text", "bay area"), Term("text", "ml")
    assert (Query(must=sf) & "machine learning") == SF_AND_ML
    assert (sf | bay) == Query(should=[sf, bay])
    assert ((sf | bay) | ml) == Query(should=[sf, bay, ml])
    assert ((sf & bay) & ml) == Query(must=[sf, bay, ml])
    assert (sf & ~bay) == Query(must=sf, must_not=bay)
    assert ~~Query(must=sf) == Query(must=sf)
    assert ("san francisco" | Query(must="bay area")) == Query(should=[sf, bay])
    nested = (sf | bay) & (Term("text", "machine learning") | "data analysis")
    assert nested == NESTED


def test_reference_semantics_of_text_fields() -> None:
    doc = post(
        text="We do Machine-Learning in SAN FRANCISCO.",
        company="Stripe, Inc.",
        locations=["San Francisco Bay Area", "Berlin"],
    )
    assert SF_AND_ML.matches(doc)
    assert not Query(must="learning machine").matches(doc)  # a phrase keeps its order
    assert Query(must={"location": "bay area"}).matches(doc)
    assert Query(must={"location": "san francisco"}).matches(doc)
    assert not Query(must={"location": "area berlin"}).matches(doc)  # not across two values
    assert Query(must={"company": "stripe"}).matches(doc)
    assert not Query(must={"company": "stripe"}).matches(post(company=None))


def test_reference_semantics_of_flags_keywords_and_numbers() -> None:
    doc = post(
        remote=True,
        visa=None,
        salary_min=120_000.0,
        salary_currency="USD",
        employment_types=["full-time"],
    )
    assert Query(must={"remote": True}).matches(doc)
    assert not Query(must={"onsite": True}).matches(doc)
    assert not Query(must={"visa": True}).matches(doc)
    assert not Query(must={"visa": False}).matches(doc)  # unknown matches neither
    assert Query(must={"currency": "usd", "employment": "FULL-TIME"}).matches(doc)
    assert Query(must={"salary_min": ">100000"}).matches(doc)
    assert not Query(must={"salary_min": "<=100k"}).matches(doc)
    assert not Query(must={"salary_max": ">0"}).matches(doc)  # NaN is no salary
    assert Query(must_not={"onsite": True}).matches(doc)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Query(), "empty query"),
        (lambda: Query(must=[]), "empty query"),
        (lambda: Query(must={"planet": 5}), "unknown field 'planet'; known fields: city, company"),
        (lambda: Query(must={"location": []}), "empty list of values"),
        (lambda: Query(must="!!"), "no letters or digits"),
        (lambda: Query(must={"month": "Nov 2026"}), "YYYY-MM"),
        (lambda: Query(must={"remote": "sometimes"}), "expects true or false"),
        (lambda: Query(must={"salary_min": "lots"}), "expects a number"),
        (lambda: Query(must=3.5), "cannot search for 3.5"),
    ],
)
def test_bad_queries_raise_clear_errors(build, message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(")):
        build()


def test_unknown_field_message_lists_every_known_field() -> None:
    with pytest.raises(QueryError) as raised:
        Term("planet", "Mars")
    for name in FIELDS:
        assert name in str(raised.value)


def test_column_names_are_accepted_as_field_aliases() -> None:
    assert Term("locations", "Berlin") == Term("location", "Berlin")
    assert Term("employment_types", "Contract").value == "contract"


# --- deep and hostile queries (issue #11) --------------------------------------------------


def alternating(levels: int) -> Query:
    """A query ``levels`` deep that no operator can flatten: a OR (b AND (a OR (b AND ...)))."""
    query: Query | Term = Term("text", "leaf")
    for level in range(levels):
        word = Term("text", f"w{level}")
        query = (word | query) if level % 2 else (word & query)
    assert isinstance(query, Query)
    return query


def test_negations_cancel_however_many_are_composed() -> None:
    query = Query(must="rust")
    negated = query
    for _ in range(10_000):
        negated = ~negated
    assert negated == query and negated.depth == 1
    assert ~negated == Query(must_not="rust")


def test_composing_thousands_of_clauses_stays_flat() -> None:
    query = Query(must="w0")
    alternatives = Query(should=["w0", "w1"])
    for number in range(1, 1_000):
        query = query & f"w{number}"
        alternatives = alternatives | f"x{number}"
    assert query.depth == 1 and len(query.must) == 1_000
    assert alternatives.depth == 1 and len(alternatives.should) == 1_001
    words = [f"w{number}" for number in range(20_000)]
    assert all_of(*words).depth == 1 and any_of(*words).depth == 1  # the way to join many


def test_building_deeper_than_the_limit_is_a_query_error() -> None:
    assert alternating(MAX_QUERY_DEPTH).depth == MAX_QUERY_DEPTH
    with pytest.raises(QueryError, match=f"more than {MAX_QUERY_DEPTH} levels deep"):
        alternating(MAX_QUERY_DEPTH + 1)
    with pytest.raises(QueryError, match="levels deep"):
        query = Query(must="rust")
        for _ in range(10_000):
            query = Query(must=[query])  # raw nesting is not flattened, so it is counted
    with pytest.raises(QueryError, match="levels deep"):
        query = Query(must="rust")
        for _ in range(10_000):
            query = Query(must_not=[Query(must_not=[query])])


def test_depth_counts_levels_as_str_writes_them() -> None:
    # Several should clauses beside a must clause are written as a parenthesised group.
    assert Query(must="a", should=["b", "c"]).depth == 2
    assert str(Query(must="a", should=["b", "c"])) == "a AND (b OR c)"
    assert Query(must="a", should="b").depth == 1
    assert Query(should=["b", "c"], must_not="d").depth == 2
    assert Query(should=["b", "c"]).depth == 1


def test_the_deepest_query_works_everywhere(tmp_path) -> None:
    from hn_assets.search.elastic_index import elasticsearch_request
    from hn_assets.search.local_index import LocalIndex
    from hn_assets.search.parser import parse_query
    from tests.fakes.synthetic_posts import synthetic_posts

    deepest = alternating(MAX_QUERY_DEPTH)
    twin = alternating(MAX_QUERY_DEPTH)
    assert deepest == twin and hash(deepest) == hash(twin) and deepest != alternating(3)
    assert parse_query(str(deepest)) == deepest
    assert "leaf" in repr(deepest) and len(list(deepest.terms())) == MAX_QUERY_DEPTH + 1
    request = elasticsearch_request(deepest, ["2026-11"])
    assert json.loads(json.dumps(request)) == request
    posts = synthetic_posts(20, months=["2026-11"], seed=5)
    posts[0]["text"] = " ".join(f"w{level}" for level in range(MAX_QUERY_DEPTH)) + " leaf"
    expected = {post["id"] for post in posts if deepest.matches(post)}
    assert posts[0]["id"] in expected
    with LocalIndex(tmp_path / "index") as index:
        index.ensure_index()
        index.upsert(posts)
        assert index.matching_ids(deepest, months=["2026-11"]) == expected


def test_values_that_str_could_not_write_back_are_normalised_or_refused() -> None:
    # A double quote only separates words, so it is dropped from analysed text.
    assert Term("company", 'the "best" co') == Term("company", "the best co")
    assert str(Term("text", 'say "hi"')) == '"say hi"'
    with pytest.raises(QueryError, match="double quote"):
        Term("employment", 'full"time')
    for bad in (-1, math.nan, math.inf, -math.inf, 10**400):
        with pytest.raises(QueryError, match="finite number of 0 or more"):
            Term("salary_min", bad)
    with pytest.raises(QueryError, match="expects a number"):
        Term("salary_min", "9" * 400)  # beyond any float
    assert str(Term("salary_max", 1e-7, "<")) == "salary_max:<0.0000001"
    assert str(Term("salary_min", 1e22)) == "salary_min:10000000000000000000000"
