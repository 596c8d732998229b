"""Market assets: each month in numbers, and the trends over every month with a report."""

import dagster as dg
import pandas as pd

from hn_assets.defs import OWNERS
from hn_assets.defs.automation import when_stale
from hn_assets.defs.checks import check_result, specs
from hn_assets.defs.metadata import table_metadata, table_value
from hn_assets.defs.partitions import HIRING_MONTHS, hiring_months
from hn_assets.defs.resources import DataStoreResource
from hn_assets.market import stats as market_stats
from hn_assets.market.report import charts, html_report, report_path
from hn_assets.market.stats import Dimension, top, value
from hn_assets.market.trends import (
    posts_per_month,
    rising_and_falling,
    trends,
    with_trends,
    year_over_year,
)
from hn_assets.quality import shares_are_fractions, stats_cover_every_month
from hn_assets.reporting import image_markdown
from hn_assets.storage import atomic_write_text

GROUP = "market"

MONTHLY_STATS_CHECKS = {
    "shares_are_fractions": "Every share lies in [0, 1] and no count exceeds the month's posts.",
}


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    partitions_def=hiring_months,
    code_version="1",
    kinds={"python", "parquet"},
    check_specs=specs("monthly_stats", MONTHLY_STATS_CHECKS, partitions_def=hiring_months),
    automation_condition=when_stale(),
)
def monthly_stats(context: dg.AssetExecutionContext, clean_posts: pd.DataFrame):
    """The month in numbers: posts and companies; remote, hybrid, onsite, visa and repost
    shares; yearly salary percentiles per currency and role family; every technology, country,
    city and role family with its share (hn_assets.market.stats)."""
    month = context.partition_key
    stats = market_stats.monthly_stats(month, clean_posts)
    salary = stats[stats["dimension"] == Dimension.SALARY.value]
    yield dg.Output(
        stats,
        metadata={
            "posts": len(clean_posts),
            "companies": int(value(stats, Dimension.TOTAL, "companies")),
            **{
                f"{key}_share": dg.MetadataValue.float(
                    round(value(stats, dimension, key, "share"), 4)
                )
                for dimension, key in (
                    (Dimension.WORK_MODE, "remote"),
                    (Dimension.WORK_MODE, "hybrid"),
                    (Dimension.WORK_MODE, "onsite"),
                    (Dimension.VISA, "sponsored"),
                    (Dimension.REPOST, "repost"),
                )
            },
            "top_technologies": _shares_table(top(stats, Dimension.TECHNOLOGY)),
            "top_countries": _shares_table(top(stats, Dimension.COUNTRY)),
            "role_families": _shares_table(top(stats, Dimension.ROLE_FAMILY, 13)),
            "salaries": table_value(
                salary[["key", "posts", "p25", "p50", "p75"]].rename(
                    columns={"key": "currency/role family"}
                ),
                limit=30,
            ),
            **table_metadata(stats),
        },
    )
    yield check_result(
        "shares_are_fractions", shares_are_fractions(stats, len(clean_posts)), "monthly_stats"
    )


def _shares_table(rows: pd.DataFrame) -> dg.TableMetadataValue:
    shown = rows[["key", "posts", "share"]].assign(share=rows["share"].round(4))
    return table_value(shown, limit=len(shown))


HIRING_TRENDS_CHECKS = {
    "stats_cover_every_month": "The trends read the statistics of every hiring month known "
    "(a warning: a month without statistics is left out of the series).",
}


@dg.asset(
    group_name=GROUP,
    owners=OWNERS,
    code_version="1",
    kinds={"python", "html"},
    ins={"monthly_stats": dg.AssetIn(partition_mapping=dg.AllPartitionMapping())},
    check_specs=specs("hiring_trends", HIRING_TRENDS_CHECKS),
    automation_condition=when_stale(),
)
def hiring_trends(
    context: dg.AssetExecutionContext, monthly_stats: pd.DataFrame, storage: DataStoreResource
):
    """Every month's statistics as one time series (a row per month, dimension and key), each
    key with its trend: rising, falling or steady by a stated test (hn_assets.market.trends);
    year over year for the latest month; plots here and a self-contained HTML report under
    the data dir."""
    stats = monthly_stats
    trend_table = trends(stats)
    yoy = year_over_year(stats)
    report = report_path(storage.data_dir)
    atomic_write_text(report, html_report(stats, trend_table, yoy))
    counts = posts_per_month(stats) if not stats.empty else pd.Series(dtype="int64")
    plots = {
        f"plot_{chart.name.replace('-', '_')}": dg.MetadataValue.md(
            image_markdown(chart.png(), chart.title)
        )
        for chart in charts(stats)
    }
    series = with_trends(stats, trend_table)
    yield dg.Output(
        series,
        metadata={
            "months": len(counts),
            "posts": int(counts.sum()),
            "rising": int((trend_table["trend"] == "rising").sum()),
            "falling": int((trend_table["trend"] == "falling").sum()),
            "technology_trends": table_value(
                _trend_view(rising_and_falling(trend_table, Dimension.TECHNOLOGY)), limit=20
            ),
            "place_trends": table_value(
                _trend_view(
                    pd.concat(
                        [
                            rising_and_falling(trend_table, Dimension.COUNTRY),
                            rising_and_falling(trend_table, Dimension.CITY),
                        ]
                    )
                ),
                limit=20,
            ),
            **plots,
            "report": dg.MetadataValue.path(str(report)),
            "report_link": dg.MetadataValue.url(report.as_uri()),
            **table_metadata(series),
        },
    )
    known = context.instance.get_dynamic_partitions(HIRING_MONTHS)
    yield check_result(
        "stats_cover_every_month",
        stats_cover_every_month(list(counts.index), known),
        "hiring_trends",
    )


def _trend_view(rows: pd.DataFrame) -> pd.DataFrame:
    shown = rows[["dimension", "key", "trend", "baseline_share", "recent_share", "q_value"]]
    return shown.assign(
        baseline_share=shown["baseline_share"].round(4),
        recent_share=shown["recent_share"].round(4),
        q_value=shown["q_value"].map(lambda q: float(f"{q:.2g}")),
    )
