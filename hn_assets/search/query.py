"""Nested boolean queries over job posts, independent of any search engine.

A :class:`Query` holds three lists of clauses, like an Elasticsearch ``bool`` query:
``must`` (all of them), ``should`` (at least one of them) and ``must_not`` (none of them). A
clause is a :class:`Term` (one field, one value) or another :class:`Query`, nested up to
:data:`MAX_QUERY_DEPTH` levels (see :attr:`Query.depth`): a deeper query raises
:class:`QueryError` when it is built, so every backend and every method here can walk any query
that exists.

The meaning of a query is defined once, in Python, by :meth:`Query.matches`; the backends
translate the same object (:meth:`Query.to_elasticsearch`, ``LocalIndex`` for tantivy) and the
conformance tests check them against :meth:`Query.matches`.

Field semantics (the fields are those of :data:`~hn_assets.search.schema.POST_SCHEMA` with a
query kind, see :class:`~hn_assets.search.schema.Search`; :data:`FIELDS` lists them):

* ``text`` kinds (``text``, ``company``, ``role``, ``location``) are analysed
  (:func:`~hn_assets.search.analysis.tokenize`): a value matches when its words occur as
  consecutive words *within one* value of the field, ignoring case and punctuation. So
  ``location:"bay area"`` and ``location:"san francisco"`` both match "San Francisco Bay Area",
  ``company:stripe`` matches "Stripe, Inc.", but ``location:"francisco berlin"`` does not match
  the two locations ["San Francisco", "Berlin"]. A one-word value is a term, a multi-word value a
  phrase.
* ``keyword`` kinds (``employment``, ``currency``) match a whole value, ignoring case.
* ``month`` matches ``YYYY-MM`` exactly; ``bool`` kinds take true/false (also yes/no, 1/0).
  ``visa`` is unknown (None) for most posts: neither ``visa:true`` nor ``visa:false`` matches it.
* ``number`` kinds take ``N``, ``>N``, ``>=N``, ``<N``, ``<=N`` (``150k`` = 150000), a finite
  number of 0 or more. A post without a salary matches no salary condition.

``str(query)`` writes a query in the ``hn-jobs search`` syntax, and ``parse_query(str(query))``
has the same meaning. It is the same object when the query was built by :func:`all_of`,
:func:`any_of` and :func:`negate` (``&``, ``|``, ``~``, and the parser itself); a query assembled
from raw ``Query(must=..., should=..., must_not=...)`` comes back in that normal form, which
reads back unchanged.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeAlias

from hn_assets.search.analysis import contains_phrase, tokenize
from hn_assets.search.errors import QueryError
from hn_assets.search.schema import POST_SCHEMA, PostSchema, QueryField

Comparison = Literal["=", ">", ">=", "<", "<="]

#: The query language's fields, from :data:`~hn_assets.search.schema.POST_SCHEMA`.
FIELDS: dict[str, QueryField] = POST_SCHEMA.query_fields
DEFAULT_FIELD = "text"
#: Words the query syntax reserves as operators (matched case-insensitively).
OPERATORS = frozenset({"AND", "OR", "NOT"})
#: How many levels a :class:`Query` may nest (see :attr:`Query.depth`). Elasticsearch refuses
#: queries nested deeper than its ``indices.query.bool.max_nested_depth`` setting, whose lowest
#: default (Elasticsearch 7) is 20 and whose count includes the month filter wrapped around the
#: query and the leaf queries; staying under it keeps every query that can be built runnable on
#: both backends, and keeps the recursive walks over a query (matching, translation, ``str``,
#: equality) far from Python's recursion limit.
MAX_QUERY_DEPTH = 16

#: A month, YYYY-MM, and nothing around it.
MONTH_PATTERN = re.compile(r"\d{4}-(0[1-9]|1[0-2])\Z")
_NUMBER = re.compile(r"^(>=|<=|>|<|=)?\s*(\d+(?:\.\d+)?)([kK])?$")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_BARE_WORD = re.compile(r'^[^\s()":]+$')
#: Characters of a value quoted in an error message.
_QUOTED_CHARS = 60


def _quoted(value: object) -> str:
    """``repr(value)`` for an error message, cut short: the value may be a whole hostile query."""
    text = repr(value)
    return text if len(text) <= _QUOTED_CHARS else text[: _QUOTED_CHARS - 1] + "…"


def resolve_field(name: str, schema: PostSchema = POST_SCHEMA) -> QueryField:
    """The field called ``name`` (or its clean_posts column name), case-insensitively."""
    key = name.strip().lower()
    key = schema.query_aliases.get(key, key)
    try:
        return schema.query_fields[key]
    except KeyError:
        raise QueryError(
            f"unknown field {_quoted(name)}; known fields: {', '.join(sorted(schema.query_fields))}"
        ) from None


def validate_month(value: object, name: str = "month") -> str:
    """Return ``value`` if it is a ``YYYY-MM`` month, else raise :class:`QueryError`."""
    if not isinstance(value, str) or not MONTH_PATTERN.match(value.strip()):
        raise QueryError(f"{name} must look like YYYY-MM (e.g. 2026-11), got {_quoted(value)}")
    return value.strip()


def parse_bool(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise QueryError(f"{field}: expects true or false, got {_quoted(value)}")


def parse_number(value: object, field: str) -> tuple[Comparison, float]:
    if isinstance(value, bool):
        raise QueryError(f"{field}: expects a number, got {_quoted(value)}")
    if isinstance(value, int | float):
        try:
            amount = float(value)
        except OverflowError:  # an int beyond any float
            amount = math.inf
        # The query syntax has no way to write NaN, infinities or negative numbers, so a query
        # holding one could not be printed and parsed back; no salary is negative anyway.
        if not math.isfinite(amount) or amount < 0:
            raise QueryError(f"{field}: expects a finite number of 0 or more, got {_quoted(value)}")
        return "=", amount
    if isinstance(value, str):
        match = _NUMBER.match(value.strip())
        if match:
            op, digits, thousands = match.groups()
            amount = float(digits) * (1000 if thousands else 1)
            if math.isfinite(amount):
                return (op or "="), amount  # type: ignore[return-value]
    raise QueryError(
        f"{field}: expects a number with an optional comparison (150000, >=150k, <90000), "
        f"got {_quoted(value)}"
    )


def _column_values(doc: Mapping[str, Any], column: str) -> list[Any]:
    value = doc.get(column)
    if value is None:
        return []
    if isinstance(value, str | bool | int | float):
        return [value]
    return list(value)


def _text_value(spec: QueryField, value: object) -> str:
    if not isinstance(value, str):
        raise QueryError(f"{spec.name}: expects text, got {_quoted(value)}")
    if '"' in value and spec.kind == "keyword":
        raise QueryError(
            f"{spec.name}: {_quoted(value)} contains a double quote, which no "
            f"{spec.name} value has; remove it"
        )
    # Analysis treats a quote as a word separator, so dropping it keeps the meaning of a text
    # value and lets str() quote it (the syntax has no escape for a quote).
    words = " ".join(value.replace('"', " ").split())
    if spec.kind == "text" and not tokenize(words):
        raise QueryError(f"{spec.name}: {_quoted(value)} has no letters or digits to search for")
    if spec.kind == "keyword":
        if not words:
            raise QueryError(f"{spec.name}: empty value")
        return words.lower()
    return words


def _normalised(
    spec: QueryField, op: Comparison, value: object
) -> tuple[Comparison, str | bool | float]:
    """The comparison and value of a term on ``spec``, checked and in normal form."""
    if spec.kind == "number":
        written, amount = parse_number(value, spec.name)
        # A comparison given apart wins over one written in the value.
        return (written if op == "=" else op), amount
    if spec.kind == "month":
        checked: str | bool = validate_month(value, spec.name)
    elif spec.kind == "bool":
        checked = parse_bool(value, spec.name)
    else:
        checked = _text_value(spec, value)
    if op != "=":
        raise QueryError(f"{spec.name}: comparisons like {op} only apply to number fields")
    return op, checked


class _Composable:
    """``&``, ``|`` and ``~`` for terms and queries alike."""

    __slots__ = ()

    def __and__(self, other: TermLike) -> Query:
        return all_of(self, other)  # type: ignore[arg-type]

    def __or__(self, other: TermLike) -> Query:
        return any_of(self, other)  # type: ignore[arg-type]

    def __invert__(self) -> Query:
        return negate(self)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Term(_Composable):
    """One condition on one field. Construction validates and normalises the value.

    ``field`` is looked up in ``schema`` (the clean post schema unless another is given).
    """

    field: str
    value: str | bool | float
    op: Comparison = "="
    schema: PostSchema = dataclasses.field(
        default=POST_SCHEMA, kw_only=True, compare=False, repr=False
    )
    _spec: QueryField = dataclasses.field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        spec = resolve_field(self.field, self.schema)
        op, value = _normalised(spec, self.op, self.value)
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "field", spec.name)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "op", op)

    @property
    def spec(self) -> QueryField:
        return self._spec

    @property
    def tokens(self) -> tuple[str, ...]:
        """The analysed words of a text value (empty for other kinds)."""
        return tokenize(self.value) if self.spec.kind == "text" else ()  # type: ignore[arg-type]

    @property
    def is_phrase(self) -> bool:
        return len(self.tokens) > 1

    def matches(self, doc: Mapping[str, Any]) -> bool:
        """Reference semantics: does the clean_posts row ``doc`` satisfy this term?"""
        spec = self.spec
        values = _column_values(doc, spec.column)
        if spec.kind == "text":
            wanted = self.tokens
            return any(contains_phrase(tokenize(str(v)), wanted) for v in values)
        if spec.kind == "keyword":
            return any(isinstance(v, str) and v.lower() == self.value for v in values)
        if spec.kind == "month":
            return any(v == self.value for v in values)
        if spec.kind == "bool":
            return any(v is not None and bool(v) == self.value for v in values)
        numbers = [float(v) for v in values if v is not None and not math.isnan(float(v))]
        return any(_compare(n, self.op, float(self.value)) for n in numbers)

    def to_elasticsearch(self) -> dict[str, Any]:
        spec = self.spec
        if spec.kind == "text":
            kind = "match_phrase" if self.is_phrase else "match"
            return {kind: {spec.column: self.value}}
        if spec.kind == "number" and self.op != "=":
            bound = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}[self.op]
            return {"range": {spec.column: {bound: self.value}}}
        return {"term": {spec.column: self.value}}

    def __str__(self) -> str:
        spec = self.spec
        if spec.kind == "bool":
            text = "true" if self.value else "false"
        elif spec.kind == "number":
            amount = float(self.value)
            # Positional digits: the syntax reads 1e-07 as a word, not a number.
            number = str(int(amount)) if amount.is_integer() else f"{Decimal(repr(amount)):f}"
            text = number if self.op == "=" else f"{self.op}{number}"
        else:
            text = str(self.value)
            bare = _BARE_WORD.match(text) and text.upper() not in OPERATORS
            if not bare:
                text = f'"{text}"'  # construction removed or refused any quote inside
        return text if spec.name == DEFAULT_FIELD else f"{spec.name}:{text}"


def _compare(left: float, op: Comparison, right: float) -> bool:
    if op == ">":
        return left > right
    if op == ">=":
        return left >= right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    return left == right


Clause: TypeAlias = "Term | Query"
#: What the constructor accepts as one term: text (default field), {field: value(s)}, or a clause.
TermLike: TypeAlias = "str | Mapping[str, Any] | Term | Query"


def _clauses(items: TermLike | Iterable[TermLike] | None, role: str) -> tuple[Clause, ...]:
    if items is None:
        return ()
    if isinstance(items, str | Mapping | Term | Query) or not isinstance(items, Iterable):
        items = [items]  # type: ignore[list-item]
    clauses: list[Clause] = []
    for item in items:
        if isinstance(item, Term | Query):
            clauses.append(item)
        elif isinstance(item, str):
            clauses.append(Term(DEFAULT_FIELD, item))
        elif isinstance(item, Mapping):
            if not item:
                raise QueryError(f"{role}: an empty mapping has no field to search")
            for field, values in item.items():
                if isinstance(values, list | tuple | set | frozenset):
                    if not values:
                        raise QueryError(
                            f"{role}: field {_quoted(field)} has an empty list of values"
                        )
                    clauses.extend(Term(field, value) for value in values)
                else:
                    clauses.append(Term(field, values))
        else:
            raise QueryError(
                f"{role}: cannot search for {_quoted(item)} ({type(item).__name__}); use a string, "
                "a {field: value} mapping, a Term or a Query"
            )
    return tuple(clauses)


class Query(_Composable):
    """``must`` AND ``should`` (at least one) AND NOT ``must_not``; see the module docstring.

    ``Query(must=["san francisco", "machine learning"])`` is the blog post's first example;
    ``Query(must=[Query(should=["san francisco", "bay area"]),
    Query(should=["machine learning", "data analysis"])])`` its second. Queries compose with
    ``&``, ``|`` and ``~`` (flattening where the meaning allows, like elasticsearch-dsl).

    A query nests at most :data:`MAX_QUERY_DEPTH` levels (:attr:`depth`); building a deeper one
    raises :class:`QueryError`.
    """

    __slots__ = ("must", "should", "must_not", "_depth")

    must: tuple[Clause, ...]
    should: tuple[Clause, ...]
    must_not: tuple[Clause, ...]
    _depth: int

    def __init__(
        self,
        must: TermLike | Iterable[TermLike] | None = None,
        should: TermLike | Iterable[TermLike] | None = None,
        must_not: TermLike | Iterable[TermLike] | None = None,
    ) -> None:
        self.must = _clauses(must, "must")
        self.should = _clauses(should, "should")
        self.must_not = _clauses(must_not, "must_not")
        if not (self.must or self.should or self.must_not):
            raise QueryError(
                "empty query: give at least one term, e.g. Query(must='python') or "
                "parse_query('python AND remote:true')"
            )
        # Counted as str() writes the query, so that its text parses back within the limit:
        # beside must or must_not, several should clauses become a parenthesised group.
        grouped = len(self.should) > 1 and bool(self.must or self.must_not)
        self._depth = 1 + max(
            max((_depth_of(clause) for clause in (*self.must, *self.must_not)), default=0),
            max((_depth_of(clause) for clause in self.should), default=0) + (1 if grouped else 0),
        )
        if self._depth > MAX_QUERY_DEPTH:
            raise QueryError(
                f"query nests more than {MAX_QUERY_DEPTH} levels deep: remove parentheses "
                "that group nothing new (a AND (b AND c) is a AND b AND c) or split it into "
                "several searches"
            )

    @property
    def depth(self) -> int:
        """Nesting levels as written by ``str()``: 1 for terms joined by one operator, 2 for
        ``a AND (b OR c)``; at most :data:`MAX_QUERY_DEPTH`."""
        return self._depth

    # --- meaning -------------------------------------------------------------------------
    def matches(self, doc: Mapping[str, Any]) -> bool:
        """Reference semantics, evaluated in Python on one clean_posts row."""
        if not all(clause.matches(doc) for clause in self.must):
            return False
        if any(clause.matches(doc) for clause in self.must_not):
            return False
        return not self.should or any(clause.matches(doc) for clause in self.should)

    def terms(self) -> Iterator[Term]:
        """Every :class:`Term` in the query, depth first."""
        for clause in (*self.must, *self.should, *self.must_not):
            if isinstance(clause, Term):
                yield clause
            else:
                yield from clause.terms()

    # --- translations --------------------------------------------------------------------
    def to_elasticsearch(self) -> dict[str, Any]:
        """An Elasticsearch ``bool`` query with the same meaning as :meth:`matches`."""
        body: dict[str, Any] = {}
        if self.must:
            body["must"] = [clause.to_elasticsearch() for clause in self.must]
        if self.should:
            body["should"] = [clause.to_elasticsearch() for clause in self.should]
            if self.must:
                # Beside a must clause Elasticsearch treats should as optional (scoring only);
                # one match is required to keep the OR meaning.
                body["minimum_should_match"] = 1
        if self.must_not:
            body["must_not"] = [clause.to_elasticsearch() for clause in self.must_not]
        return {"bool": body}

    def __str__(self) -> str:
        """The query in the ``hn-jobs search`` syntax; it parses back to the same meaning (see
        the module docstring for when it is the same object)."""
        parts = [_atom(clause) for clause in self.must]
        if self.should:
            alternatives = " OR ".join(_atom(clause) for clause in self.should)
            if (self.must or self.must_not) and len(self.should) > 1:
                alternatives = f"({alternatives})"
            parts.append(alternatives)
        parts.extend(f"NOT {_atom(clause)}" for clause in self.must_not)
        return " AND ".join(parts)

    def __repr__(self) -> str:
        fields = [
            f"{name}={list(getattr(self, name))!r}"
            for name in ("must", "should", "must_not")
            if getattr(self, name)
        ]
        return f"Query({', '.join(fields)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Query):
            return NotImplemented
        return (self.must, self.should, self.must_not) == (
            other.must,
            other.should,
            other.must_not,
        )

    def __hash__(self) -> int:
        return hash((self.must, self.should, self.must_not))

    # --- composition (and see _Composable) --------------------------------------------------
    def __rand__(self, other: TermLike) -> Query:
        return all_of(other, self)

    def __ror__(self, other: TermLike) -> Query:
        return any_of(other, self)


def _depth_of(clause: Clause) -> int:
    return clause.depth if isinstance(clause, Query) else 0


def _atom(clause: Clause) -> str:
    return str(clause) if isinstance(clause, Term) else f"({clause})"


def _coerce(item: TermLike) -> Clause:
    if isinstance(item, Term | Query):
        return item
    clauses = _clauses(item, "query")
    return clauses[0] if len(clauses) == 1 else Query(must=clauses)


def _simplest(clause: Clause) -> Clause:
    """A one-clause query stands for its clause (so composing does not nest needlessly)."""
    while isinstance(clause, Query):
        if len(clause.must) == 1 and not clause.should and not clause.must_not:
            clause = clause.must[0]
        elif len(clause.should) == 1 and not clause.must and not clause.must_not:
            clause = clause.should[0]
        else:
            break
    return clause


def all_of(*items: TermLike) -> Query:
    """AND of ``items``; AND-only operands are merged in rather than nested."""
    must: list[Clause] = []
    must_not: list[Clause] = []
    for item in items:
        clause = _simplest(_coerce(item))
        if isinstance(clause, Query) and not clause.should:
            must.extend(clause.must)
            must_not.extend(clause.must_not)
        else:
            must.append(clause)
    return Query(must=must, must_not=must_not)


def any_of(*items: TermLike) -> Query:
    """OR of ``items``; OR-only operands are merged in rather than nested."""
    should: list[Clause] = []
    for item in items:
        clause = _simplest(_coerce(item))
        if isinstance(clause, Query) and clause.should and not (clause.must or clause.must_not):
            should.extend(clause.should)
        else:
            should.append(clause)
    return Query(should=should)


def negate(item: TermLike) -> Query:
    """NOT ``item``; a double negation cancels."""
    clause = _simplest(_coerce(item))
    if (
        isinstance(clause, Query)
        and len(clause.must_not) == 1
        and not (clause.must or clause.should)
    ):
        inner = clause.must_not[0]
        return inner if isinstance(inner, Query) else Query(must=inner)
    return Query(must_not=clause)
