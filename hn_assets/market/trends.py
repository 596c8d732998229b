"""The market over all months: time series, and which shares really rose or fell.

A share that moves from one month to the next is mostly noise: a month has a few hundred
posts, so a technology named by 5% of them moves by a point or two by chance alone. A key is
called **rising** or **falling** only when a two-proportion z-test of its share in the last
:data:`RECENT_MONTHS` months against the :data:`BASELINE_MONTHS` months before them (pooled
posts of each window) is significant after the Benjamini-Hochberg correction for testing
every key at once, at a false discovery rate of :data:`FALSE_DISCOVERY_RATE`; keys named by
fewer than :data:`MIN_POSTS` posts in both windows together are not tested. Everything else
is **steady**.

Year over year compares the latest month with the same month a year before, key by key, with
the same z-test (reported, not called a trend: one month against one month is noisy).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

from hn_assets.market.stats import SHARE_DIMENSIONS, Dimension

RECENT_MONTHS = 3
BASELINE_MONTHS = 12
#: A shorter history than this before the recent months is too little to test against.
MIN_BASELINE_MONTHS = 3
FALSE_DISCOVERY_RATE = 0.05
MIN_POSTS = 10

TREND_COLUMNS = [
    "dimension",
    "key",
    "recent_posts",
    "recent_share",
    "baseline_posts",
    "baseline_share",
    "change",
    "z",
    "p_value",
    "q_value",
    "trend",
]
YOY_COLUMNS = ["dimension", "key", "month", "share", "year_ago_share", "change", "p_value"]


def months_of(stats: pd.DataFrame) -> list[str]:
    return sorted(stats["month"].unique())


def posts_per_month(stats: pd.DataFrame) -> pd.Series:
    """Posts per month, in month order."""
    totals = stats[(stats["dimension"] == Dimension.TOTAL.value) & (stats["key"] == "posts")]
    return totals.set_index("month")["posts"].sort_index().astype("int64")


def series(
    stats: pd.DataFrame,
    dimension: Dimension,
    keys: Sequence[str] | None = None,
    column: str = "share",
) -> pd.DataFrame:
    """A month x key table of one column of the statistics; a key not named in a month has
    0 posts there (a percentile is NaN)."""
    rows = stats[stats["dimension"] == dimension.value]
    if keys is not None:
        rows = rows[rows["key"].isin(list(keys))]
    table = rows.pivot_table(index="month", columns="key", values=column, aggfunc="first")
    table = table.reindex(months_of(stats))
    if keys is not None:
        table = table.reindex(columns=list(keys))
    if column in ("posts", "share"):
        table = table.fillna(0.0)
    table.columns.name = None
    return table


def two_proportion_test(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """z and the two-sided p-value of "the two shares x1/n1 and x2/n2 are equal" (pooled)."""
    if n1 <= 0 or n2 <= 0:
        return 0.0, 1.0
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 0.0, 1.0
    z = (x1 / n1 - x2 / n2) / spread
    return z, 2 * (1 - NormalDist().cdf(abs(z)))


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Adjusted p-values (q-values) controlling the false discovery rate."""
    p = np.asarray(p_values, dtype="float64")
    if p.size == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * p.size / np.arange(1, p.size + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    q = np.empty_like(adjusted)
    q[order] = adjusted
    return q


def _window_counts(stats: pd.DataFrame, months: Sequence[str]) -> pd.DataFrame:
    rows = stats[stats["month"].isin(list(months)) & stats["dimension"].isin(SHARE_DIMENSIONS)]
    return rows.groupby(["dimension", "key"])["posts"].sum()


def trends(
    stats: pd.DataFrame,
    recent_months: int = RECENT_MONTHS,
    baseline_months: int = BASELINE_MONTHS,
    false_discovery_rate: float = FALSE_DISCOVERY_RATE,
) -> pd.DataFrame:
    """Every key of the share dimensions, tested (see the module docstring); empty when the
    history is too short."""
    months = months_of(stats)
    recent = months[-recent_months:]
    baseline = months[:-recent_months][-baseline_months:]
    if len(recent) < recent_months or len(baseline) < MIN_BASELINE_MONTHS:
        return pd.DataFrame(columns=TREND_COLUMNS)
    totals = posts_per_month(stats)
    recent_total = float(totals.reindex(recent).sum())
    baseline_total = float(totals.reindex(baseline).sum())
    counts = pd.concat(
        {"recent": _window_counts(stats, recent), "baseline": _window_counts(stats, baseline)},
        axis=1,
    ).fillna(0)
    counts = counts[counts["recent"] + counts["baseline"] >= MIN_POSTS]
    rows = []
    for (dimension, key), row in counts.iterrows():
        z, p = two_proportion_test(row["recent"], recent_total, row["baseline"], baseline_total)
        recent_share = row["recent"] / recent_total if recent_total else 0.0
        baseline_share = row["baseline"] / baseline_total if baseline_total else 0.0
        rows.append(
            {
                "dimension": dimension,
                "key": key,
                "recent_posts": int(row["recent"]),
                "recent_share": recent_share,
                "baseline_posts": int(row["baseline"]),
                "baseline_share": baseline_share,
                "change": recent_share - baseline_share,
                "z": z,
                "p_value": p,
            }
        )
    frame = pd.DataFrame(rows, columns=TREND_COLUMNS[:-2])
    frame["q_value"] = benjamini_hochberg(frame["p_value"].tolist())
    significant = frame["q_value"] < false_discovery_rate
    frame["trend"] = np.where(
        significant, np.where(frame["change"] > 0, "rising", "falling"), "steady"
    )
    return frame.sort_values(["trend", "z"], ascending=[True, False], ignore_index=True)


#: What :func:`with_trends` adds to each row of the statistics.
TREND_OF_KEY = ["trend", "change", "q_value"]


def with_trends(stats: pd.DataFrame, trend_table: pd.DataFrame) -> pd.DataFrame:
    """The statistics of every month (the time series), each row with its key's trend;
    "untested" where the key was not tested (too rare, too short a history, or a dimension
    such as salary that is not a share)."""
    merged = stats.merge(
        trend_table[["dimension", "key", *TREND_OF_KEY]], on=["dimension", "key"], how="left"
    )
    merged["trend"] = merged["trend"].fillna("untested").astype(object)
    return merged.sort_values(["month", "dimension", "key"], ignore_index=True)


def year_ago(month: str) -> str:
    year, number = month.split("-")
    return f"{int(year) - 1:04d}-{number}"


def year_over_year(stats: pd.DataFrame) -> pd.DataFrame:
    """The latest month's shares against the same month a year before (empty without it)."""
    months = months_of(stats)
    if not months or year_ago(months[-1]) not in months:
        return pd.DataFrame(columns=YOY_COLUMNS)
    now, before = months[-1], year_ago(months[-1])
    totals = posts_per_month(stats)
    counts = pd.concat(
        {"now": _window_counts(stats, [now]), "before": _window_counts(stats, [before])}, axis=1
    ).fillna(0)
    rows = []
    for (dimension, key), row in counts.iterrows():
        share_now = row["now"] / totals[now] if totals[now] else 0.0
        share_before = row["before"] / totals[before] if totals[before] else 0.0
        _, p = two_proportion_test(row["now"], totals[now], row["before"], totals[before])
        rows.append(
            {
                "dimension": dimension,
                "key": key,
                "month": now,
                "share": share_now,
                "year_ago_share": share_before,
                "change": share_now - share_before,
                "p_value": p,
            }
        )
    return pd.DataFrame(rows, columns=YOY_COLUMNS)


def rising_and_falling(trend_table: pd.DataFrame, dimension: Dimension) -> pd.DataFrame:
    """The dimension's significant trends, largest change first."""
    rows = trend_table[
        (trend_table["dimension"] == dimension.value) & (trend_table["trend"] != "steady")
    ]
    return rows.reindex(rows["change"].abs().sort_values(ascending=False).index)
