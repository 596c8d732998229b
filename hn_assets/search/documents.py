"""Search documents: one ``clean_posts`` row as a plain dict, checked against a
:class:`~hn_assets.search.schema.PostSchema`.

Backends accept whatever a pandas frame or a Parquet round trip hands them (numpy scalars, numpy
arrays for list columns, NaN or ``pd.NA`` for missing values) and index the normalised form
produced here: every column of the schema, in its order, as plain Python values. Validation
happens for a whole batch before anything is written, so one bad row leaves the index untouched.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from hn_assets.search.errors import DocumentProblem, IndexWriteError, QueryError
from hn_assets.search.query import MONTH_PATTERN, validate_month
from hn_assets.search.schema import (
    INTEGER_TYPES,
    POST_SCHEMA,
    PostField,
    PostSchema,
    Type,
)

_ABSENT = object()


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(isinstance(value, float | np.floating) and math.isnan(value))
    except TypeError:  # pragma: no cover - exotic scalar types
        return False


def _as_int(value: Any, column: str) -> int:
    if isinstance(value, bool | np.bool_) or _missing(value):
        raise ValueError(f"{column}: expected an integer, got {value!r}")
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    raise ValueError(f"{column}: expected an integer, got {value!r}")


def _as_float(value: Any, column: str) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise ValueError(f"{column}: expected a number or NaN, got {value!r}")
    return float(value)


def _as_bool(value: Any, column: str) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValueError(f"{column}: expected true, false or None, got {value!r}")


def _as_str(value: Any, column: str, nullable: bool) -> str:
    if not isinstance(value, str):
        expected = "a string or None" if nullable else "a string"
        raise ValueError(f"{column}: expected {expected}, got {value!r}")
    return value


def _as_month(value: Any, column: str) -> str:
    try:
        return validate_month(value, column)
    except QueryError as exc:
        raise ValueError(str(exc)) from None


def _as_str_list(value: Any, column: str) -> list[str]:
    if isinstance(value, str):
        raise ValueError(f"{column}: expected a list of strings, got the string {value!r}")
    if not isinstance(value, list | tuple | np.ndarray | pd.Series):
        raise ValueError(f"{column}: expected a list of strings, got {value!r}")
    items = [item for item in value if not _missing(item)]
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"{column}: expected a list of strings, got {list(value)!r}")
    return items


def _converter(field: PostField) -> Callable[[Any], Any]:
    """Checks one present, non-missing value of ``field`` and returns its plain form."""
    name, kind = field.name, field.type
    if kind in INTEGER_TYPES:
        return lambda value: _as_int(value, name)
    if kind is Type.FLOAT:
        return lambda value: _as_float(value, name)
    if kind is Type.BOOL:
        return lambda value: _as_bool(value, name)
    if kind is Type.MONTH:
        return lambda value: _as_month(value, name)
    if kind is Type.STR_LIST:
        return lambda value: _as_str_list(value, name)
    nullable = not field.required
    return lambda value: _as_str(value, name, nullable)


#: The Python types of a value that needs no conversion, by column type.
_PLAIN_TYPES: dict[Type, frozenset[type]] = {
    Type.INT: frozenset({int}),
    Type.TIMESTAMP: frozenset({int}),
    Type.FLOAT: frozenset({float}),
    Type.BOOL: frozenset({bool}),
    Type.STR: frozenset({str}),
    Type.MONTH: frozenset({str}),
    Type.STR_LIST: frozenset({list}),
}


def _plain_types(field: PostField) -> frozenset[type]:
    plain = _PLAIN_TYPES[field.type]
    if not field.optional:
        return plain
    if field.type is Type.STR:
        return plain | {type(None), float}  # a float there must be NaN: pandas' missing string
    return plain | {type(None)}


class _Normalizer:
    """Turns rows into documents of one schema; built once per schema."""

    def __init__(self, schema: PostSchema) -> None:
        self.schema = schema
        self.columns = schema.columns
        self.plain_types = [_plain_types(field) for field in schema]
        # Rows of one source share a few combinations of value types: each is checked once.
        self.plain_signatures: set[tuple[type, ...]] = set()
        fields = list(schema)
        self.lists = [i for i, field in enumerate(fields) if field.type is Type.STR_LIST]
        self.months = [i for i, field in enumerate(fields) if field.type is Type.MONTH]
        self.nan_strings = [
            i for i, field in enumerate(fields) if field.optional and field.type is Type.STR
        ]
        # A missing value (None, NaN) takes the column's default, except where there is no
        # missing form (required and integer columns, unless optional): there the converter
        # rejects it by name.
        self.converters = [
            (
                field.name,
                _converter(field),
                field.optional or not (field.required or field.type in INTEGER_TYPES),
                field.default,
            )
            for field in fields
        ]
        self.derived = [field for field in fields if field.default_from is not None]

    def fast(self, row: Mapping[str, Any]) -> dict[str, Any] | None:
        """``row`` as a document when it holds plain Python values of the right types already
        (the common case, checked with cheap exact type tests); None sends it to the careful
        path."""
        try:
            values = [row[column] for column in self.columns]
        except KeyError:
            return None
        signature = tuple(map(type, values))
        if signature not in self.plain_signatures:
            if not all(map(frozenset.__contains__, self.plain_types, signature)):
                return None
            self.plain_signatures.add(signature)
        try:
            for i in self.lists:
                "".join(values[i])  # raises TypeError unless every item is a str, at C speed
        except TypeError:
            return None
        for i in self.months:
            if values[i] is not None and not MONTH_PATTERN.match(values[i]):
                return None
        copy = False
        for i in self.nan_strings:
            if type(values[i]) is float:
                if values[i] == values[i]:
                    return None  # a number where a string belongs: the careful path says so
                values[i], copy = None, True
        if not copy and type(row) is dict and len(row) == len(self.columns):
            return row  # exactly the schema's columns: no copy needed (nothing mutates it)
        return dict(zip(self.columns, values, strict=True))

    def careful(self, row: Mapping[str, Any]) -> dict[str, Any]:
        absent = [column for column in self.schema.required if column not in row]
        if absent:
            raise ValueError(f"missing column(s) {', '.join(absent)}")
        doc: dict[str, Any] = {}
        for name, convert, has_missing_form, default in self.converters:
            value = row.get(name, _ABSENT)
            if value is _ABSENT or (has_missing_form and _missing(value)):
                doc[name] = default.copy() if type(default) is list else default
            else:
                doc[name] = convert(value)
        for field in self.derived:
            if not doc[field.name]:
                doc[field.name] = field.default_from(doc)  # type: ignore[misc]
        return doc

    def __call__(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The plain form of ``row``; raises ValueError naming the column."""
        fast = self.fast(row)
        return fast if fast is not None else self.careful(row)


