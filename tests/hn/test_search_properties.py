"""Properties of the query language over generated input (hypothesis).

* No string makes :func:`parse_query` raise anything but :class:`QueryError`.
* ``str`` and :func:`parse_query` are inverse on the normal form: a query built with
  ``all_of`` / ``any_of`` / ``negate`` (what ``&``, ``|``, ``~`` and the parser build) reads back
  as the same object. A query assembled from raw ``Query(must=, should=, must_not=)`` reads back
  in that normal form, no deeper, with the same :meth:`Query.matches` on every document.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hn_assets.search.analysis import tokenize
from hn_assets.search.parser import parse_query
from hn_assets.search.query import FIELDS, Clause, Query, QueryError, Term, all_of, any_of, negate
from tests.fakes.synthetic_posts import synthetic_posts

# No example database: a run leaves nothing behind in the working tree.
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
POSTS = synthetic_posts(40, months=["2026-10", "2026-11"], seed=17)

# Words that stress the syntax: operators, field-like prefixes, quotes and brackets.
TRICKY = ["and", "OR", "Not", "rust", "go", "a:b", "(x)", '"q"', "C++", "c#", "node.js", "1/2"]
word = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=6),
)
separator = st.sampled_from([" ", "  ", "-", ", ", ":", '"', "(", ")", "\t", "\u00a0"])
phrase = st.builds(
    lambda words, sep: sep.join(words), st.lists(word, min_size=1, max_size=3), separator
)
text_value = phrase.filter(lambda value: bool(tokenize(value)))
keyword_value = phrase.filter(lambda value: '"' not in value and bool(value.split()))
number_value = st.one_of(
    st.integers(0, 10**9), st.floats(0, 1e9, allow_nan=False, allow_infinity=False)
)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "text": text_value,
    "keyword": keyword_value,
    "bool": st.booleans(),
    "month": st.builds("{:04d}-{:02d}".format, st.integers(2011, 2030), st.integers(1, 12)),
}


def term_of(name: str) -> st.SearchStrategy[Term]:
    kind = FIELDS[name].kind
    if kind == "number":
        return st.builds(
            Term, st.just(name), number_value, st.sampled_from(["=", ">", ">=", "<", "<="])
        )
    return st.builds(Term, st.just(name), VALUES[kind])


terms = st.one_of([term_of(name) for name in FIELDS])


def combined(build: Callable[..., Query]) -> Callable[[list[Clause]], Clause]:
    def combine(clauses: list[Clause]) -> Clause:
        try:
            return build(*clauses)
        except QueryError:  # deeper than MAX_QUERY_DEPTH: keep a shallower part
            return clauses[0]

    return combine


def as_query(clause: Clause) -> Query:
    return clause if isinstance(clause, Query) else Query(must=clause)


# Builder trees: two or more operands, since all_of(x) of one OR-query is not flattened.
normal_form = st.recursive(
    terms,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=4).map(combined(all_of)),
        st.lists(children, min_size=2, max_size=4).map(combined(any_of)),
        st.lists(children, min_size=1, max_size=1).map(combined(negate)),
    ),
    max_leaves=14,
).map(as_query)


def raw_query(children: st.SearchStrategy[Clause]) -> st.SearchStrategy[Clause]:
    """``Query(must=, should=, must_not=)`` as given, with ``first`` in the list ``role``."""

    def build(first: Clause, role: str, lists: dict[str, list[Clause]]) -> Clause:
        lists[role] = [first, *lists[role]]
        try:
            return Query(**lists)
        except QueryError:  # deeper than MAX_QUERY_DEPTH
            return first

    roles = ["must", "should", "must_not"]
    lists = st.fixed_dictionaries({role: st.lists(children, max_size=3) for role in roles})
    return st.builds(build, children, st.sampled_from(roles), lists)


raw = st.recursive(terms, raw_query, max_leaves=14).map(as_query)


def document(query: Query, draw: st.DrawFn) -> dict[str, Any]:
    """A post holding some of the query's values, so that its clauses match sometimes."""
    doc = dict(draw(st.sampled_from(POSTS)))
    doc.update(
        text="",
        company=None,
        roles=[],
        locations=[],
        employment_types=[],
        salary_currency=None,
        salary_min=math.nan,
        salary_max=math.nan,
    )
    for term in query.terms():
        if not draw(st.booleans()):
            continue
        column, kind = term.spec.column, term.spec.kind
        if kind == "number":
            doc[column] = float(term.value) + draw(st.sampled_from([-1.0, 0.0, 1.0]))
        elif column in ("roles", "locations", "employment_types"):
            doc[column] = [*doc[column], term.value]
        elif column in ("text", "company"):
            doc[column] = f"{doc[column] or ''} {term.value}".strip()
        else:
            doc[column] = term.value
    return doc


@SETTINGS
@given(
    st.one_of(
        st.text(st.characters(exclude_categories=())),
        st.lists(
            st.sampled_from(
                [
                    "(",
                    ")",
                    "AND",
                    "or",
                    "NOT",
                    '"',
                    "rust",
                    "company:",
                    "salary_min:>=",
                    "150k",
                    "month:",
                    "2026-11",
                    "remote:",
                    "true",
                    "x:",
                    ":",
                    "-",
                    " ",
                ]
            ),
            max_size=30,
        ).map("".join),
        st.lists(st.sampled_from(["(", ")", "NOT", "a", "b", "OR", "AND"]), max_size=60).map(
            " ".join
        ),
    )
)
def test_any_string_parses_or_raises_query_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError:
        return
    # Whatever parses is in the normal form, so it reads back as itself.
    assert parse_query(str(query)) == query


@SETTINGS
@given(normal_form)
def test_str_and_parse_are_inverse_on_the_normal_form(query: Query) -> None:
    text = str(query)
    assert parse_query(text) == query
    assert str(parse_query(text)) == text


@SETTINGS
@given(raw, st.data())
def test_raw_queries_read_back_in_normal_form_with_the_same_meaning(
    query: Query, data: st.DataObject
) -> None:
    again = parse_query(str(query))
    assert parse_query(str(again)) == again
    assert again.depth <= query.depth
    docs = [document(query, data.draw) for _ in range(6)]
    assert [again.matches(doc) for doc in docs] == [query.matches(doc) for doc in docs]
