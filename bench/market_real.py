"""The market statistics of the real posts of ``$HN_REAL_SAMPLE`` (default ../shared/real-hn):
each month cleaned in order with its reposts looked for in the months before it, as
clean_posts does, then counted as monthly_stats does.

Prints, per month: posts, repost share, and the share of posts naming each technology (the
30 most named over the months). bench/RESULTS.md sets them beside gantryops' published
tech-trends shares for the same months.

    python bench/market_real.py [--json] [--top 30]

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from hn_assets.hackernews.posts import clean_posts_frame  # noqa: E402
from hn_assets.market.report import top_technologies  # noqa: E402
from hn_assets.market.reposts import RepostHistory, with_reposts  # noqa: E402
from hn_assets.market.stats import Dimension, monthly_stats, value  # noqa: E402
from hn_assets.market.trends import series  # noqa: E402
from tests.fakes.real_hn import DEFAULT_REAL_SAMPLE, REAL_SAMPLE_ENV, load_real_posts  # noqa: E402


def real_month_stats(folder: Path) -> pd.DataFrame:
    posts = load_real_posts(folder)
    raw = pd.DataFrame(
        [
            {
                "id": post.id,
                "by": post.by or "",
                "time": post.time or 0,
                "text": post.text,
                "deleted": False,
                "dead": False,
                "parent": post.thread_id or 0,
                "month": post.month,
            }
            for post in posts
        ]
    )
    history = RepostHistory()
    stats = []
    for month, rows in raw.groupby("month", sort=True):
        thread_id = int(rows["parent"].iloc[0])
        clean = clean_posts_frame(rows.drop(columns="month"), str(month), thread_id).posts
        clean, prints = with_reposts(clean, history)
        history.add(prints)
        stats.append(monthly_stats(str(month), clean))
    return pd.concat(stats, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    folder = Path(os.environ.get(REAL_SAMPLE_ENV) or DEFAULT_REAL_SAMPLE)
    if not (folder / "posts.jsonl.gz").exists():
        sys.exit(f"bench/market_real.py: no real posts at {folder}: set {REAL_SAMPLE_ENV}")
    stats = real_month_stats(folder)
    months = sorted(stats["month"].unique())
    technologies = top_technologies(stats, args.top)
    shares = series(stats, Dimension.TECHNOLOGY, technologies)
    result = {
        "months": {
            month: {
                "posts": int(value(stats[stats["month"] == month], Dimension.TOTAL, "posts")),
                "repost_share": round(
                    value(stats[stats["month"] == month], Dimension.REPOST, "repost", "share"), 4
                ),
            }
            for month in months
        },
        "technology_share_pct": {
            name: {month: round(float(shares.at[month, name]) * 100, 1) for month in months}
            for name in technologies
        },
    }
    if not args.json:
        print(shares.mul(100).round(1).T.to_string())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
