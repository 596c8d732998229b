"""`hn-jobs trends`: the market in a terminal (rich tables with sparklines) or as JSON."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from rich.table import Table
from rich.text import Text

from hn_assets.errors import ConfigError, HNError
from hn_assets.market.report import salary_currency, top_technologies
from hn_assets.market.reposts import company_key
from hn_assets.market.stats import Dimension
from hn_assets.market.trends import posts_per_month, series, trends, year_over_year
from hn_assets.search.errors import QueryError
from hn_assets.search.query import validate_month
from hn_assets.storage import ParquetStore

STATS_TABLE = "monthly_stats"
CLEAN_POSTS_TABLE = "clean_posts"
_BARS = "▁▂▃▄▅▆▇█"
#: The shares every trends view shows, as (label, dimension, key).
MARKET_SHARES = (
    ("remote", Dimension.WORK_MODE, "remote"),
    ("hybrid", Dimension.WORK_MODE, "hybrid"),
    ("onsite", Dimension.WORK_MODE, "onsite"),
    ("visa sponsored", Dimension.VISA, "sponsored"),
    ("reposts", Dimension.REPOST, "repost"),
)


class NoStatisticsError(HNError):
    """No month has statistics yet."""


def sparkline(values: Sequence[float]) -> str:
    """One bar character per value, scaled from the smallest to the largest (NaN: a space)."""
    known = [v for v in values if not math.isnan(v)]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    span = high - low
    return "".join(
        " "
        if math.isnan(v)
        else _BARS[0 if span == 0 else round((v - low) / span * (len(_BARS) - 1))]
        for v in values
    )


def load_stats(store: ParquetStore, since: str | None = None) -> pd.DataFrame:
    """Every stored month's statistics from ``since`` on; raises when there are none."""
    months = [m for m in store.partitions(STATS_TABLE) if since is None or m >= since]
    if not months:
        where = f" since {since}" if since else ""
        raise NoStatisticsError(
            f"no monthly statistics{where} under {store.base}: run `hn-jobs refresh` first "
            "(or point HN_DATA_DIR at the data directory that has them)"
        )
    return pd.concat([store.read(STATS_TABLE, m) for m in months], ignore_index=True)


@dataclass(frozen=True)
class TrendsView:
    """What `hn-jobs trends` shows, computed once for the table and the JSON."""

    months: list[str]
    posts: list[int]
    shares: dict[str, list[float]]
    technologies: dict[str, list[float]]
    salary_currency: str | None
    salary_median: list[float]
    trend_table: pd.DataFrame
    year_over_year: pd.DataFrame


def trends_view(stats: pd.DataFrame, technologies: Sequence[str] | None = None) -> TrendsView:
    counts = posts_per_month(stats)
    chosen = list(technologies) if technologies else top_technologies(stats)
    known = set(stats.loc[stats["dimension"] == Dimension.TECHNOLOGY.value, "key"])
    by_folded = {name.casefold(): name for name in known}
    named = [by_folded.get(name.casefold(), name) for name in chosen]
    tech_table = series(stats, Dimension.TECHNOLOGY, named)
    currency = salary_currency(stats)
    median = (
        series(stats, Dimension.SALARY, [currency], "p50")[currency].tolist() if currency else []
    )
    return TrendsView(
        months=list(counts.index),
        posts=[int(n) for n in counts],
        shares={
            label: series(stats, dimension, [key])[key].tolist()
            for label, dimension, key in MARKET_SHARES
        },
        technologies={name: tech_table[name].tolist() for name in named},
        salary_currency=currency,
        salary_median=median,
        trend_table=trends(stats),
        year_over_year=year_over_year(stats),
    )


def _trend_of(view: TrendsView, dimension: Dimension, key: str) -> dict[str, Any] | None:
    table = view.trend_table
    rows = table[(table["dimension"] == dimension.value) & (table["key"] == key)]
    return None if rows.empty else rows.iloc[0].to_dict()


def _percent(value: float) -> str:
    return "" if math.isnan(value) else f"{value * 100:.1f}%"


def _nan_to_none(values: Sequence[float]) -> list[float | None]:
    return [None if math.isnan(v) else round(v, 6) for v in values]


def view_json(view: TrendsView) -> dict[str, Any]:
    def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {k: (round(v, 6) if isinstance(v, float) else v) for k, v in row.items()}
            for row in frame.to_dict("records")
        ]

    return {
        "months": view.months,
        "posts": view.posts,
        "shares": {label: _nan_to_none(values) for label, values in view.shares.items()},
        "technologies": {name: _nan_to_none(v) for name, v in view.technologies.items()},
        "salary": {"currency": view.salary_currency, "median": _nan_to_none(view.salary_median)},
        "trends": rows(view.trend_table[view.trend_table["trend"] != "steady"]),
        "year_over_year": rows(view.year_over_year),
    }


