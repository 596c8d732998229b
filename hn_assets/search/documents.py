"""Search documents: one ``clean_posts`` row as a plain dict (see TEAM.md's data contract).

Backends accept whatever a pandas frame or a Parquet round trip hands them (numpy scalars, numpy
arrays for list columns, NaN for missing strings) and index the normalised form produced here.
Validation happens for a whole batch before anything is written, so one bad row leaves the index
untouched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hn_assets.hackernews.posts import CLEAN_POST_COLUMNS
from hn_assets.search.backends import IndexWriteError
from hn_assets.search.query import QueryError, validate_month

#: The clean_posts contract, defined once by the ingest side.
CONTRACT_COLUMNS: tuple[str, ...] = tuple(CLEAN_POST_COLUMNS)
#: Columns without which a row cannot be indexed; the others default to "unknown"/empty.
REQUIRED_COLUMNS: tuple[str, ...] = ("id", "month", "time", "text")
LIST_COLUMNS: tuple[str, ...] = ("roles", "locations", "employment_types", "urls", "emails")
FLAG_COLUMNS: tuple[str, ...] = ("remote", "onsite", "hybrid")


def hn_url(post_id: int) -> str:
    return f"https://news.ycombinator.com/item?id={post_id}"


@dataclass(frozen=True)
class DocumentProblem:
    """Why one document of a batch was rejected."""

    position: int
    id: int | None
    reason: str

    def __str__(self) -> str:
        who = f"id {self.id}" if self.id is not None else "id unknown"
        return f"document #{self.position} ({who}): {self.reason}"


def _missing(value: Any) -> bool:
    if value is None:
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


def _as_str_list(value: Any, column: str) -> list[str]:
    if _missing(value):
        return []
    if isinstance(value, str):
        raise ValueError(f"{column}: expected a list of strings, got the string {value!r}")
    if not isinstance(value, list | tuple | np.ndarray | pd.Series):
        raise ValueError(f"{column}: expected a list of strings, got {value!r}")
    items = [item for item in value if not _missing(item)]
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"{column}: expected a list of strings, got {list(value)!r}")
    return items


def _as_optional_str(value: Any, column: str) -> str | None:
    if _missing(value):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{column}: expected a string or None, got {value!r}")
    return value


def _as_optional_bool(value: Any, column: str) -> bool | None:
    if _missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValueError(f"{column}: expected true, false or None, got {value!r}")


def _as_float(value: Any, column: str) -> float:
    if _missing(value):
        return math.nan
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise ValueError(f"{column}: expected a number or NaN, got {value!r}")
    return float(value)


_MONTH_SHAPE = re.compile(r"\d{4}-(0[1-9]|1[0-2])\Z")


def _already_normal(row: Mapping[str, Any]) -> dict[str, Any] | None:
    """``row`` as a contract dict when it holds plain Python values of the right types already
    (the common case, checked with cheap exact type tests); None sends it to the careful path.
    """
    try:
        values = [row[column] for column in CONTRACT_COLUMNS]
    except KeyError:
        return None
    (post_id, thread_id, month, by, time, text, company, roles, locations, remote, onsite,
     hybrid, salary_min, salary_max, currency, visa, employment, urls, emails, url) = values  # fmt: skip
    if not (
        type(post_id) is int
        and type(thread_id) is int
        and type(time) is int
        and type(text) is str
        and type(by) is str
        and type(url) is str
        and type(month) is str
        and _MONTH_SHAPE.match(month)
        and (company is None or type(company) is str or company != company)
        and (currency is None or type(currency) is str or currency != currency)
        and type(remote) is bool
        and type(onsite) is bool
        and type(hybrid) is bool
        and (visa is None or type(visa) is bool)
        and type(salary_min) is float
        and type(salary_max) is float
    ):
        return None
    try:
        for items in (roles, locations, employment, urls, emails):
            if type(items) is not list:
                return None
            "".join(items)  # raises TypeError unless every item is a str, at C speed
    except TypeError:
        return None
    if company != company or currency != currency:  # NaN: pandas' missing string
        values[6] = company if company == company else None
        values[14] = currency if currency == currency else None
    elif type(row) is dict and len(row) == len(CONTRACT_COLUMNS):
        return row  # exactly the contract columns: no copy needed (nothing mutates it)
    return dict(zip(CONTRACT_COLUMNS, values, strict=True))


def normalize_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """The contract form of ``row`` (plain Python types); raises ValueError naming the column."""
    fast = _already_normal(row)
    if fast is not None:
        return fast
    absent = [column for column in REQUIRED_COLUMNS if column not in row]
    if absent:
        raise ValueError(f"missing column(s) {', '.join(absent)}")
    post_id = _as_int(row["id"], "id")
    text = row["text"]
    if not isinstance(text, str):
        raise ValueError(f"text: expected a string, got {text!r}")
    try:
        month = validate_month(row["month"])
    except QueryError as exc:
        raise ValueError(str(exc)) from None
    doc: dict[str, Any] = {
        "id": post_id,
        "thread_id": _as_int(row.get("thread_id", 0), "thread_id"),
        "month": month,
        "by": _as_optional_str(row.get("by"), "by") or "",
        "time": _as_int(row["time"], "time"),
        "text": text,
        "company": _as_optional_str(row.get("company"), "company"),
    }
    for column in ("roles", "locations"):
        doc[column] = _as_str_list(row.get(column), column)
    for column in FLAG_COLUMNS:
        doc[column] = bool(_as_optional_bool(row.get(column), column))
    doc["salary_min"] = _as_float(row.get("salary_min"), "salary_min")
    doc["salary_max"] = _as_float(row.get("salary_max"), "salary_max")
    doc["salary_currency"] = _as_optional_str(row.get("salary_currency"), "salary_currency")
    doc["visa"] = _as_optional_bool(row.get("visa"), "visa")
    for column in ("employment_types", "urls", "emails"):
        doc[column] = _as_str_list(row.get(column), column)
    doc["hn_url"] = _as_optional_str(row.get("hn_url"), "hn_url") or hn_url(post_id)
    return doc


def normalize_documents(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Normalise a batch; the last row wins when an id repeats (as a re-index would).

    Raises :class:`IndexWriteError` listing every row that breaks the contract.
    """
    by_id: dict[int, dict[str, Any]] = {}
    problems: list[DocumentProblem] = []
    for position, row in enumerate(rows):
        try:
            doc = normalize_document(row)
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

    Column-wise ``tolist()`` is several times faster than ``DataFrame.to_dict("records")``;
    missing strings stay NaN and list columns from Parquet stay numpy arrays (normalisation
    handles both).
    """
    columns = [str(column) for column in posts.columns]
    values = [posts[column].tolist() for column in posts.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