@lru_cache(maxsize=8)
def _normalizer(schema: PostSchema) -> _Normalizer:
    return _Normalizer(schema)


def normalize_document(row: Mapping[str, Any], schema: PostSchema = POST_SCHEMA) -> dict[str, Any]:
    """The plain form of ``row`` for ``schema``; raises ValueError naming the column."""
    return _normalizer(schema)(row)


def normalize_documents(
    rows: Iterable[Mapping[str, Any]], schema: PostSchema = POST_SCHEMA
) -> list[dict[str, Any]]:
    """Normalise a batch; the last row wins when an id repeats (as a re-index would).

    Raises :class:`IndexWriteError` listing every row that breaks the schema.
    """
    normalize = _normalizer(schema)
    by_id: dict[int, dict[str, Any]] = {}
    problems: list[DocumentProblem] = []
    for position, row in enumerate(rows):
        try:
            doc = normalize(row)
        except ValueError as exc:
            raw_id = row.get("id") if isinstance(row, Mapping) else None
            known = int(raw_id) if isinstance(raw_id, int | np.integer) else None
            problems.append(DocumentProblem(position, known, str(exc)))
            continue
        by_id.pop(doc["id"], None)
        by_id[doc["id"]] = doc
    if problems:
        raise IndexWriteError(
            f"{len(problems)} document(s) break the clean_posts contract, nothing was written",
            problems,
        )
    return list(by_id.values())


def frame_records(posts: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a clean_posts frame as dicts of Python values.

    Built column by column with ``tolist()``, which converts a whole column at once, rather
    than by ``DataFrame.to_dict("records")``, which goes value by value. Missing strings stay
    NaN and list columns from Parquet stay numpy arrays (normalisation handles both).
    """
    columns = [str(column) for column in posts.columns]
    values = [posts[column].tolist() for column in posts.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
