"""`hn-jobs refresh`: what the sensors and the automation daemon do, in one process.

1. discover threads (``hiring_threads``), which registers new month partitions;
2. fetch new posts (``raw_posts``) for the months asked for, or else for months never fetched
   plus the open months (the latest two: posts keep arriving for a few weeks);
3. evaluate the assets' automation conditions and materialize exactly what they request,
   until nothing is stale.

The automation cursor is kept in the Dagster instance's run storage directory so that
"changed since the previous evaluation" means the same here as in the daemon.
"""

from __future__ import annotations

import os
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from hn_assets.partitions import HIRING_MONTHS

# Output data versions and in-process automation evaluation are beta APIs, used knowingly.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

OPEN_MONTHS = 2
MAX_AUTOMATION_ROUNDS = 10
CONSOLE_LOG_LEVEL = os.environ.get("HN_LOG_LEVEL", "WARNING")

Log = Callable[[str], None]


@dataclass
class RefreshReport:
    new_months: list[str] = field(default_factory=list)
    fetched_months: list[str] = field(default_factory=list)
    materialized: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"new months: {', '.join(self.new_months) or 'none'}; "
            f"fetched: {', '.join(self.fetched_months) or 'none'}; "
            f"materialized: {', '.join(self.materialized) or 'nothing (all fresh)'}"
        )


def default_instance() -> dg.DagsterInstance:
    """The persistent instance at DAGSTER_HOME (default ./.dagster_home)."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(Path(".dagster_home").resolve())))
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").touch(exist_ok=True)
    return dg.DagsterInstance.get()


def _run(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    keys: list[str],
    partition: str | None,
    run_config: dict | None = None,
) -> None:
    result = dg.materialize(
        list(defs.assets or []),
        instance=instance,
        partition_key=partition,
        resources=defs.resources,
        # The console shows warnings only; every event is still in the instance's event log.
        run_config={"loggers": {"console": {"config": {"log_level": CONSOLE_LOG_LEVEL}}}}
        | (run_config or {}),
        tags={"hn/trigger": "refresh"},
        selection=keys,
    )
    if not result.success:
        raise RuntimeError(
            f"materializing {keys} for {partition or 'all months'} failed; see the run in the Dagster UI"
        )


def _cursor_path(instance: dg.DagsterInstance) -> Path:
    return Path(instance.root_directory) / "hn_refresh_automation_cursor.json"


def materialize_stale(
    defs: dg.Definitions, instance: dg.DagsterInstance, log: Log = print
) -> list[str]:
    """Evaluate automation conditions and run what they request, until nothing is requested."""
    cursor_file = _cursor_path(instance)
    cursor = dg.deserialize_value(cursor_file.read_text()) if cursor_file.exists() else None
    done: list[str] = []
    for _ in range(MAX_AUTOMATION_ROUNDS):
        evaluation = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
        cursor = evaluation.cursor
        cursor_file.write_text(dg.serialize_value(cursor))
        if evaluation.total_requested == 0:
            break
        by_partition: dict[str | None, list[str]] = defaultdict(list)
        for result in evaluation.results:
            key = result.key
            if not isinstance(key, dg.AssetKey):
                continue
            for partition in evaluation.get_requested_partitions(key):
                by_partition[partition].append(key.to_user_string())
        # Months first: the unpartitioned assets (training set, model) read every month.
        for partition in sorted(by_partition, key=lambda p: (p is None, p or "")):
            keys = by_partition[partition]
            log(f"materializing {', '.join(keys)} for {partition or 'all months'}")
            _run(defs, instance, keys, partition)
            done.extend(f"{k}[{partition}]" if partition else k for k in keys)
    return done


def refresh(
    defs: dg.Definitions, instance: dg.DagsterInstance, month: str | None = None, log: Log = print
) -> RefreshReport:
    report = RefreshReport()
    before = set(instance.get_dynamic_partitions(HIRING_MONTHS))
    log("discovering whoishiring threads")
    _run(defs, instance, ["hiring_threads"], None)
    months = sorted(instance.get_dynamic_partitions(HIRING_MONTHS))
    report.new_months = [m for m in months if m not in before]
    if month is not None:
        if month not in months:
            raise ValueError(
                f"month {month!r} has no 'Who is hiring?' thread; known months: {', '.join(months) or 'none'}"
            )
        targets = [month]
    else:
        fetched = {m for m in months if _has_partition(instance, "raw_posts", m)}
        targets = sorted({m for m in months if m not in fetched} | set(months[-OPEN_MONTHS:]))
    for target in targets:
        log(f"fetching new posts for {target}")
        _run(defs, instance, ["raw_posts"], target)
    report.fetched_months = targets
    report.materialized = materialize_stale(defs, instance, log)
    return report


def _has_partition(instance: dg.DagsterInstance, asset: str, partition: str) -> bool:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[partition]), limit=1
    )
    return bool(records.records)
