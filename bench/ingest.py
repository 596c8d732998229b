"""Cleaning + header parsing of real posts: posts per second on one core, ours versus the blog
post's ``BeautifulSoup(html).get_text()`` (which gives neither paragraphs nor links nor fields).
Cleaning alone (``clean_html``) is measured too, as the like-for-like comparison.

Runs over the real posts in ../shared/real-hn (HN_REAL_SAMPLE names another folder), in this
process only, so the figures are one core's. Each side runs ``--repeat`` times over every post;
the best pass counts, as the one least disturbed by other load.

    python bench/ingest.py [--json] [--repeat 3]

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests.fakes` lives next to the package, not inside it

from hn_assets.hackernews.cleaning import clean_html  # noqa: E402
from hn_assets.hackernews.posts import clean_posts_frame, raw_post_row  # noqa: E402
from hn_assets.hackernews.text_caches import clear_text_caches  # noqa: E402
from tests.fakes.real_hn import DEFAULT_REAL_SAMPLE, REAL_SAMPLE_ENV, load_real_posts  # noqa: E402


def blog_post_text(html: str) -> str:
    """The blog post's cleaning: every tag dropped, text run together."""
    return BeautifulSoup(html, "html.parser").get_text()


def best_rate(run: Callable[[], int], repeat: int) -> tuple[float, float]:
    """(posts/s, seconds) of the fastest of ``repeat`` passes; ``run`` returns posts done."""
    best = float("inf")
    done = 0
    for _ in range(repeat):
        clear_text_caches()  # each pass reads the posts as if for the first time
        started = time.perf_counter()
        done = run()
        best = min(best, time.perf_counter() - started)
    return done / best, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--repeat", type=int, default=3, help="passes per side (best counts)")
    args = parser.parse_args()

    folder = Path(os.environ.get(REAL_SAMPLE_ENV) or DEFAULT_REAL_SAMPLE)
    if not (folder / "posts.jsonl.gz").exists():
        sys.exit(f"bench/ingest.py: no real posts at {folder}: set {REAL_SAMPLE_ENV}")
    posts = load_real_posts(folder)
    months = sorted({post.month for post in posts})
    raw_by_month = {}
    for month in months:
        rows = [
            raw_post_row({"id": p.id, "text": p.text, "by": p.by, "time": p.time}, 1, p.id)
            for p in posts
            if p.month == month
        ]
        raw_by_month[month] = pd.DataFrame(rows)

    def ours() -> int:
        done = 0
        for month, raw in raw_by_month.items():
            result = clean_posts_frame(raw, month, 1)
            if result.quarantined:
                raise SystemExit(f"quarantined posts in {month}: {result.quarantined[:3]}")
            done += len(result.posts)
        return done

    def clean_only() -> int:
        for post in posts:
            clean_html(post.text)
        return len(posts)

    def baseline() -> int:
        for post in posts:
            blog_post_text(post.text)
        return len(posts)

    baseline_rate, baseline_s = best_rate(baseline, args.repeat)
    ours_rate, ours_s = best_rate(ours, args.repeat)
    clean_rate, clean_s = best_rate(clean_only, args.repeat)
    result = {
        "benchmark": "ingest_clean_parse",
        "posts": len(posts),
        "months": months,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "cores_used": 1,
        "repeat": args.repeat,
        "ours": "html_to_text (paragraphs, links, entities) + header fields, per-post isolation",
        "baseline": "BeautifulSoup(html, 'html.parser').get_text() only",
        "ours_posts_per_s": round(ours_rate, 1),
        "ours_seconds": round(ours_s, 3),
        "baseline_posts_per_s": round(baseline_rate, 1),
        "baseline_seconds": round(baseline_s, 3),
        "ratio_ours_to_baseline": round(ours_rate / baseline_rate, 2),
        "clean_only_posts_per_s": round(clean_rate, 1),
        "clean_only_seconds": round(clean_s, 3),
        "ratio_clean_only_to_baseline": round(clean_rate / baseline_rate, 2),
    }
    if not args.json:
        print(
            f"ours {result['ours_posts_per_s']:,} posts/s (clean + parse) vs blog post "
            f"{result['baseline_posts_per_s']:,} posts/s (get_text only): "
            f"{result['ratio_ours_to_baseline']}x; cleaning alone "
            f"{result['clean_only_posts_per_s']:,} posts/s "
            f"({result['ratio_clean_only_to_baseline']}x)"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
