"""How the asset modules declare and report their checks, in one style.

Each asset module names its checks beside the asset (``specs`` in its ``check_specs``), and
reports each one from a Dagster-free :class:`~hn_assets.quality.Verdict` (``check_result``),
inside the asset, so a partition's result is recorded with its own materialization.
"""

from __future__ import annotations

from collections.abc import Collection

import dagster as dg

from hn_assets.quality import Verdict


def specs(
    asset: str,
    checks: dict[str, str],
    blocking: Collection[str] = (),
    partitions_def: dg.PartitionsDefinition | None = None,
) -> list[dg.AssetCheckSpec]:
    """One spec per ``name: description``; a ``blocking`` check that fails stops the assets
    downstream from running on this result.  A partitioned asset passes its
    ``partitions_def``: each result is then recorded for the partition it judged."""
    unknown = set(blocking) - set(checks)
    if unknown:
        raise ValueError(f"blocking checks not declared for {asset}: {sorted(unknown)}")
    return [
        dg.AssetCheckSpec(
            name,
            asset=asset,
            description=doc,
            blocking=name in blocking,
            partitions_def=partitions_def,
        )
        for name, doc in checks.items()
    ]


def check_result(name: str, verdict: Verdict, asset: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=name,
        passed=verdict.passed,
        severity=dg.AssetCheckSeverity.WARN if verdict.warning else dg.AssetCheckSeverity.ERROR,
        description=verdict.description,
        metadata=verdict.metadata,
    )
