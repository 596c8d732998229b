"""A month of the hiring market in numbers, from its clean posts.

The statistics are one tidy frame (:data:`STATS_COLUMNS`): a row per (dimension, key) with the
posts that have it and their share of the month's posts, so that months stack into time series
with a concat and a pivot. Salary rows also carry yearly percentiles.

Dimensions (:class:`Dimension`):

* ``total``: ``posts`` (every post) and ``companies`` (distinct companies named);
* ``work_mode``: ``remote``, ``hybrid``, ``onsite`` (a post may offer several);
* ``visa``: ``sponsored`` (the post says it sponsors visas);
* ``repost``: ``repost`` (the post repeats an earlier month's posting);
* ``technology``, ``country``, ``city``, ``role_family``: one row per value named;
* ``salary``: one row per currency (key ``USD``) and per currency and role family (key
  ``USD/backend``) with at least :data:`MIN_SALARY_POSTS` posts stating a salary: p25, p50 and
  p75 of the yearly salary (the middle of a post's yearly range, or its one bound).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import numpy as np
import pandas as pd

from hn_assets.market.reposts import company_key

#: Fewer posts than this give no salary percentiles: three numbers from two posts mislead.
MIN_SALARY_POSTS = 5
STATS_COLUMNS = ["month", "dimension", "key", "posts", "share", "p25", "p50", "p75"]
STATS_DTYPES = {
    "month": object,
    "dimension": object,
    "key": object,
    "posts": "int64",
    "share": "float64",
    "p25": "float64",
    "p50": "float64",
    "p75": "float64",
}


class Dimension(enum.StrEnum):
    TOTAL = "total"
    WORK_MODE = "work_mode"
    VISA = "visa"
    REPOST = "repost"
    TECHNOLOGY = "technology"
    COUNTRY = "country"
    CITY = "city"
    ROLE_FAMILY = "role_family"
    SALARY = "salary"


#: The list columns of clean_posts counted value by value, and the dimension each becomes.
LIST_DIMENSIONS = {
    Dimension.TECHNOLOGY: "technologies",
    Dimension.COUNTRY: "location_countries",
    Dimension.CITY: "location_cities",
    Dimension.ROLE_FAMILY: "role_families",
}
#: Dimensions whose keys are named values (technologies, places, role families): the ones
#: trends are tested on, beside the fixed shares.
SHARE_DIMENSIONS = (
    Dimension.WORK_MODE,
    Dimension.VISA,
    Dimension.REPOST,
    *LIST_DIMENSIONS,
)


def yearly_salary(posts: pd.DataFrame) -> pd.Series:
    """Each post's yearly salary: the middle of its yearly range, or the one bound it states
    (NaN when it states none)."""
    low = posts["salary_yearly_min"].astype("float64")
    high = posts["salary_yearly_max"].astype("float64")
    return ((low.fillna(high) + high.fillna(low)) / 2).rename("salary")


def _row(month: str, dimension: Dimension, key: str, posts: int, total: int) -> dict:
    return {
        "month": month,
        "dimension": dimension.value,
        "key": key,
        "posts": int(posts),
        "share": posts / total if total else 0.0,
    }


def _counted(month: str, dimension: Dimension, values: Iterable[str], total: int) -> list[dict]:
    counts = pd.Series(list(values), dtype=object).value_counts()
    return [_row(month, dimension, str(key), int(n), total) for key, n in counts.items()]


def _salary_rows(month: str, posts: pd.DataFrame, total: int) -> list[dict]:
    salary = pd.DataFrame(
        {
            "salary": yearly_salary(posts),
            "currency": posts["salary_currency"],
            "families": posts["role_families"],
        }
    ).dropna(subset=["salary", "currency"])
    groups: dict[str, list[float]] = {}
    for row in salary.itertuples(index=False):
        groups.setdefault(str(row.currency), []).append(float(row.salary))
        for family in set(row.families):
            groups.setdefault(f"{row.currency}/{family}", []).append(float(row.salary))
    rows = []
    for key, values in sorted(groups.items()):
        if len(values) < MIN_SALARY_POSTS:
            continue
        p25, p50, p75 = np.percentile(values, [25, 50, 75])
        rows.append(
            _row(month, Dimension.SALARY, key, len(values), total)
            | {"p25": float(p25), "p50": float(p50), "p75": float(p75)}
        )
    return rows


def monthly_stats(month: str, posts: pd.DataFrame) -> pd.DataFrame:
    """The month's statistics (see the module docstring) from its clean posts."""
    total = len(posts)
    companies = {key for key in map(company_key, posts["company"].fillna("")) if key}
    rows = [
        _row(month, Dimension.TOTAL, "posts", total, total),
        _row(month, Dimension.TOTAL, "companies", len(companies), total),
    ]
    for mode in ("remote", "hybrid", "onsite"):
        rows.append(_row(month, Dimension.WORK_MODE, mode, int(posts[mode].sum()), total))
    sponsored = int((posts["visa"] == True).sum())  # noqa: E712 (None is unknown, not False)
    rows.append(_row(month, Dimension.VISA, "sponsored", sponsored, total))
    rows.append(_row(month, Dimension.REPOST, "repost", int(posts["repost"].sum()), total))
    for dimension, column in LIST_DIMENSIONS.items():
        # A post naming a value twice counts once.
        values = (value for items in posts[column] for value in set(items))
        rows.extend(_counted(month, dimension, values, total))
    rows.extend(_salary_rows(month, posts, total))
    frame = pd.DataFrame(rows, columns=STATS_COLUMNS)
    return frame.astype(STATS_DTYPES)


def value(stats: pd.DataFrame, dimension: Dimension, key: str, column: str = "posts") -> float:
    """One number of one month's statistics (0 when the key is absent)."""
    match = stats[(stats["dimension"] == dimension.value) & (stats["key"] == key)]
    return float(match[column].iloc[0]) if len(match) else 0.0


def top(stats: pd.DataFrame, dimension: Dimension, limit: int = 10) -> pd.DataFrame:
    """The dimension's most named keys of one month, most posts first (ties by name)."""
    rows = stats[stats["dimension"] == dimension.value]
    return rows.sort_values(["posts", "key"], ascending=[False, True]).head(limit)