def _series_row(label: str, values: Sequence[float], shown: str) -> list[str | Text]:
    return [label, Text(sparkline(values), style="cyan"), shown]


def market_table(view: TrendsView) -> Table:
    table = Table(title=f"Who is hiring: {view.months[0]} to {view.months[-1]}")
    table.add_column("", no_wrap=True)
    table.add_column("by month", no_wrap=True)
    table.add_column(view.months[-1], justify="right", no_wrap=True)
    table.add_column("trend", no_wrap=True)
    table.add_row(*_series_row("posts", view.posts, f"{view.posts[-1]:,}"), "")
    for label, dimension, key in MARKET_SHARES:
        values = view.shares[label]
        table.add_row(
            *_series_row(label, values, _percent(values[-1])), _trend_cell(view, dimension, key)
        )
    if view.salary_currency:
        latest = view.salary_median[-1]
        shown = "" if math.isnan(latest) else f"{latest:,.0f}"
        table.add_row(
            *_series_row(f"median salary ({view.salary_currency})", view.salary_median, shown), ""
        )
    for name, values in view.technologies.items():
        table.add_row(
            *_series_row(name, values, _percent(values[-1])),
            _trend_cell(view, Dimension.TECHNOLOGY, name),
        )
    return table


def _trend_cell(view: TrendsView, dimension: Dimension, key: str) -> Text:
    trend = _trend_of(view, dimension, key)
    if trend is None:
        return Text("")
    style = {"rising": "green", "falling": "red"}.get(trend["trend"], "dim")
    change = trend["change"] * 100
    return Text(f"{trend['trend']} {change:+.1f} pts", style=style)


def rising_table(view: TrendsView, limit: int = 12) -> Table | None:
    table = view.trend_table
    moving = table[(table["trend"] != "steady") & (table["dimension"] != Dimension.WORK_MODE.value)]
    if moving.empty:
        return None
    moving = moving.reindex(moving["change"].abs().sort_values(ascending=False).index).head(limit)
    shown = Table(title="Rising and falling (last 3 months vs the 12 before, FDR 5%)")
    for column in ("", "kind", "before", "last 3 months", "q"):
        shown.add_column(
            column, justify="right" if column in ("before", "last 3 months", "q") else "left"
        )
    for row in moving.itertuples(index=False):
        style = "green" if row.trend == "rising" else "red"
        shown.add_row(
            Text(str(row.key), style=style),
            str(row.dimension).replace("_", " "),
            _percent(row.baseline_share),
            _percent(row.recent_share),
            f"{row.q_value:.1g}",
        )
    return shown


def company_history(store: ParquetStore, company: str) -> pd.DataFrame:
    """Every post of a company, oldest first: month, id, roles, repost and since when."""
    wanted = company_key(company)
    if not wanted:
        raise ConfigError(
            f"--company {company!r} names no company: give a name, e.g. --company stripe"
        )
    columns = ["month", "id", "company", "roles", "repost", "first_seen_month", "months_posted"]
    frames = []
    for month in store.partitions(CLEAN_POSTS_TABLE):
        posts = store.read(CLEAN_POSTS_TABLE, month)
        keys = posts["company"].fillna("").map(company_key)
        frames.append(posts.loc[keys == wanted, [c for c in columns if c in posts]])
    if not frames:
        raise NoStatisticsError(f"no clean posts under {store.base}: run `hn-jobs refresh` first")
    history = pd.concat(frames, ignore_index=True).sort_values(["month", "id"], ignore_index=True)
    return history


def company_table(company: str, history: pd.DataFrame) -> Table:
    months = history["month"].nunique()
    table = Table(title=f"{company}: {len(history)} post(s) in {months} month(s)")
    for column in ("month", "post", "roles", "repost"):
        table.add_column(column, overflow="fold")
    for row in history.itertuples(index=False):
        repost = (
            f"yes, since {row.first_seen_month} ({row.months_posted} months)"
            if row.repost
            else "new"
        )
        table.add_row(str(row.month), str(row.id), ", ".join(row.roles) or "?", repost)
    return table


def parse_since(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return validate_month(value, "--since")
    except QueryError as exc:
        raise ConfigError(str(exc)) from exc
