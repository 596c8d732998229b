"""How well the parsed fields of real posts agree with two LLMs' reading of the same posts.

Runs the clean_posts extraction (``clean_post_row``: cleaning + every parsed field) over the
1,912 real posts of ``$HN_REAL_SAMPLE`` (default ../shared/real-hn) on one core, and compares
each field with the labels gpt-4o-mini (2023 months) and Gemini Flash Lite (2026 months) gave
the same posts. The labels are an LLM's reading, not ground truth.

Agreement, per field (a post whose label says nothing about the field is not counted):

* company (gpt): names equal after case folding, dropping punctuation, a web suffix
  (.com, .ai, ...) and legal or generic words (Inc, LLC, Labs, ...), or one contained in the
  other, or equal once spaces are removed.
* work mode (gpt's "remote work policy", Gemini's "remote"): the label's mode is among ours;
  a label that combines modes ("onsite/hybrid") agrees when one of them is.
* salary (gpt: each role's figure and currency): the reference figure lies within our range
  (a one-figure range: within 1%); Gemini's band ("$150k-$200k") overlaps our yearly range.
* locations (gpt): the reference's first place is among ours (as a city, a country, or a
  display name); references that name no place ("Remote") are not counted.
* technologies (Gemini): micro precision, recall and F1 within Gemini's own taxonomy (the
  names it uses anywhere); our names outside it are not counted either way.
* seniority and role family (Gemini): agreement and a confusion table (label -> ours).

Throughput: the same extraction's posts per second on one core (best of ``--repeat``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests.fakes` lives next to the package, not inside it

from hn_assets.hackernews.places import Places, locations_agree  # noqa: E402
from hn_assets.hackernews.posts import clean_post_row  # noqa: E402
from hn_assets.hackernews.roles import (  # noqa: E402
    as_gemini_level,
    gemini_role_family,
    gemini_seniority,
)
from hn_assets.hackernews.salary import Salary, salary_agrees, salary_band_agrees  # noqa: E402
from hn_assets.hackernews.technologies import GEMINI_TECHNOLOGIES, technology_scores  # noqa: E402
from hn_assets.hackernews.text_caches import clear_text_caches  # noqa: E402
from hn_assets.hackernews.work_mode import WorkMode, work_mode_agrees  # noqa: E402
from hn_assets.market.reposts import company_key  # noqa: E402
from tests.fakes.real_hn import DEFAULT_REAL_SAMPLE, REAL_SAMPLE_ENV  # noqa: E402

GPT_LABELS = "labels-gpt-4o-mini.jsonl.gz"
GEMINI_LABELS = "labels-gemini-flash-lite.jsonl.gz"
#: The issue's floors (do better): the scorer reports whether each holds.
FLOORS = {
    "company": 0.97,
    "work_mode": 0.92,
    "salary": 0.92,
    "locations": 0.90,
    "technologies_f1": 0.85,
}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def extract(posts: Iterable[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Every post's clean_posts row, by id."""
    rows = {}
    for post in posts:
        raw = SimpleNamespace(id=post["id"], text=post["text"], by=post.get("by"), time=0)
        row, _ = clean_post_row(raw, post["month"], post.get("thread_id") or 0)
        rows[int(post["id"])] = row
    return rows


def posts_per_second(posts: list[dict[str, Any]], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        clear_text_caches()  # each pass reads the posts as if for the first time
        started = time.perf_counter()
        extract(posts)
        best = min(best, time.perf_counter() - started)
    return len(posts) / best


# --- company ---------------------------------------------------------------------------------


def company_agrees(reference: str | None, ours: str | None) -> bool | None:
    theirs, mine = company_key(reference), company_key(ours)
    if not theirs:
        return None
    if not mine:
        return False
    return theirs in mine or mine in theirs or theirs.replace(" ", "") == mine.replace(" ", "")


# --- the other fields, read back from a row ----------------------------------------------------


def _salary(row: dict[str, Any]) -> Salary | None:
    low, high = row["salary_min"], row["salary_max"]
    if low is None and high is None:
        return None
    return Salary(low, high, row["salary_currency"], row["salary_period"] or "year", row["equity"])


def _mode(row: dict[str, Any]) -> WorkMode:
    return WorkMode(remote=row["remote"], hybrid=row["hybrid"], onsite=row["onsite"])


def _places(row: dict[str, Any]) -> Places:
    return Places(row["locations"], row["location_cities"], row["location_countries"])


def gpt_salary_agrees(label: dict[str, Any], row: dict[str, Any]) -> bool | None:
    """Every salary figure gpt read for the post's roles lies within our range."""
    figures = [
        (role.get("salary"), role.get("currency"))
        for role in label.get("roles") or []
        if isinstance(role.get("salary"), int | float) and role.get("salary")
    ]
    if not figures:
        return None
    ours = _salary(row)
    return all(salary_agrees(float(amount), currency, ours) for amount, currency in figures)


GPT_SCORERS: dict[str, Callable[[dict, dict], bool | None]] = {
    "company": lambda label, row: company_agrees(label.get("name"), row["company"]),
    "work_mode": lambda label, row: work_mode_agrees(label.get("remote work policy"), _mode(row)),
    "salary": gpt_salary_agrees,
    "locations": lambda label, row: locations_agree(label.get("locations") or [], _places(row)),
}
GEMINI_SCORERS: dict[str, Callable[[dict, dict], bool | None]] = {
    "work_mode_gemini": lambda label, row: work_mode_agrees(label.get("remote"), _mode(row)),
    "salary_band_gemini": lambda label, row: (
        salary_band_agrees(label["salary_band"], _salary(row)) if label.get("salary_band") else None
    ),
    "equity_gemini": lambda label, row: bool(label.get("equity_mentioned")) == row["equity"],
    "seniority_gemini": lambda label, row: (
        gemini_seniority(label.get("experience_level")) == as_gemini_level(row["seniority"])
    ),
    "role_family_gemini": lambda label, row: (
        gemini_role_family(label.get("role")) in row["role_families"]
    ),
}


def technology_f1(rows: dict[int, dict], labels: list[dict]) -> dict[str, Any]:
    tp = fp = fn = 0
    for label in labels:
        row = rows.get(int(label["id"]))
        if row is not None:
            hits = technology_scores(
                label.get("technologies") or [], row["technologies"], GEMINI_TECHNOLOGIES
            )
            tp, fp, fn = tp + hits[0], fp + hits[1], fn + hits[2]
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "agreement": round(f1, 4),
    }


