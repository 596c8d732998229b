"""`hn-jobs refresh`: what the sensors and the automation daemon do, in one process.

1. discover threads (``hiring_threads``), which registers new month partitions;
2. fetch new posts (``raw_posts``) for the months asked for, or else for months never fetched,
   months whose last fetch left posts behind, and the open months (the latest two: posts keep
   arriving for a few weeks);
3. evaluate the assets' automation conditions and materialize exactly what they request,
   until nothing is stale; then try once more what failed at its previous attempt.

Every step runs on its own: a month that fails is recorded (month, step, status, reason, run
id) and the other months go on. The report's exit code is 1 when any step failed, else 0.

The automation cursor is kept in the Dagster instance's run storage directory so that
"changed since the previous evaluation" means the same here as in the daemon.
"""

from __future__ import annotations

import os
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import dagster as dg

from hn_assets import settings
from hn_assets.defs.jobs import asset_keys, runs_by_job
from hn_assets.defs.launch import execute_job
from hn_assets.defs.partitions import HIRING_MONTHS
from hn_assets.defs.recovery import dead_runs, failure_reason
from hn_assets.defs.sensors import OPEN_MONTHS, TRIGGER_TAG, unfetched_count
from hn_assets.errors import ConfigError
from hn_assets.locks import exclusive
from hn_assets.quarantine import describe_error
from hn_assets.storage import atomic_write_text

# Output data versions and in-process automation evaluation are beta APIs, used knowingly.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

MAX_AUTOMATION_ROUNDS = 10
#: Dagster's console log stays quiet unless asked (HN_LOG_LEVEL or --verbose): the refresh
#: prints its own one-line progress and a summary, and every event is in the instance anyway.
QUIET_LOG_LEVEL = "CRITICAL"
HN_LOCATION = "hn_assets"  # workspace.yaml's name for this code location
REFRESH_LOCK_FILE = "hn_refresh.lock"
#: The instance settings a new DAGSTER_HOME gets (the Makefile copies the same file).
INSTANCE_TEMPLATE = Path(__file__).resolve().parent / "dagster.yaml"
IN_PROGRESS_STATUSES = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
MAX_REASON_CHARS = 160  # in the summary table
MAX_LOGGED_REASON_CHARS = 1000  # on the line printed when a step fails

Log = Callable[[str], None]


class Status:
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StepOutcome:
    """One run of the refresh: which month, which assets, how it ended and why."""

    month: str | None  # None: not partitioned (every month)
    step: str
    status: str
    reason: str = ""
    run_id: str | None = None
    materialized: tuple[str, ...] = ()  # assets the run materialized, even when it failed


@dataclass
class RefreshReport:
    new_months: list[str] = field(default_factory=list)
    fetched_months: list[str] = field(default_factory=list)
    materialized: list[str] = field(default_factory=list)
    steps: list[StepOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[StepOutcome]:
        return [step for step in self.steps if step.status == Status.FAILED]

    @property
    def warnings(self) -> list[StepOutcome]:
        return [step for step in self.steps if step.status == Status.WARNING]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self) -> str:
        return (
            f"new months: {', '.join(self.new_months) or 'none'}; "
            f"fetched: {', '.join(self.fetched_months) or 'none'}; "
            f"materialized: {', '.join(self.materialized) or 'nothing (all fresh)'}"
        )

    def table(self) -> str:
        """The steps as a plain-text table: month, step, status, reason, run id."""
        header = ("month", "step", "status", "reason", "run")
        rows = [
            (
                step.month or "all",
                step.step,
                step.status,
                _one_line(step.reason, MAX_REASON_CHARS),
                (step.run_id or "")[:8],
            )
            for step in self.steps
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            for row in [header, *rows]
        ]
        return "\n".join(line.rstrip() for line in lines)


def _one_line(text: str, limit: int) -> str:
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def console_log_level(verbose: bool = False) -> str:
    """HN_LOG_LEVEL when set; INFO with --verbose; else quiet."""
    return settings.HN_LOG_LEVEL.read() or ("INFO" if verbose else QUIET_LOG_LEVEL)


