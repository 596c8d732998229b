"""The clean post, defined once: its columns, their types, and how each one is searched.

Everything that lists the columns of a clean post derives them from a :class:`PostSchema`
(:data:`POST_SCHEMA` unless a caller passes another): the clean_posts dtypes
(:mod:`hn_assets.hackernews.posts`), the document checks (:mod:`hn_assets.search.documents`),
the tantivy schema (:mod:`~hn_assets.search.local_index`), the Elasticsearch mapping
(:mod:`~hn_assets.search.elastic_index`) and the query language's fields
(:data:`hn_assets.search.query.FIELDS`).

Adding a column is one :class:`PostField` line below, plus the code that computes its value
(``clean_post_row`` in :mod:`hn_assets.hackernews.posts`). A field says:

* its :class:`Type`: how the value is held in a frame and in a document, and what stands for
  "unknown" (NaN for a float, None for an ``optional`` field);
* its :class:`Search` option: how both backends index it and how the query language matches
  it; the query language calls it by its column name, or by ``query`` where that is given (the
  column name is then accepted too);
* ``required``: a document without it is rejected; otherwise a missing value takes the
  type's default (0, NaN, false, "", no items) or ``default_from`` the rest of the document.

An index built before a field was added has to be built again: LocalIndex notices by itself;
for Elasticsearch bump ``MAPPING_VERSION`` (an index with a strict mapping refuses unknown
fields).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hn_assets.hackernews.hn_format import item_url

FieldKind = Literal["text", "keyword", "bool", "month", "number"]


class Type(enum.Enum):
    """How a column's values are held: in a pandas frame (``dtype``) and in a document."""

    INT = "int"  # an integer
    TIMESTAMP = "timestamp"  # an integer of Unix seconds
    FLOAT = "float"  # a float, NaN when unknown
    BOOL = "bool"
    STR = "str"
    MONTH = "month"  # a string YYYY-MM
    STR_LIST = "str_list"  # a list of strings, empty when there are none


class Search(enum.Enum):
    """How a column is indexed and searched. The first five are fields of the query language
    (the value is the query kind); the last three are not."""

    #: Analysed words (:func:`~hn_assets.search.analysis.tokenize`): a one-word value matches
    #: that word, several words match as a phrase, within one value of the field, any case.
    TEXT = "text"
    #: One whole value, any case (stored as it came, compared lower-cased).
    KEYWORD = "keyword"
    #: A ``YYYY-MM`` month, exactly.
    MONTH = "month"
    #: true / false; an unknown (None) value matches neither.
    BOOL = "bool"
    #: A number: ``N``, ``>N``, ``>=N``, ``<N``, ``<=N``; an unknown value matches no condition.
    NUMBER = "number"
    #: What the backends themselves look posts up, filter or sort by (id, time).
    KEY = "key"
    #: An exact value for filters outside the query language: Elasticsearch indexes it (Kibana
    #: filters and aggregations); the embedded index, which nothing filters by it, only stores it.
    ATTRIBUTE = "attribute"
    #: Returned with each hit, never searched.
    STORED = "stored"


QUERY_KINDS = frozenset({Search.TEXT, Search.KEYWORD, Search.MONTH, Search.BOOL, Search.NUMBER})
_ALLOWED_TYPES: dict[Search, frozenset[Type]] = {
    Search.TEXT: frozenset({Type.STR, Type.STR_LIST}),
    Search.KEYWORD: frozenset({Type.STR, Type.STR_LIST}),
    Search.MONTH: frozenset({Type.MONTH}),
    Search.BOOL: frozenset({Type.BOOL}),
    Search.NUMBER: frozenset({Type.INT, Type.FLOAT}),
    Search.KEY: frozenset({Type.INT, Type.TIMESTAMP}),
    Search.ATTRIBUTE: frozenset(Type),
    Search.STORED: frozenset(Type),
}
_DEFAULTS: dict[Type, Any] = {
    Type.INT: 0,
    Type.TIMESTAMP: 0,
    Type.FLOAT: math.nan,
    Type.BOOL: False,
    Type.STR: "",
    Type.STR_LIST: (),
}
#: Integer types have no missing form in a frame (int64), so a None there is an error, not 0.
INTEGER_TYPES = frozenset({Type.INT, Type.TIMESTAMP})


@dataclass(frozen=True)
class QueryField:
    """A field of the query language: its name, kind, and the column holding its values."""

    name: str
    kind: FieldKind
    column: str
    help: str


