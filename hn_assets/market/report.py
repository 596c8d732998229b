"""The hiring market as charts: PNGs for the Dagster UI, and one self-contained HTML report.

The report is a single file with its charts inline (SVG), no script and no outside resource,
so it opens offline, can be mailed, and shows what a post wrote only as escaped text.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from hn_assets.market.stats import Dimension, top
from hn_assets.market.trends import (
    BASELINE_MONTHS,
    FALSE_DISCOVERY_RATE,
    RECENT_MONTHS,
    months_of,
    posts_per_month,
    rising_and_falling,
    series,
)
from hn_assets.storage import local_dir

#: Where the report is written, under the data dir.
REPORT_DIR = "reports"
REPORT_FILE = "hiring_trends.html"


def report_path(data_dir: str) -> Path:
    return local_dir(data_dir, REPORT_DIR) / REPORT_FILE


#: Technologies drawn over time: the most named over all months.
TOP_TECHNOLOGIES = 10
_LINE_STYLE = {"marker": "o", "markersize": 3, "linewidth": 1.5}


@dataclass(frozen=True)
class Chart:
    """A chart: its anchor, title, how many points it draws, and the figure."""

    name: str
    title: str
    points: int
    figure: Figure

    def png(self) -> bytes:
        return _render(self.figure, "png")

    def svg(self) -> str:
        return _render(self.figure, "svg").decode()


def _render(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    # Text stays text in the SVG (smaller, selectable); ids do not change between runs.
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "hn-jobs"}):
        figure.savefig(buffer, format=fmt, dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def _figure(title: str, ylabel: str) -> tuple[Figure, object]:
    figure = Figure(figsize=(8, 3.6))
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    return figure, axes


def _month_ticks(axes: object, months: list[str]) -> None:
    step = max(1, len(months) // 12)
    axes.set_xticks(range(0, len(months), step))  # type: ignore[attr-defined]
    axes.set_xticklabels(months[::step], rotation=45, ha="right", fontsize=8)  # type: ignore[attr-defined]


def posts_chart(stats: pd.DataFrame) -> Chart:
    counts = posts_per_month(stats)
    months = list(counts.index)
    figure, axes = _figure("Posts per month", "posts")
    axes.plot(range(len(months)), counts.to_numpy(), **_LINE_STYLE)  # type: ignore[attr-defined]
    _month_ticks(axes, months)
    return Chart("posts-per-month", "Posts per month", len(months), figure)


def shares_chart(
    stats: pd.DataFrame, name: str, title: str, lines: list[tuple[Dimension, str, str]]
) -> Chart:
    months = months_of(stats)
    figure, axes = _figure(title, "share of posts (%)")
    points = 0
    for dimension, key, label in lines:
        values = series(stats, dimension, [key])[key] * 100
        axes.plot(range(len(months)), values.to_numpy(), label=label, **_LINE_STYLE)  # type: ignore[attr-defined]
        points += len(values)
    axes.legend(fontsize=8)  # type: ignore[attr-defined]
    _month_ticks(axes, months)
    return Chart(name, title, points, figure)


def work_mode_chart(stats: pd.DataFrame) -> Chart:
    return shares_chart(
        stats,
        "work-mode",
        "Remote, hybrid and onsite, visa sponsorship, reposts",
        [
            (Dimension.WORK_MODE, "remote", "remote"),
            (Dimension.WORK_MODE, "hybrid", "hybrid"),
            (Dimension.WORK_MODE, "onsite", "onsite"),
            (Dimension.VISA, "sponsored", "visa sponsored"),
            (Dimension.REPOST, "repost", "reposts"),
        ],
    )


def salary_currency(stats: pd.DataFrame) -> str | None:
    """The currency most salary-stating posts use over all months."""
    rows = stats[(stats["dimension"] == Dimension.SALARY.value) & ~stats["key"].str.contains("/")]
    if rows.empty:
        return None
    return str(rows.groupby("key")["posts"].sum().idxmax())


def salary_chart(stats: pd.DataFrame) -> Chart | None:
    currency = salary_currency(stats)
    if currency is None:
        return None
    months = months_of(stats)
    figure, axes = _figure(f"Yearly salary ({currency}): median and middle half", currency)
    x = range(len(months))
    p25, p50, p75 = (
        series(stats, Dimension.SALARY, [currency], p)[currency] for p in ("p25", "p50", "p75")
    )
    axes.fill_between(x, p25.to_numpy(), p75.to_numpy(), alpha=0.25, label="p25-p75")  # type: ignore[attr-defined]
    axes.plot(x, p50.to_numpy(), label="median", **_LINE_STYLE)  # type: ignore[attr-defined]
    axes.legend(fontsize=8)  # type: ignore[attr-defined]
    _month_ticks(axes, months)
    return Chart("salary", f"Yearly salary ({currency})", int(p50.notna().sum()), figure)


def top_technologies(stats: pd.DataFrame, limit: int = TOP_TECHNOLOGIES) -> list[str]:
    rows = stats[stats["dimension"] == Dimension.TECHNOLOGY.value]
    totals = rows.groupby("key")["posts"].sum()
    return list(totals.sort_values(ascending=False, kind="stable").head(limit).index)


def technologies_chart(stats: pd.DataFrame, technologies: list[str] | None = None) -> Chart:
    chosen = technologies or top_technologies(stats)
    months = months_of(stats)
    figure, axes = _figure(f"Top {len(chosen)} technologies", "share of posts (%)")
    table = series(stats, Dimension.TECHNOLOGY, chosen) * 100
    for name in chosen:
        axes.plot(range(len(months)), table[name].to_numpy(), label=name, **_LINE_STYLE)  # type: ignore[attr-defined]
    axes.legend(fontsize=7, ncol=2)  # type: ignore[attr-defined]
    _month_ticks(axes, months)
    return Chart("technologies", f"Top {len(chosen)} technologies", table.size, figure)


CHARTS: tuple[Callable[[pd.DataFrame], Chart | None], ...] = (
    posts_chart,
    work_mode_chart,
    salary_chart,
    technologies_chart,
)


def charts(stats: pd.DataFrame) -> list[Chart]:
    """Every chart the history has data for."""
    if stats.empty:
        return []
    return [chart for make in CHARTS if (chart := make(stats)) is not None]


# --- the HTML report -------------------------------------------------------------------------

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { margin-bottom: .2rem; } .lede { color: #555; margin-top: 0; }
figure { margin: 1.2rem 0; } figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .6rem 0 1.4rem; font-size: 14px; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.rising { color: #166534; } .falling { color: #9f1239; }
"""


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _table(headers: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(cell)}</td>'
            if i in numeric
            else f"<td>{html.escape(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def trend_rows(trend_table: pd.DataFrame, dimension: Dimension, limit: int = 15) -> list[list[str]]:
    rows = rising_and_falling(trend_table, dimension).head(limit)
    return [
        [
            str(row.key),
            str(row.trend),
            _percent(row.baseline_share),
            _percent(row.recent_share),
            f"{row.change * 100:+.1f}",
            f"{row.q_value:.2g}",
        ]
        for row in rows.itertuples(index=False)
    ]


