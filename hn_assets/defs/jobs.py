"""The named jobs every run of the HN code location belongs to.

Sensors, `hn-jobs refresh` and `make demo` all launch these, so that each run shows its job in
the Dagster UI and can be re-executed from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import dagster as dg

from hn_assets.defs.partitions import hiring_months

discover_threads_job = dg.define_asset_job(
    "discover_threads",
    selection=["hiring_threads"],
    description="Find every thread of the HN user whoishiring and register each hiring month.",
)
hn_month_job = dg.define_asset_job(
    "hn_month",
    selection=[
        "hiring_threads",
        "raw_posts",
        "clean_posts",
        "jobs_index",
        "job_alerts",
        "monthly_stats",
    ],
    partitions_def=hiring_months,
    description="One month: fetch its posts, clean and parse them, index them, send alerts, "
    "count its statistics (with the thread list when a sensor asks for it).",
)
market_job = dg.define_asset_job(
    "market",
    selection=dg.AssetSelection.groups("market") - dg.AssetSelection.assets("monthly_stats"),
    description="The trends over every month's statistics, with the HTML report.",
)
lstm_job = dg.define_asset_job(
    "lstm",
    selection=dg.AssetSelection.groups("textgen"),
    description="Build the training set from every month, train the char-LSTM, write postings.",
)
JOBS = (discover_threads_job, hn_month_job, market_job, lstm_job)


def runs_by_job(
    defs: dg.Definitions, keys: Iterable[str], partitioned: bool
) -> list[tuple[str, list[str]]]:
    """``keys`` split into (job name, keys) runs, in the order of :data:`JOBS`; a key is run
    by the first job of the right kind (month-partitioned or not) that selects it."""
    graph = defs.resolve_asset_graph()
    jobs = [job for job in JOBS if (job.partitions_def is not None) == partitioned]
    selected: dict[str, list[str]] = {}
    for key in keys:
        asset_key = dg.AssetKey.from_user_string(key)
        job = next((job for job in jobs if asset_key in job.selection.resolve(graph)), None)
        if job is None:
            kind = "a month" if partitioned else "all months"
            raise ValueError(f"no job of the HN code location runs {key} for {kind}")
        selected.setdefault(job.name, []).append(key)
    order = [job.name for job in JOBS]
    return sorted(selected.items(), key=lambda item: order.index(item[0]))


def asset_keys(keys: Sequence[str]) -> list[dg.AssetKey]:
    return [dg.AssetKey.from_user_string(key) for key in keys]