@dataclass(frozen=True)
class PostField:
    """One column of a clean post; see the module docstring."""

    name: str
    type: Type
    search: Search
    help: str
    query: str | None = None
    required: bool = False
    optional: bool = False
    #: TEXT only: Elasticsearch keeps the whole value too, as ``<name>.keyword`` (lower-cased),
    #: for aggregations and exact filters in Kibana.
    facet: bool = False
    #: The value of a missing or empty column, computed from the rest of the document.
    default_from: Callable[[Mapping[str, Any]], Any] | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.type not in _ALLOWED_TYPES[self.search]:
            problems.append(f"a {self.search.name} field cannot hold {self.type.name} values")
        if self.query is not None and self.search not in QUERY_KINDS:
            problems.append(f"a {self.search.name} field is not part of the query language")
        if self.facet and self.search is not Search.TEXT:
            problems.append("only TEXT fields have a facet")
        if self.required and (self.optional or self.default_from is not None):
            problems.append("a required field has no default and is never unknown")
        if self.optional and self.type is Type.STR_LIST:
            problems.append("a list is never unknown, only empty")
        if not (self.required or self.optional or self.default_from) and self.type is Type.MONTH:
            problems.append("a month has no default: make it required or optional")
        if problems:
            raise ValueError(f"post field {self.name!r}: {'; '.join(problems)}")

    @property
    def query_name(self) -> str | None:
        """What the query language calls this field (None: not searchable there)."""
        if self.search not in QUERY_KINDS:
            return None
        return self.query or self.name

    @property
    def default(self) -> Any:
        """What a missing value becomes (``default_from`` aside): unknown, or the type's empty
        value. A fresh object each time, so that a document can own it."""
        if self.optional:
            return math.nan if self.type is Type.FLOAT else None
        value = _DEFAULTS.get(self.type)
        return list(value) if isinstance(value, tuple) else value

    @property
    def dtype(self) -> str | type:
        """The column's pandas dtype."""
        if self.type in INTEGER_TYPES:
            return "Int64" if self.optional else "int64"
        if self.type is Type.FLOAT:
            return "float64"
        if self.type is Type.BOOL and not self.optional:
            return "bool"
        return object


class PostSchema:
    """The columns of a clean post, in order; read-only once built."""

    def __init__(self, *fields: PostField) -> None:
        self.fields: tuple[PostField, ...] = fields
        self.columns: tuple[str, ...] = tuple(field.name for field in fields)
        if len(set(self.columns)) != len(fields):
            raise ValueError(f"post schema: a column is listed twice in {list(self.columns)}")
        #: The query language's fields by name.
        self.query_fields: dict[str, QueryField] = {}
        #: Column names the query language accepts for a field called otherwise.
        self.query_aliases: dict[str, str] = {}
        for field in fields:
            name = field.query_name
            if name is None:
                continue
            if name in self.query_fields:
                raise ValueError(f"post schema: two fields are called {name!r} in queries")
            self.query_fields[name] = QueryField(name, field.search.value, field.name, field.help)  # type: ignore[arg-type]
            if name != field.name:
                self.query_aliases[field.name] = name
        clashes = set(self.query_fields) & set(self.query_aliases)
        if clashes:
            raise ValueError(f"post schema: {sorted(clashes)} name both a field and a column")
        self.required: tuple[str, ...] = tuple(field.name for field in fields if field.required)

    def __iter__(self) -> Iterator[PostField]:
        return iter(self.fields)

    def __repr__(self) -> str:
        return f"PostSchema({', '.join(self.columns)})"

    @property
    def dtypes(self) -> dict[str, str | type]:
        """Column -> pandas dtype, in column order."""
        return {field.name: field.dtype for field in self.fields}

    def with_fields(self, *fields: PostField) -> PostSchema:
        """This schema with ``fields`` appended."""
        return PostSchema(*self.fields, *fields)


def _hn_url_of(doc: Mapping[str, Any]) -> str:
    return item_url(doc["id"])


def _own_month(doc: Mapping[str, Any]) -> str:
    return doc["month"]


def _one_month(doc: Mapping[str, Any]) -> int:
    return 1