def dagster_home() -> Path:
    """DAGSTER_HOME (default ./.dagster_home), created and checked to be writable."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(Path(".dagster_home").resolve())))
    settings.check_writable(str(home), "DAGSTER_HOME")
    return home


def default_instance() -> dg.DagsterInstance:
    """The persistent instance at DAGSTER_HOME (default ./.dagster_home)."""
    config = dagster_home() / "dagster.yaml"
    if not config.exists() or not config.read_text().strip():
        atomic_write_text(config, INSTANCE_TEMPLATE.read_text())
    return dg.DagsterInstance.get()


@contextmanager
def refresh_lock(log: Log = print, timeout_s: float | None = None) -> Iterator[None]:
    """One refresh at a time per DAGSTER_HOME; a second one says who runs and waits its turn.

    Taken before the instance is opened, so two first refreshes cannot race to create it.
    """
    with exclusive(dagster_home() / REFRESH_LOCK_FILE, "hn-jobs refresh", log, timeout_s):
        yield


def fail_dead_runs(instance: dg.DagsterInstance, log: Log = print) -> list[str]:
    """Mark failed the runs whose process is gone: refresh runs still recorded as in progress
    (called with the refresh lock held, so no live refresh owns them) and any run whose step
    process no longer exists on this machine. Their assets then count as failed, and this
    refresh tries them again."""
    runs = {
        run.run_id: run
        for run in instance.get_runs(
            filters=dg.RunsFilter(statuses=IN_PROGRESS_STATUSES, tags={TRIGGER_TAG: "refresh"})
        )
    }
    runs |= {run.run_id: run for run in dead_runs(instance)}
    for run in runs.values():
        instance.report_run_failed(
            run,
            message="The process running it is gone (killed or crashed): marked failed by "
            "`hn-jobs refresh`, which materializes its assets again.",
        )
        log(f"run {run.run_id[:8]} died with its process; its assets will be redone")
    return list(runs)


class Refresher:
    """Runs the refresh's steps against one instance, recording each outcome."""

    def __init__(
        self,
        defs: dg.Definitions,
        instance: dg.DagsterInstance,
        log: Log = print,
        log_level: str = QUIET_LOG_LEVEL,
    ) -> None:
        self.defs = defs
        self.instance = instance
        self.log = log
        self.log_level = log_level
        self.report = RefreshReport()

    def run(self, keys: list[str], partition: str | None, step: str | None = None) -> StepOutcome:
        """Materialize ``keys`` for ``partition``, one run per named job that holds some of
        them (in the jobs' order); never raises for a failed run.  The outcome is the last
        run's, with everything the runs materialized; every run is in the report."""
        outcome = StepOutcome(partition, step or ", ".join(keys), Status.SKIPPED)
        made: list[str] = []
        for job_name, job_keys in runs_by_job(self.defs, keys, partition is not None):
            outcome = self._run_job(job_name, job_keys, partition, step)
            made.extend(outcome.materialized)
            if outcome.status == Status.FAILED:
                break  # a later job reads what this one was to make
        return replace(outcome, materialized=tuple(dict.fromkeys(made)))

    def _run_job(
        self, job_name: str, keys: list[str], partition: str | None, step: str | None
    ) -> StepOutcome:
        step = step or ", ".join(keys)
        try:
            result = execute_job(
                self.defs,
                job_name,
                HN_LOCATION,
                self.instance,
                partition_key=partition,
                asset_selection=asset_keys(keys),
                run_config={"loggers": {"console": {"config": {"log_level": self.log_level}}}},
                tags={TRIGGER_TAG: "refresh"},
            )
        except (KeyboardInterrupt, ConfigError):
            raise
        except Exception as error:  # noqa: BLE001 - one step never stops the others
            outcome = StepOutcome(partition, step, Status.FAILED, describe_error(error))
        else:
            outcome = _outcome(result, partition, step)
        self.report.steps.append(outcome)
        if outcome.status == Status.FAILED:
            where = partition or "all months"
            reason = _one_line(outcome.reason, MAX_LOGGED_REASON_CHARS)
            self.log(f"failed: {outcome.step} for {where}: {reason}")
        return outcome

    def materialize_stale(self) -> list[str]:
        """Evaluate automation conditions and run what they request, until nothing is."""
        cursor_file = _cursor_path(self.instance)
        cursor = dg.deserialize_value(cursor_file.read_text()) if cursor_file.exists() else None
        done: list[str] = []
        for _ in range(MAX_AUTOMATION_ROUNDS):
            evaluation = dg.evaluate_automation_conditions(
                defs=self.defs, instance=self.instance, cursor=cursor
            )
            cursor = evaluation.cursor
            if evaluation.total_requested == 0:
                atomic_write_text(cursor_file, dg.serialize_value(cursor))
                break
            by_partition: dict[str | None, list[str]] = defaultdict(list)
            for result in evaluation.results:
                key = result.key
                if not isinstance(key, dg.AssetKey):
                    continue
                for partition in evaluation.get_requested_partitions(key):
                    by_partition[partition].append(key.to_user_string())
            done.extend(self._run_groups(by_partition))
            # Saved only once the runs are done: a refresh killed in between evaluates again
            # from the previous cursor, so nothing it had requested is taken as handled.
            atomic_write_text(cursor_file, dg.serialize_value(cursor))
        return done

    def failed_partitions(self) -> set[tuple[str | None, str]]:
        """(month or None, asset) whose latest attempt failed after any materialization."""
        graph = self.defs.resolve_asset_graph()
        months = self.instance.get_dynamic_partitions(HIRING_MONTHS)
        failed: set[tuple[str | None, str]] = set()
        for key in graph.materializable_asset_keys:
            partitions_def = graph.get(key).partitions_def
            if partitions_def is None:
                if _latest_attempt_failed(self.instance, key):
                    failed.add((None, key.to_user_string()))
                continue
            if not months:
                continue
            statuses = self.instance.get_status_by_partition(key, months, partitions_def) or {}
            failed |= {
                (month, key.to_user_string())
                for month, status in statuses.items()
                if status is not None and status.value == "FAILED"
            }
        return failed

    def retry(self, failed: set[tuple[str | None, str]]) -> list[str]:
        """Try once more what had failed before this refresh and is still failed (a bad
        saved-searches file since fixed, a backend that was down): one run per month."""
        by_partition: dict[str | None, list[str]] = defaultdict(list)
        for partition, key in sorted(failed & self.failed_partitions(), key=str):
            by_partition[partition].append(key)
        return self._run_groups(by_partition)

    def _run_groups(self, by_partition: dict[str | None, list[str]]) -> list[str]:
        done: list[str] = []
        # Months first: the unpartitioned assets (training set, model) read every month.
        for partition in sorted(by_partition, key=lambda p: (p is None, p or "")):
            keys = by_partition[partition]
            self.log(f"materializing {', '.join(keys)} for {partition or 'all months'}")
            made = self.run(keys, partition).materialized
            done.extend(f"{k}[{partition}]" if partition else k for k in made)
        return done