def confusion(
    rows: dict[int, dict], labels: list[dict], theirs: Callable, ours: Callable
) -> dict[str, dict[str, int]]:
    """label value -> our value -> posts (where we agree, our value is theirs)."""
    table: dict[str, Counter] = {}
    for label in labels:
        row = rows.get(int(label["id"]))
        if row is None:
            continue
        reference = str(theirs(label))
        table.setdefault(reference, Counter())[str(ours(label, row))] += 1
    return {reference: dict(counts) for reference, counts in sorted(table.items())}


# --- scoring ---------------------------------------------------------------------------------


class Tally:
    """Agreement of one field: agreed / counted, and examples of disagreement."""

    def __init__(self) -> None:
        self.agreed = 0
        self.counted = 0
        self.misses: list[dict[str, Any]] = []

    def add(self, verdict: bool | None, example: dict[str, Any]) -> None:
        if verdict is None:
            return
        self.counted += 1
        self.agreed += bool(verdict)
        if not verdict and len(self.misses) < 20:
            self.misses.append(example)

    @property
    def rate(self) -> float:
        return self.agreed / self.counted if self.counted else float("nan")

    def summary(self) -> dict[str, Any]:
        return {"agreement": round(self.rate, 4), "agreed": self.agreed, "counted": self.counted}


def score_gpt(rows: dict[int, dict], labels: list[dict], scorers: dict[str, Callable]) -> dict:
    tallies = {name: Tally() for name in scorers}
    for label in labels:
        row = rows.get(int(label["id"]))
        if row is None:
            continue
        for name, scorer in scorers.items():
            tallies[name].add(scorer(label, row), {"id": label["id"]})
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (best counts)")
    parser.add_argument("--misses", action="store_true", help="print disagreeing post ids")
    args = parser.parse_args()

    folder = Path(os.environ.get(REAL_SAMPLE_ENV) or DEFAULT_REAL_SAMPLE)
    if not (folder / "posts.jsonl.gz").exists():
        sys.exit(f"bench/extraction.py: no real posts at {folder}: set {REAL_SAMPLE_ENV}")
    posts = read_jsonl(folder / "posts.jsonl.gz")
    rows = extract(posts)
    gemini_labels = read_jsonl(folder / GEMINI_LABELS)
    gpt = score_gpt(rows, read_jsonl(folder / GPT_LABELS), GPT_SCORERS)
    gpt |= score_gpt(rows, gemini_labels, GEMINI_SCORERS)
    result: dict[str, Any] = {
        "benchmark": "extraction",
        "posts": len(posts),
        "machine": f"{os.uname().machine}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "posts_per_s_one_core": round(posts_per_second(posts, args.repeat), 1),
    }
    for name, tally in gpt.items():
        result[name] = tally.summary()
        print(f"{name:>14}: {tally.rate:.1%} of {tally.counted}")
        if args.misses:
            print("    misses:", [m["id"] for m in tally.misses])
    result["technologies_f1"] = technology_f1(rows, gemini_labels)
    print(
        f"{'technologies':>14}: F1 {result['technologies_f1']['agreement']:.3f} {result['technologies_f1']}"
    )
    result["seniority_confusion"] = confusion(
        rows,
        gemini_labels,
        lambda label: gemini_seniority(label.get("experience_level")),
        lambda label, row: as_gemini_level(row["seniority"]),
    )
    result["role_family_confusion"] = confusion(
        rows,
        gemini_labels,
        lambda label: gemini_role_family(label.get("role")),
        lambda label, row: (
            gemini_role_family(label.get("role"))
            if gemini_role_family(label.get("role")) in row["role_families"]
            else row["role_families"][0]
        ),
    )
    for name in ("seniority_confusion", "role_family_confusion"):
        print(f"{name} (label -> ours):")
        for reference, counts in result[name].items():
            print(f"    {reference:>12}: {counts}")
    result["floors"] = {
        name: {"floor": floor, "holds": result.get(name, {}).get("agreement", 0) >= floor}
        for name, floor in FLOORS.items()
        if name in result
    }
    print(f"posts/s on one core: {result['posts_per_s_one_core']:,.0f}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
