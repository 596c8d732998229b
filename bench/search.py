"""Search benchmark on the embedded backend (tantivy LocalIndex), with baselines in the same run.

1. Build: index N generated clean_posts documents (default 50,000 over 100 months) with one
   bulk upsert -> docs_per_s. Baseline: the same posts indexed month by month through
   sync_month (what backfilling jobs_index does, one commit per month).
2. Query: 20 nested boolean queries in the ``hn-jobs search`` syntax, each parsed, translated
   and run for the top 20 hits with their stored fields, repeated -> p50/p95 latency.
   Baseline: the reference evaluation in Python (Query.matches over every post, no index) on
   the first queries.
3. Incremental: 1% more posts arrive in the newest month; sync_month upserts only those ->
   incremental_fraction = incremental time / full build time. Baseline: rebuilding the whole
   index from scratch (the fraction's denominator).

The machine may be shared: builds and incremental syncs run several times (median reported,
plus the best build and its CPU seconds), and the 1-minute load average is in the JSON.

Goals (issue 3): docs_per_s >= 20,000, query_p95_ms < 20, incremental_fraction < 0.05.
Usage: python bench/search.py [--json] [--docs 50000] [--months 100] [--repeats 5]
The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import track
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests.fakes` lives next to the package, not inside it

from hn_assets.search.local_index import LocalIndex  # noqa: E402
from hn_assets.search.parser import parse_query  # noqa: E402
from hn_assets.search.sync import sync_month  # noqa: E402
from tests.fakes.synthetic_posts import default_months, synthetic_posts  # noqa: E402

QUERIES = [
    '"san francisco" AND "machine learning"',
    '("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")',
    "(san francisco OR bay area) AND (machine learning OR data analysis) AND NOT onsite",
    "(rust OR go) AND remote:true AND NOT (onsite:true OR hybrid:true)",
    "(python OR typescript) AND (kubernetes OR terraform) AND NOT manager",
    "location:(berlin OR london OR paris) AND (python OR rust)",
    'company:stripe OR company:"acme robotics"',
    '"machine learning" AND salary_min:>=150k AND currency:USD',
    '(visa:true AND remote:false) OR (remote:true AND NOT location:"new york")',
    "title:engineer AND NOT title:(manager OR designer) AND month:2022-06",
    '("data analysis" OR "deep learning") AND (pytorch OR spark) AND employment:full-time',
    "(seattle OR toronto) AND NOT (contract OR internship)",
    '("series a" OR "series b") AND (kafka OR postgresql)',
    'NOT remote:true AND (location:"san francisco" OR location:oakland)',
    '(("machine learning" AND pytorch) OR ("data analysis" AND spark)) AND NOT onsite:true',
    'employment:contract AND (elixir OR "node js") AND salary_max:<150k',
    '(month:2026-01 OR month:2026-02 OR month:2026-03) AND ("bay area" OR remote:true)',
    'learning AND NOT machine AND (budget OR "parental leave")',
    '(hybrid:true OR onsite:true) AND location:"bay area" AND (react OR typescript)',
    '(("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")) '
    "OR (location:zürich AND quant)",
]
GOALS = {"docs_per_s": 20_000, "query_p95_ms": 20.0, "incremental_fraction": 0.05}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def run(
    docs: int, months: int, repeats: int, builds: int, brute_force_queries: int, root: Path
) -> dict:
    console = Console(stderr=True)
    month_names = default_months(months)
    console.print(f"generating {docs:,} posts over {months} months ...")
    posts = synthetic_posts(docs, months=month_names, seed=42)
    extra_count = max(1, docs // 100)
    newest = month_names[-1]
    frame = pd.DataFrame(posts)

    # Other processes share the cores: take the median of several builds, and report the CPU
    # time too (it does not depend on what else runs).
    build_times, build_cpu = [], []
    for attempt in track(range(builds), description="full build (bulk upsert)", console=console):
        index = LocalIndex(root / f"bulk-{attempt}")
        cpu_started, started = time.process_time(), time.perf_counter()
        index.ensure_index()
        written = index.upsert(posts)
        build_times.append(time.perf_counter() - started)
        build_cpu.append(time.process_time() - cpu_started)
        assert written == docs and index.count() == docs
        if attempt < builds - 1:
            index.close()
    build_s = statistics.median(build_times)

    by_month_index = LocalIndex(root / "by-month")
    started = time.perf_counter()
    for month, group in track(
        frame.groupby("month", sort=True), description="baseline: month by month", console=console
    ):
        sync_month(by_month_index, str(month), group)
    by_month_s = time.perf_counter() - started
    assert by_month_index.count() == docs
    by_month_index.close()

    queries = [parse_query(source) for source in QUERIES]
    for query in queries:  # warm the searcher and the OS page cache once
        index.search(query, size=20)
    latencies_ms: list[float] = []
    for _ in track(range(repeats), description="20 nested queries", console=console):
        for source in QUERIES:
            started = time.perf_counter()
            hits = index.search(parse_query(source), size=20)
            latencies_ms.append((time.perf_counter() - started) * 1000)
            assert len(hits) <= 20
    hit_counts = [index.count(query) for query in queries]

    brute_ms: list[float] = []
    ours_same_ms: list[float] = []
    for query in queries[:brute_force_queries]:
        started = time.perf_counter()
        expected = sum(1 for post in posts if query.matches(post))
        brute_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        index.search(query, size=20)
        ours_same_ms.append((time.perf_counter() - started) * 1000)
        assert expected == index.count(query), "index and reference disagree"

    incremental_times = []
    newest_frame = frame[frame["month"] == newest]
    next_id = posts[-1]["id"] + 1
    for attempt in track(
        range(builds), description=f"incremental: +{extra_count} posts", console=console
    ):
        extra = synthetic_posts(extra_count, months=[newest], seed=43 + attempt, first_id=next_id)
        next_id += extra_count
        newest_frame = pd.concat([newest_frame, pd.DataFrame(extra)], ignore_index=True)
        started = time.perf_counter()
        result = sync_month(index, newest, newest_frame)
        incremental_times.append(time.perf_counter() - started)
        assert result.added == extra_count and result.removed == 0
    assert index.count() == docs + builds * extra_count
    incremental_s = statistics.median(incremental_times)
    index.close()

    report: dict[str, Any] = {
        "benchmark": "search",
        "backend": "tantivy LocalIndex",
        "docs": docs,
        "months": months,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpu_cores": os.cpu_count(),
        "builds": builds,
        "build_s": round(build_s, 3),
        "docs_per_s": round(docs / build_s),
        "docs_per_s_best": round(docs / min(build_times)),
        "build_cpu_s": round(statistics.median(build_cpu), 3),
        "docs_per_cpu_s": round(docs / statistics.median(build_cpu)),
        "baseline_by_month_build_s": round(by_month_s, 3),
        "baseline_by_month_docs_per_s": round(docs / by_month_s),
        "bulk_vs_by_month_speedup": round(by_month_s / build_s, 2),
        "queries": len(QUERIES),
        "query_runs": len(latencies_ms),
        "query_p50_ms": round(statistics.median(latencies_ms), 3),
        "query_p95_ms": round(percentile(latencies_ms, 0.95), 3),
        "query_max_ms": round(max(latencies_ms), 3),
        "query_hits_min_max": [min(hit_counts), max(hit_counts)],
        "baseline_brute_force_queries": len(brute_ms),
        "baseline_brute_force_p50_ms": round(statistics.median(brute_ms), 1),
        "index_vs_brute_force_speedup": round(
            statistics.median(brute_ms) / statistics.median(ours_same_ms), 1
        ),
        "incremental_added": result.added,
        "incremental_s": round(incremental_s, 4),
        "incremental_runs": len(incremental_times),
        "incremental_fraction": round(incremental_s / build_s, 4),
    }
    report["goals_met"] = {
        "docs_per_s": report["docs_per_s"] >= GOALS["docs_per_s"],
        "query_p95_ms": report["query_p95_ms"] < GOALS["query_p95_ms"],
        "incremental_fraction": report["incremental_fraction"] < GOALS["incremental_fraction"],
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="end with one JSON line only")
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5, help="runs of the 20 queries")
    parser.add_argument("--builds", type=int, default=3, help="full builds (median reported)")
    parser.add_argument("--brute-force-queries", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="where to build the indexes (default: temp)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hn-search-bench-") as scratch:
        root = args.dir or Path(scratch)
        report = run(
            args.docs, args.months, args.repeats, args.builds, args.brute_force_queries, root
        )
    if not args.json:
        table = Table(title="bench/search.py")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for key, value in report.items():
            table.add_row(key, str(value))
        Console().print(table)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