def _outcome(result: dg.JobExecutionResult, partition: str | None, step: str) -> StepOutcome:
    made = tuple(
        dict.fromkeys(
            event.asset_key.to_user_string()
            for event in result.get_asset_materialization_events()
            if event.asset_key is not None
        )
    )
    if not result.success:
        reason = failure_reason(result.all_events, result.run_id)
        return StepOutcome(partition, step, Status.FAILED, reason, result.run_id, made)
    failed_checks = [c for c in result.get_asset_check_evaluations() if not c.passed]
    blocking = [c for c in failed_checks if c.severity == dg.AssetCheckSeverity.ERROR]
    if not failed_checks:
        return StepOutcome(partition, step, Status.OK, "", result.run_id, made)
    reason = "; ".join(
        f"{c.asset_key.to_user_string()}.{c.check_name}: {c.description or 'failed'}"
        for c in failed_checks
    )
    status = Status.FAILED if blocking else Status.WARNING
    return StepOutcome(partition, step, status, reason, result.run_id, made)


def _cursor_path(instance: dg.DagsterInstance) -> Path:
    return Path(instance.root_directory) / "hn_refresh_automation_cursor.json"


def refresh(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    month: str | None = None,
    log: Log = print,
    log_level: str = QUIET_LOG_LEVEL,
) -> RefreshReport:
    """One refresh; a failed step is recorded in the report, and the others go on.

    Raises :class:`ConfigError` only for a month that has no thread.
    """
    refresher = Refresher(defs, instance, log, log_level)
    report = refresher.report
    fail_dead_runs(instance, log)
    failed_before = refresher.failed_partitions()
    before = set(instance.get_dynamic_partitions(HIRING_MONTHS))
    log("discovering whoishiring threads")
    discovery = refresher.run(["hiring_threads"], None, step="discover threads")
    months = sorted(instance.get_dynamic_partitions(HIRING_MONTHS))
    report.new_months = [m for m in months if m not in before]
    if month is not None and month not in months:
        raise ConfigError(
            f"month {month!r} has no 'Who is hiring?' thread; known months: {', '.join(months) or 'none'}"
        )
    targets = [month] if month is not None else _months_to_fetch(instance, months)
    for target in targets:
        if discovery.status == Status.FAILED:
            # The API did not answer the discovery: asking it for every month would only wait
            # out every retry again. Local work below still runs.
            report.steps.append(
                StepOutcome(target, "fetch posts", Status.SKIPPED, "thread discovery failed")
            )
            continue
        log(f"fetching new posts for {target}")
        if refresher.run(["raw_posts"], target, step="fetch posts").status != Status.FAILED:
            report.fetched_months.append(target)
    report.materialized = refresher.materialize_stale()
    report.materialized += refresher.retry(failed_before)
    return report


def _latest_attempt_failed(instance: dg.DagsterInstance, key: dg.AssetKey) -> bool:
    records = instance.get_asset_records([key])
    if not records or records[0].asset_entry.last_run_id is None:
        return False
    entry = records[0].asset_entry
    materialized = entry.last_materialization_record
    if materialized is not None and materialized.run_id == entry.last_run_id:
        return False
    run = instance.get_run_by_id(entry.last_run_id)
    return run is not None and run.status == dg.DagsterRunStatus.FAILURE


def _months_to_fetch(instance: dg.DagsterInstance, months: list[str]) -> list[str]:
    """Months never fetched, months whose last fetch left posts behind, and the open months."""
    targets = set(months[-OPEN_MONTHS:])
    for month in months:
        latest = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("raw_posts"), asset_partitions=[month]),
            limit=1,
        ).records
        if not latest or unfetched_count(latest[0]) > 0:
            targets.add(month)
    return sorted(targets)
