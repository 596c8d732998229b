"""Frames as the metadata the Dagster UI shows best: its standard row count and column schema,
and typed tables (sortable, never broken by a "|" in a value) instead of markdown."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import dagster as dg
import pandas as pd

from hn_assets.hackernews.hn_format import item_url
from hn_assets.quarantine import QuarantinedPost
from hn_assets.search.schema import POST_SCHEMA, PostField, Type

_TYPE_NAMES = {
    Type.INT: "int",
    Type.TIMESTAMP: "int (Unix seconds)",
    Type.FLOAT: "float",
    Type.BOOL: "bool",
    Type.STR: "string",
    Type.MONTH: "string (YYYY-MM)",
    Type.STR_LIST: "list[string]",
}
#: Cells longer than this are cut: a table cell is for reading at a glance.
MAX_CELL_CHARS = 200


def schema_of_fields(fields: Sequence[PostField] = POST_SCHEMA) -> dg.TableSchema:
    """The column schema of clean posts, with each column's help, from the one post schema."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(field.name, _TYPE_NAMES[field.type], description=field.help)
            for field in fields
        ]
    )


def schema_of_frame(frame: pd.DataFrame) -> dg.TableSchema:
    """The column schema of any frame, from its dtypes."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(str(name), _dtype_name(dtype)) for name, dtype in frame.dtypes.items()
        ]
    )


def table_metadata(frame: pd.DataFrame, schema: dg.TableSchema | None = None) -> dict[str, object]:
    """Dagster's standard row count and column schema of a table asset."""
    return {
        "dagster/row_count": dg.MetadataValue.int(len(frame)),
        "dagster/column_schema": schema or schema_of_frame(frame),
    }


def table_value(frame: pd.DataFrame, limit: int = 25) -> dg.TableMetadataValue:
    """The first ``limit`` rows of ``frame`` as a typed table."""
    shown = frame.head(limit)
    records = [
        dg.TableRecord({str(name): _cell(value) for name, value in row.items()})
        for row in shown.to_dict("records")
    ]
    return dg.MetadataValue.table(records=records, schema=schema_of_frame(shown))


def counts_value(values: Iterable[object], label: str, limit: int = 10) -> dg.TableMetadataValue:
    """The most common values with how many posts have each, as a table."""
    counts = pd.Series(list(values), dtype="object").dropna()
    counts = counts[counts.astype(str).str.strip() != ""].astype(str).value_counts().head(limit)
    frame = pd.DataFrame({label: counts.index.astype(str), "posts": counts.to_numpy(dtype="int64")})
    return table_value(frame, limit)


def _dtype_name(dtype: object) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "string"


def _cell(value: object) -> str | int | float | bool | None:
    """A value a table record can hold: lists joined, long text cut, NaN as empty."""
    if value is None:
        return None
    if isinstance(value, bool | int | str | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        return _cut(value) if isinstance(value, str) else value
    if isinstance(value, list | tuple) or getattr(value, "ndim", 0) > 0:
        items = value.tolist() if hasattr(value, "tolist") else value  # type: ignore[union-attr]
        return _cut(", ".join(str(item) for item in items))
    if hasattr(value, "item"):  # a numpy scalar
        return _cell(value.item())  # type: ignore[union-attr]
    return _cut(str(value))


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def quarantined_value(
    quarantined: Sequence[QuarantinedPost], limit: int = 50
) -> dg.TableMetadataValue:
    """The posts set aside, with why: id, link, stage, error."""
    frame = pd.DataFrame(
        [
            {"post": post.id, "link": item_url(post.id), "stage": post.stage, "error": post.error}
            for post in quarantined
        ],
        columns=["post", "link", "stage", "error"],
    )
    return table_value(frame.astype({"post": "int64"}), limit)
