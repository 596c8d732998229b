"""Query syntax: what parses to what, and where the caret points when it does not."""

from __future__ import annotations

import pytest

from hn_assets.search.parser import QuerySyntaxError, parse_query
from hn_assets.search.query import Query, QueryError, Term
from hn_assets.search.synthetic import synthetic_posts


def text(value: str) -> Term:
    return Term("text", value)


def test_blog_examples_parse_to_the_builder_queries() -> None:
    assert parse_query('"san francisco" AND "machine learning"') == Query(
        must=["san francisco", "machine learning"]
    )
    assert parse_query(
        '("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")'
    ) == Query(
        must=[
            Query(should=["san francisco", "bay area"]),
            Query(should=["machine learning", "data analysis"]),
        ]
    )


def test_precedence_implicit_and_and_case_insensitive_operators() -> None:
    assert parse_query("a OR b AND c") == Query(should=[text("a"), Query(must=["b", "c"])])
    assert parse_query("rust go") == Query(must=["rust", "go"])
    assert parse_query("rust or go") == Query(should=["rust", "go"])
    assert parse_query("not onsite") == Query(must_not="onsite")
    assert parse_query("NOT NOT onsite") == Query(must="onsite")
    assert parse_query('"or" "not"') == Query(must=["or", "not"])
    assert parse_query("a AND NOT b AND c") == Query(must=["a", "c"], must_not="b")


def test_fields_values_and_groups() -> None:
    assert parse_query('company:stripe location:"bay area" remote:true month:2026-11') == Query(
        must=[
            {"company": "stripe"},
            {"location": "bay area"},
            {"remote": True},
            {"month": "2026-11"},
        ]
    )
    assert parse_query("location:(berlin OR london) salary_min:>=150k") == Query(
        must=[Query(should={"location": ["berlin", "london"]}), {"salary_min": ">=150000"}]
    )
    assert parse_query("Locations:Berlin employment:full-time") == Query(
        must=[{"location": "Berlin"}, {"employment": "full-time"}]
    )


def test_design_doc_example_without_quotes_ands_the_words() -> None:
    query = parse_query(
        "(san francisco OR bay area) AND (machine learning OR data analysis) AND NOT onsite"
    )
    assert query.must_not == (text("onsite"),)
    assert query.must[0] == Query(
        should=[Query(must=["san", "francisco"]), Query(must=["bay", "area"])]
    )


@pytest.mark.parametrize(
    ("query", "message", "caret"),
    [
        ("", "empty query", 0),
        ("   ", "empty query", 0),
        ("(rust OR go", "unclosed parenthesis", 0),
        ("rust) AND go", "unmatched closing parenthesis", 4),
        ("rust AND", "expected a term after AND", 8),
        ("OR rust", "expected a term before OR", 0),
        ("rust AND (go OR )", "expected a term after OR", 16),
        ("()", "empty parentheses", 0),
        ('rust "machine learning', "unterminated quoted phrase", 5),
        ("rust city:Berlin", "unknown field 'city'", 5),
        ("see https://example.com", "unknown field 'https'", 4),
        ("remote:maybe", "expects true or false", 7),
        ("month:2026-13 rust", "YYYY-MM", 6),
        ("rust company:", "missing value after company:", 13),
        ("rust && go", "no letters or digits", 5),
    ],
)
def test_syntax_errors_point_at_the_problem(query: str, message: str, caret: int) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(query)
    error = raised.value
    assert isinstance(error, QueryError) and isinstance(error, ValueError)
    assert message in error.message
    assert error.position == caret
    lines = str(error).splitlines()
    assert lines[1] == f"  {query}"
    assert lines[2] == "  " + " " * caret + "^"


@pytest.mark.parametrize(
    "source",
    [
        '("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")',
        "(san francisco OR bay area) AND (machine learning OR data analysis) AND NOT onsite",
        "rust OR (python AND NOT django) OR location:(berlin OR paris)",
        'NOT (remote:true OR hybrid:true) company:"acme robotics" salary_max:<90000',
        "employment:contract visa:false OR currency:EUR",
    ],
)
def test_str_round_trips_to_the_same_meaning(source: str) -> None:
    query = parse_query(source)
    again = parse_query(str(query))
    assert str(again) == str(query)
    posts = synthetic_posts(300, seed=3)
    assert [query.matches(doc) for doc in posts] == [again.matches(doc) for doc in posts]
