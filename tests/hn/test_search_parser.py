"""Query syntax: what parses to what, and where the caret points when it does not."""

from __future__ import annotations

import pytest

from hn_assets.search.parser import QuerySyntaxError, parse_query
from hn_assets.search.query import MAX_QUERY_DEPTH, Query, QueryError, Term
from tests.fakes.synthetic_posts import synthetic_posts


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
        ("rust planet:Mars", "unknown field 'planet'", 5),
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


# --- hostile input (issue #11) -----------------------------------------------------------


@pytest.mark.parametrize("count", [300, 10_000])
def test_redundant_parentheses_parse_at_any_count(count: int) -> None:
    assert parse_query("(" * count + "rust" + ")" * count) == Query(must="rust")
    assert parse_query(f"go OR {'(' * count}rust{')' * count}") == Query(should=["go", "rust"])


@pytest.mark.parametrize("count", [1_000, 10_000])
def test_long_runs_of_not_cancel_in_pairs(count: int) -> None:
    assert parse_query("NOT " * count + "rust") == Query(must="rust")
    assert parse_query("NOT " * (count + 1) + "rust") == Query(must_not="rust")
    assert parse_query("go " + "not " * (count + 1) + "(a OR b)") == Query(
        must="go", must_not=Query(should=["a", "b"])
    )


@pytest.mark.parametrize("operator", ["AND", "OR", ""])
def test_flat_chains_of_thousands_of_terms_stay_one_level(operator: str) -> None:
    words = [f"w{number}" for number in range(10_000)]
    query = parse_query(f" {operator} ".join(words))
    assert query.depth == 1
    assert len(query.should if operator == "OR" else query.must) == len(words)
    assert str(query).startswith(f"w0 {operator or 'AND'} w1 ")


@pytest.mark.parametrize(
    ("query", "message", "caret"),
    [
        ("(" * 10_000, "expected a term", 10_000),
        ("(" * 10_000 + "rust", "unclosed parenthesis", 9_999),
        ("rust" + ")" * 10_000, "unmatched closing parenthesis", 4),
        ("NOT " * 10_000, "expected a term after NOT", 40_000),
        ("rust AND " * 10_000, "expected a term after AND", 90_000),
        ("rust OR " * 10_000, "expected a term after OR", 80_000),
    ],
)
def test_hostile_input_is_a_syntax_error_not_a_crash(query: str, message: str, caret: int) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(query)
    assert message in raised.value.message
    assert raised.value.position == caret
    # A long query is shown as an excerpt around the caret, so the message stays readable.
    shown, marker = str(raised.value).splitlines()[1:]
    assert len(shown) < 100 and marker.endswith("^")


def test_a_long_query_is_shown_cut_around_the_caret() -> None:
    query = "rust " * 40 + "planet:mars " + "go " * 40
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(query)
    assert raised.value.position == query.index("planet")
    shown, marker = str(raised.value).splitlines()[1:]
    assert shown.startswith("  …") and shown.endswith("…")
    assert shown[len(marker) - 1 :].startswith("planet:mars")


def nested(levels: int) -> str:
    """``levels`` query levels that cannot be flattened: a OR (b AND (a OR (b AND ...)))."""
    text = "leaf"
    for level in range(levels):
        text = f"a{level} OR ({text})" if level % 2 else f"b{level} AND ({text})"
    return text


def test_queries_nest_up_to_the_documented_depth() -> None:
    deepest = parse_query(nested(MAX_QUERY_DEPTH))
    assert deepest.depth == MAX_QUERY_DEPTH
    assert parse_query(str(deepest)) == deepest
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(nested(MAX_QUERY_DEPTH + 1))
    error = raised.value
    assert isinstance(error, QueryError)
    assert f"more than {MAX_QUERY_DEPTH} levels deep" in error.message
    assert "split it into several searches" in error.message
    assert error.query[error.position] == "("  # the group to flatten


def test_too_deep_under_not_points_at_the_not() -> None:
    text = "NOT (" + nested(MAX_QUERY_DEPTH) + ")"
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(text)
    assert raised.value.position == 0


def test_error_display_replaces_control_characters() -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query("\x1b[31m AND \x1b]0;title\x07 AND")
    shown = str(raised.value).splitlines()[1]
    assert "\x1b" not in shown and "\x07" not in shown
    assert shown == "  ?[31m AND ?]0;title? AND"


def test_a_huge_bad_value_is_quoted_short_in_the_message() -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query("rust remote:" + "x" * 100_000)
    assert raised.value.message.startswith("remote: expects true or false, got 'xxx")
    assert len(str(raised.value)) < 400


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("salary_min>=150k", "salary_min:>=150k"),
        ("salary_max<90000 rust", "salary_max:<90000 rust"),
        ("remote:true AND salary_min>100000", "remote:true AND salary_min:>100000"),
    ],
)
def test_a_comparison_can_follow_the_field_name(text, same_as):
    assert parse_query(text) == parse_query(same_as)


def test_a_comparison_on_a_field_that_is_not_a_number_is_refused_with_the_fix():
    with pytest.raises(QuerySyntaxError, match="company is not a number field") as caught:
        parse_query("rust company>=3")
    assert caught.value.position == len("rust ")
