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
        description=verdict.description,
        metadata=verdict.metadata,
    )


def specs(asset: str, checks: dict[str, str]) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(name, asset=asset, description=doc) for name, doc in checks.items()]


RAW_POSTS_CHECKS = {
    "ids_unique": "Each post id appears once.",
    "parents_are_thread": "Every stored post is a top-level comment of the month's hiring thread.",
}
CLEAN_POSTS_CHECKS = {
    "ids_unique": "Each post id appears once.",
    "no_html_left": "No HTML tag or entity survives cleaning.",
    "no_empty_text": "No alive post has empty text.",
    "alive_rows_kept": "Clean rows equal alive (not deleted, not dead) raw rows.",
}
