"""Asset checks: turn the quality verdicts into Dagster check results.

Checks on the month-partitioned assets run inside the asset (``check_specs``), on the data in
hand, so each partition's result is recorded with its own materialization.
"""

from __future__ import annotations

import dagster as dg

from hn_assets.quality import Verdict


def check_result(name: str, verdict: Verdict, asset: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=name,
        passed=verdict.passed,
        severity=dg.AssetCheckSeverity.WARN if verdict.warning else dg.AssetCheckSeverity.ERROR,
        description=verdict.description,
        metadata=verdict.metadata,
    )


def specs(asset: str, checks: dict[str, str]) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(name, asset=asset, description=doc) for name, doc in checks.items()]


THREADS_CHECKS = {
    "ids_unique": "Each thread id appears once.",
}
RAW_POSTS_CHECKS = {
    "ids_unique": "Each post id appears once.",
    "parents_are_thread": "Every stored post is a top-level comment of the month's hiring thread.",
    "all_items_fetched": "Every kid of the thread was fetched (a warning: items that failed "
    "after retries are asked for again on the next run).",
}
CLEAN_POSTS_CHECKS = {
    "ids_unique": "Each post id appears once.",
    "no_html_left": "No HTML tag or entity survives cleaning (text the author typed, such as "
    "'jo <at> acme.com', is text).",
    "no_empty_text": "No alive post has empty text.",
    "alive_rows_kept": "Clean rows plus quarantined posts equal alive (not deleted, not dead) "
    "raw rows.",
    "no_quarantined_posts": "No post had to be set aside because it could not be cleaned or "
    "parsed (a warning: the month is kept without it).",
}