_TREND_HEADERS = ["", "trend", "before", "last months", "change (points)", "q"]
_TREND_SECTIONS = (
    (Dimension.TECHNOLOGY, "Technologies"),
    (Dimension.COUNTRY, "Countries"),
    (Dimension.CITY, "Cities"),
    (Dimension.ROLE_FAMILY, "Role families"),
    (Dimension.WORK_MODE, "Work mode"),
)


def _trend_sections(trend_table: pd.DataFrame) -> str:
    method = (
        f"<p>A share is called rising or falling when its last {RECENT_MONTHS} months differ "
        f"from the {BASELINE_MONTHS} months before them in a two-proportion z-test, "
        f"significant after the Benjamini-Hochberg correction at a false discovery rate of "
        f"{FALSE_DISCOVERY_RATE:g} (q below it).</p>"
    )
    if trend_table.empty:
        return method + "<p>Not enough months yet to test for trends.</p>"
    parts = [method]
    for dimension, title in _TREND_SECTIONS:
        rows = trend_rows(trend_table, dimension)
        parts.append(f"<h3>{html.escape(title)}</h3>")
        parts.append(
            _table(_TREND_HEADERS, rows, {2, 3, 4, 5}) if rows else "<p>No significant change.</p>"
        )
    return "".join(parts)


def _year_over_year_section(yoy: pd.DataFrame) -> str:
    if yoy.empty:
        return "<p>No month a year before the latest one.</p>"
    named = yoy[yoy["dimension"].isin([Dimension.TECHNOLOGY.value, Dimension.WORK_MODE.value])]
    biggest = named.reindex(named["change"].abs().sort_values(ascending=False).index).head(15)
    rows = [
        [
            f"{row.dimension}: {row.key}",
            _percent(row.year_ago_share),
            _percent(row.share),
            f"{row.change * 100:+.1f}",
            f"{row.p_value:.2g}",
        ]
        for row in biggest.itertuples(index=False)
    ]
    month = str(yoy["month"].iloc[0])
    return f"<p>{html.escape(month)} against a year before, largest changes.</p>" + _table(
        ["", "a year before", month, "change (points)", "p"], rows, {1, 2, 3, 4}
    )


def _summary(stats: pd.DataFrame) -> str:
    counts = posts_per_month(stats)
    latest = counts.index[-1]
    latest_rows = stats[stats["month"] == latest]
    tech = top(latest_rows, Dimension.TECHNOLOGY, 5)
    named = ", ".join(
        f"{key} {_percent(share)}" for key, share in zip(tech["key"], tech["share"], strict=True)
    )
    return (
        f"<p class='lede'>{len(counts)} months, {counts.index[0]} to {html.escape(latest)}: "
        f"{int(counts.sum()):,} posts. In {html.escape(latest)}: {int(counts.iloc[-1]):,} posts; "
        f"most named technologies: {html.escape(named or 'none')}.</p>"
    )


def html_report(stats: pd.DataFrame, trend_table: pd.DataFrame, yoy: pd.DataFrame) -> str:
    """The whole report as one HTML document."""
    if stats.empty:
        body = "<p>No month has statistics yet: run <code>hn-jobs refresh</code>.</p>"
    else:
        figures = "".join(
            f'<section id="{chart.name}"><h2>{html.escape(chart.title)}</h2>'
            f'<figure class="chart" data-points="{chart.points}">{chart.svg()}</figure></section>'
            for chart in charts(stats)
        )
        body = (
            _summary(stats)
            + figures
            + '<section id="trends"><h2>Rising and falling</h2>'
            + _trend_sections(trend_table)
            + '</section><section id="year-over-year"><h2>Year over year</h2>'
            + _year_over_year_section(yoy)
            + "</section>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Ask HN: Who is hiring? Trends</title>"
        f"<style>{_STYLE}</style></head><body><h1>Ask HN: Who is hiring? Trends</h1>{body}"
        "</body></html>"
    )
