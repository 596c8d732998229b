"""Runs whose process died, and runs that failed: noticed, marked, and tried again.

A run whose worker process is killed (``kill -9``, a reboot, an out-of-memory kill) stays
"started" in the instance for ever: Dagster's run monitoring can only ask launchers that
report worker health, and the local default launcher does not. Every run records the pid of
the process executing its steps, so on the machine that ran it a dead process is plain to see.

``run_recovery_sensor`` (the daemon path; ``hn-jobs refresh`` does the same for its own runs)
marks such runs failed with the reason, and re-requests the assets of failed runs with a
bounded backoff: after 1, 2, then 4 ticks, at most ``MAX_ATTEMPTS`` attempts in all; then it
says which assets, which partition and what the last error was, and leaves them to a person.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
from dagster._core.launcher.default_run_launcher import DefaultRunLauncher
from dagster._utils.error import SerializableErrorInfo

from hn_assets.defs.sensors import TRIGGER_TAG

TICK_SECONDS = 60
#: Attempts per failed run chain, the first one included.
MAX_ATTEMPTS = 3
#: Ticks to wait before attempt 2, 3, ...: doubling, so a broken input is not hammered.
BACKOFF_TICKS = (1, 2, 4)
#: Failed runs older than this are history, not something to retry.
LOOKBACK_SECONDS = 24 * 3600
ATTEMPT_TAG = "hn/attempt"
RETRY_OF_TAG = "hn/retry_of"
IN_PROGRESS = [dg.DagsterRunStatus.STARTED]
_PID = re.compile(r"\(pid: (\d+)\)")


def run_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid of the process that executes the run's steps, from its first engine event."""
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        event = record.dagster_event
        data = event.engine_event_data if event is not None else None
        pid = data.metadata.get("pid") if data is not None else None
        if pid is not None:
            return int(pid.value)
        match = _PID.search(record.message or "")
        if match:
            return int(match.group(1))
    return None


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def dead_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    """Started runs whose step process no longer exists on this machine.

    Only with the default (local) run launcher, whose runs execute on this machine; other
    launchers report worker health to Dagster's own run monitoring.
    """
    if not isinstance(instance.run_launcher, DefaultRunLauncher):
        return []
    dead = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS)):
        pid = run_pid(instance, run.run_id)
        if pid is not None and not process_alive(pid):
            dead.append(run)
    return dead


def fail_runs(instance: dg.DagsterInstance, runs: list[dg.DagsterRun], reason: str) -> None:
    for run in runs:
        instance.report_run_failed(run, message=reason)


@dataclass(frozen=True)
class Retry:
    run: dg.DagsterRun
    attempt: int  # the attempt the retry will be
    due_at: float  # Unix time from which it may start


def error_message(error: SerializableErrorInfo) -> str:
    """An error's message without the ``package.module.Class:`` prefix Dagster adds."""
    message = " ".join(error.message.split())
    prefix, _, rest = message.partition(": ")
    if rest and prefix.rsplit(".", 1)[-1] == error.cls_name:
        message = rest
    return message or error.cls_name


def failure_reason(events: Iterable[dg.DagsterEvent], run_id: str) -> str:
    """The first failure's own message, on one line: a ``dg.Failure``'s description, or the
    user's error inside Dagster's wrapper (the run's own failure event says only which step)."""
    events = list(events)
    for event in events:
        if not event.is_step_failure:
            continue
        data = event.step_failure_data
        if data.user_failure_data is not None and data.user_failure_data.description:
            return f"{event.step_key}: {data.user_failure_data.description}"
        error = data.error
        while error is not None and error.cause is not None and "Dagster" in error.cls_name:
            error = error.cause
        if error is not None:
            return f"{event.step_key}: {error_message(error)}"
    for event in events:
        error = getattr(event.event_specific_data, "error", None)
        if error is not None:
            return error_message(error)
    for event in events:
        if event.message and event.event_type == dg.DagsterEventType.RUN_FAILURE:
            return " ".join(event.message.split())
    return f"run {run_id} failed; open it in the Dagster UI (make ui) for details"


