"""All of history: a generated archive of 180 months, fetched through the fake HN API with
25 ms latency per request, then cleaned (reposts included), indexed, counted per month and
turned into trends.

Two ways over the same months, side by side:

* ``dagster``: what the platform does, one run of the ``hn_month`` job per month (raw_posts
  through monthly_stats, recorded in a fresh Dagster instance), oldest month first so that
  each month's reposts are looked for in every month before it, then one run of the
  ``market`` job (hiring_trends and its report);
* ``plain``: the same domain functions called in a loop, no Dagster: the floor, to show what
  recording runs costs.

    python bench/backfill.py [--json] [--months 180] [--post-scale 2.1] [--latency 0.025]

The fake API runs in its own process, as a remote API would. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests.fakes` lives next to the package, not inside it

import dagster as dg  # noqa: E402
import pandas as pd  # noqa: E402

from hn_assets.defs.definitions import build_definitions  # noqa: E402
from hn_assets.defs.jobs import asset_keys  # noqa: E402
from hn_assets.defs.launch import execute_job  # noqa: E402
from hn_assets.defs.partitions import HIRING_MONTHS  # noqa: E402
from hn_assets.defs.resources import HNAPIClientResource, SearchIndexResource  # noqa: E402
from hn_assets.hackernews.client import LiveHackerNewsClient  # noqa: E402
from hn_assets.hackernews.posts import clean_posts_frame, fetch_thread_posts  # noqa: E402
from hn_assets.hackernews.threads import find_threads  # noqa: E402
from hn_assets.hackernews.titles import ThreadKind  # noqa: E402
from hn_assets.market.reposts import RepostHistory, with_reposts  # noqa: E402
from hn_assets.market.stats import monthly_stats  # noqa: E402
from hn_assets.market.trends import trends, year_over_year  # noqa: E402
from hn_assets.search.local_index import LocalIndex  # noqa: E402
from hn_assets.search.sync import sync_month  # noqa: E402

GOAL_S = 600
MONTH_ASSETS = ["raw_posts", "clean_posts", "jobs_index", "job_alerts", "monthly_stats"]
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def start_server(
    months: int, post_scale: float, latency_s: float
) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable, "-m", "tests.fakes.hn_server", "--port", "0",
            "--latency", str(latency_s), "--generate-months", str(months),
            "--post-scale", str(post_scale),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"the fake HN server did not start: {line!r}")
    return process, line.split(" at ", 1)[1].split()[0]


def dagster_backfill(base_url: str, work: Path) -> dict[str, object]:
    work.mkdir(parents=True)
    os.environ["HN_DATA_DIR"] = str(work / "data")
    defs = build_definitions(
        {
            "hn": HNAPIClientResource(base_url=base_url),
            "search": SearchIndexResource(data_dir=str(work / "data")),
        }
    )
    started = time.perf_counter()
    (work / "dagster_home").mkdir()
    with dg.DagsterInstance.local_temp(str(work / "dagster_home")) as instance:
        discovered = execute_job(defs, "discover_threads", "hn_assets", instance, run_config=QUIET)
        assert discovered.success
        months = sorted(instance.get_dynamic_partitions(HIRING_MONTHS))
        failed = []
        for month in months:
            result = execute_job(
                defs,
                "hn_month",
                "hn_assets",
                instance,
                partition_key=month,
                asset_selection=asset_keys(MONTH_ASSETS),
                run_config=QUIET,
            )
            if not result.success:
                failed.append(month)
        months_done = time.perf_counter()
        market = execute_job(defs, "market", "hn_assets", instance, run_config=QUIET)
        runs = len(instance.get_run_records())
    wall = time.perf_counter() - started
    posts = _stored_posts(work / "data")
    return {
        "months": len(months),
        "posts": posts,
        "runs": runs,
        "failed_months": failed,
        "trends_ok": bool(market.success),
        "wall_s": round(wall, 1),
        "months_s": round(months_done - started, 1),
        "trends_s": round(wall - (months_done - started), 1),
        "posts_per_s": round(posts / wall, 1),
    }


def _fetch_months(args: tuple[str, str, str, list[str]]) -> list[str]:
    """A worker process: one raw_posts run per month, against the shared instance."""
    base_url, data_dir, home, months = args
    os.environ["HN_DATA_DIR"] = data_dir
    defs = build_definitions({"hn": HNAPIClientResource(base_url=base_url)})
    failed = []
    with dg.DagsterInstance.from_config(home) as instance:
        for month in months:
            result = execute_job(
                defs, "hn_month", "hn_assets", instance, partition_key=month,
                asset_selection=asset_keys(["raw_posts"]), run_config=QUIET,
            )  # fmt: skip
            if not result.success:
                failed.append(month)
    return failed


def parallel_fetch_backfill(base_url: str, work: Path, processes: int) -> dict[str, object]:
    """Fetch every month in ``processes`` worker processes at once (the API's latency, not
    the CPU, bounds a fetch), then clean, index and count the months one after another,
    oldest first, as the reposts need."""
    data_dir, home = work / "data", work / "dagster_home"
    home.mkdir(parents=True)
    os.environ["HN_DATA_DIR"] = str(data_dir)
    defs = build_definitions(
        {
            "hn": HNAPIClientResource(base_url=base_url),
            "search": SearchIndexResource(data_dir=str(data_dir)),
        }
    )
    started = time.perf_counter()
    with dg.DagsterInstance.local_temp(str(home)) as instance:
        assert execute_job(
            defs, "discover_threads", "hn_assets", instance, run_config=QUIET
        ).success
        months = sorted(instance.get_dynamic_partitions(HIRING_MONTHS))
        shares = [months[i::processes] for i in range(processes)]
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            failed = [
                m
                for part in pool.map(
                    _fetch_months, [(base_url, str(data_dir), str(home), share) for share in shares]
                )
                for m in part
            ]
        fetched = time.perf_counter()
        for month in months:
            result = execute_job(
                defs, "hn_month", "hn_assets", instance, partition_key=month,
                asset_selection=asset_keys(MONTH_ASSETS[1:]), run_config=QUIET,
            )  # fmt: skip
            if not result.success:
                failed.append(month)
        market = execute_job(defs, "market", "hn_assets", instance, run_config=QUIET)
        runs = len(instance.get_run_records())
    wall = time.perf_counter() - started
    posts = _stored_posts(data_dir)
    return {
        "months": len(months),
        "posts": posts,
        "runs": runs,
        "failed_months": sorted(set(failed)),
        "trends_ok": bool(market.success),
        "wall_s": round(wall, 1),
        "fetch_s": round(fetched - started, 1),
        "posts_per_s": round(posts / wall, 1),
    }


def _stored_posts(data_dir: Path) -> int:
    return sum(len(pd.read_parquet(path)) for path in (data_dir / "clean_posts").glob("*.parquet"))


def plain_backfill(base_url: str, work: Path) -> dict[str, object]:
    work.mkdir(parents=True)
    started = time.perf_counter()
    history = RepostHistory()
    stats = []
    posts = 0
    with LiveHackerNewsClient(base_url) as client, LocalIndex(work / "plain-index") as index:
        index.ensure_index()
        threads = find_threads(client).threads
        hiring = threads[threads["kind"] == ThreadKind.HIRING.value].sort_values("month")
        for month, thread_id in zip(hiring["month"], hiring["id"], strict=True):
            raw, _ = fetch_thread_posts(client, int(thread_id), None)
            clean, prints = with_reposts(
                clean_posts_frame(raw, month, int(thread_id)).posts, history
            )
            history.add(prints)
            sync_month(index, month, clean)
            stats.append(monthly_stats(month, clean))
            posts += len(clean)
    all_stats = pd.concat(stats, ignore_index=True)
    trends(all_stats)
    year_over_year(all_stats)
    wall = time.perf_counter() - started
    return {
        "months": len(stats),
        "posts": posts,
        "wall_s": round(wall, 1),
        "posts_per_s": round(posts / wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--months", type=int, default=180)
    parser.add_argument("--post-scale", type=float, default=2.1, help="posts per month, times this")
    parser.add_argument("--latency", type=float, default=0.025)
    parser.add_argument("--skip-plain", action="store_true", help="only the Dagster backfills")
    parser.add_argument("--processes", type=int, default=3, help="fetch processes at once")
    args = parser.parse_args()
    server, base_url = start_server(args.months, args.post_scale, args.latency)
    try:
        with tempfile.TemporaryDirectory(prefix="hn-backfill-") as tmp:
            work = Path(tmp)
            dagster = dagster_backfill(base_url, work / "sequential")
            print(f"dagster, one run per month: {dagster}", file=sys.stderr)
            parallel = parallel_fetch_backfill(base_url, work / "parallel", args.processes)
            print(f"dagster, parallel fetch: {parallel}", file=sys.stderr)
            plain = None if args.skip_plain else plain_backfill(base_url, work / "plain")
            print(f"plain: {plain}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = {
        "months": args.months,
        "latency_s": args.latency,
        "cpus": os.cpu_count(),
        "sequential": dagster,
        "parallel_fetch": parallel,
        "plain": plain,
        "sequential_over_parallel_fetch": round(dagster["wall_s"] / parallel["wall_s"], 2),
        "parallel_fetch_over_plain": round(parallel["wall_s"] / plain["wall_s"], 2)
        if plain
        else None,
        "goal_s": GOAL_S,
        "meets_goal": min(dagster["wall_s"], parallel["wall_s"]) < GOAL_S,
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