POST_SCHEMA = PostSchema(
    PostField("id", Type.INT, Search.KEY, "the post's HN item id", required=True),
    PostField("thread_id", Type.INT, Search.ATTRIBUTE, "the HN item id of the hiring thread"),
    PostField("month", Type.MONTH, Search.MONTH, "the hiring thread's month, YYYY-MM", required=True),
    PostField("by", Type.STR, Search.ATTRIBUTE, "the HN user who posted it"),
    PostField("time", Type.TIMESTAMP, Search.KEY, "when it was posted", required=True),
    PostField("text", Type.STR, Search.TEXT, "the whole posting (the default field)", required=True),
    PostField("company", Type.STR, Search.TEXT, "words of the company name", optional=True, facet=True),
    PostField("roles", Type.STR_LIST, Search.TEXT, 'words of one parsed job title: title:"staff engineer"', query="title", facet=True),
    PostField("role_families", Type.STR_LIST, Search.KEYWORD, "a role family: software, frontend, backend, fullstack, mobile, data, ml, devops, security, product, design, management, other", query="role"),
    PostField("seniority", Type.STR_LIST, Search.KEYWORD, "a level the post states: intern, junior, mid, senior, staff, lead", query="level"),
    PostField("locations", Type.STR_LIST, Search.TEXT, 'words of one parsed location: location:"bay area" matches "San Francisco Bay Area"', query="location", facet=True),
    PostField("location_cities", Type.STR_LIST, Search.KEYWORD, 'a city (its GeoNames name): city:berlin, city:"new york city"', query="city"),
    PostField("location_countries", Type.STR_LIST, Search.KEYWORD, "a country (ISO 3166 alpha-2): country:DE", query="country"),
    PostField("remote_regions", Type.STR_LIST, Search.KEYWORD, "where a remote role is open to: a country code, or WORLDWIDE, AMERICAS, NORTH_AMERICA, LATAM, EU, EMEA, APAC", query="remote_region"),
    PostField("remote", Type.BOOL, Search.BOOL, "remote work offered: true/false"),
    PostField("onsite", Type.BOOL, Search.BOOL, "onsite work: true/false"),
    PostField("hybrid", Type.BOOL, Search.BOOL, "hybrid work: true/false"),
    PostField("salary_min", Type.FLOAT, Search.NUMBER, "lower salary bound as stated (per salary_period): N, >N, >=N, <N, <=N"),
    PostField("salary_max", Type.FLOAT, Search.NUMBER, "upper salary bound as stated (per salary_period): N, >N, >=N, <N, <=N"),
    PostField("salary_currency", Type.STR, Search.KEYWORD, "salary currency code, e.g. USD", query="currency", optional=True),
    PostField("salary_period", Type.STR, Search.KEYWORD, "what the stated salary is paid per: year, month, week, day, hour", query="period", optional=True),
    PostField("salary_yearly_min", Type.FLOAT, Search.NUMBER, "lower salary bound per year, in the stated currency"),
    PostField("salary_yearly_max", Type.FLOAT, Search.NUMBER, "upper salary bound per year, in the stated currency: salary>=150k", query="salary"),
    PostField("equity", Type.BOOL, Search.BOOL, "equity or stock options offered: true/false"),
    PostField("visa", Type.BOOL, Search.BOOL, "visa sponsorship: true / false (unknown matches neither)", optional=True),
    PostField("employment_types", Type.STR_LIST, Search.KEYWORD, "full-time, part-time, contract or internship", query="employment"),
    PostField("technologies", Type.STR_LIST, Search.KEYWORD, 'a technology (its canonical name): tech:rust, tech:"node.js"', query="tech"),
    PostField("urls", Type.STR_LIST, Search.STORED, "the links in the post"),
    PostField("emails", Type.STR_LIST, Search.STORED, "the e-mail addresses in the post"),
    PostField("hn_url", Type.STR, Search.STORED, "the post on Hacker News", default_from=_hn_url_of),
    PostField("first_seen_month", Type.MONTH, Search.MONTH, "the earliest month this posting (or a near-duplicate of it) ran, YYYY-MM", query="first_seen", default_from=_own_month),
    PostField("reposted_from", Type.INT, Search.ATTRIBUTE, "the id of the nearest earlier post this one repeats (same company, near-duplicate text)", optional=True),
    PostField("months_posted", Type.INT, Search.NUMBER, "how many months this posting has run, this one included: months_posted>=3", default_from=_one_month),
    PostField("repost", Type.BOOL, Search.BOOL, "the post repeats a posting of an earlier month: repost:false hides reposts"),
)  # fmt: skip