def _failure_message(instance: dg.DagsterInstance, run_id: str) -> str:
    events = [record.dagster_event for record in instance.all_logs(run_id) if record.dagster_event]
    return failure_reason(events, run_id)[:300]


def _superseded(instance: dg.DagsterInstance, run: dg.DagsterRun, failed_at: float) -> bool:
    """Every asset of the run has been materialized since it failed (by another run)."""
    partition = run.tags.get("dagster/partition")
    for key in run.asset_selection or ():
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(
                asset_key=key, asset_partitions=[partition] if partition else None
            ),
            limit=1,
        ).records
        if not records or records[0].timestamp < failed_at:
            return False
    return bool(run.asset_selection)


def retries_due(
    instance: dg.DagsterInstance, now: float | None = None
) -> tuple[list[Retry], list[str]]:
    """Failed asset runs to try again now, and one line for each chain that is given up."""
    now = time.time() if now is None else now
    records = instance.get_run_records(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.FAILURE],
            updated_after=datetime.fromtimestamp(now - LOOKBACK_SECONDS, UTC),
        ),
        limit=500,
    )
    retried = {
        run.tags[RETRY_OF_TAG]
        for run in instance.get_runs(filters=dg.RunsFilter(tags={TRIGGER_TAG: "retry"}))
        if RETRY_OF_TAG in run.tags
    }
    due: list[Retry] = []
    given_up: list[str] = []
    for record in records:
        run = record.dagster_run
        failed_at = record.end_time or record.update_timestamp.timestamp()
        if not run.asset_selection:
            continue
        if run.run_id in retried or _superseded(instance, run, failed_at):
            continue
        attempt = int(run.tags.get(ATTEMPT_TAG, "1")) + 1
        assets = ", ".join(sorted(key.to_user_string() for key in run.asset_selection))
        where = run.tags.get("dagster/partition") or "all months"
        if attempt > MAX_ATTEMPTS:
            given_up.append(
                f"{assets} [{where}] failed {MAX_ATTEMPTS} times; last error: "
                f"{_failure_message(instance, run.run_id)} (run {run.run_id[:8]}): fix the "
                "cause and materialize it from the UI or with `hn-jobs refresh`"
            )
            continue
        wait = BACKOFF_TICKS[min(attempt - 2, len(BACKOFF_TICKS) - 1)] * TICK_SECONDS
        due.append(Retry(run, attempt, failed_at + wait))
    return [r for r in due if r.due_at <= now], given_up


def retry_request(retry: Retry) -> dg.RunRequest:
    run = retry.run
    return dg.RunRequest(
        run_key=f"retry:{run.run_id}",
        partition_key=run.tags.get("dagster/partition"),
        asset_selection=sorted(run.asset_selection or (), key=lambda k: k.to_user_string()),
        run_config=run.run_config,
        tags={TRIGGER_TAG: "retry", RETRY_OF_TAG: run.run_id, ATTEMPT_TAG: str(retry.attempt)},
    )


@dg.sensor(
    minimum_interval_seconds=TICK_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    asset_selection=dg.AssetSelection.all(),
    description="Marks failed the runs whose process died, and retries failed asset runs "
    f"after 1, 2, 4 ticks, at most {MAX_ATTEMPTS} attempts.",
)
def run_recovery_sensor(context: dg.SensorEvaluationContext):
    dead = dead_runs(context.instance)
    fail_runs(
        context.instance,
        dead,
        "The process running it is gone (killed or crashed): marked failed by "
        "run_recovery_sensor, which requests its assets again.",
    )
    due, given_up = retries_due(context.instance)
    for line in given_up:
        context.log.warning(line)
    if not due:
        return dg.SkipReason(
            f"{len(dead)} dead run(s) marked failed; nothing to retry now"
            + (f"; given up: {'; '.join(given_up)}" if given_up else "")
        )
    return dg.SensorResult(run_requests=[retry_request(retry) for retry in due])
