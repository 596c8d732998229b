"""run_recovery_sensor's rules: a run whose process was killed is found and marked failed; a
failed asset run is retried after 1, 2, then 4 ticks, at most MAX_ATTEMPTS times, and then
named with its last error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest

from hn_assets.defs.recovery import (
    ATTEMPT_TAG,
    MAX_ATTEMPTS,
    RETRY_OF_TAG,
    TICK_SECONDS,
    dead_runs,
    fail_runs,
    retries_due,
    retry_request,
    run_recovery_sensor,
)
from hn_assets.defs.sensors import TRIGGER_TAG

BROKEN = {"on": True}


@dg.asset
def flaky() -> int:
    if BROKEN["on"]:
        raise ValueError("the input is broken")
    return 1


DEFS = dg.Definitions(assets=[flaky], jobs=[dg.define_asset_job("flaky_job", selection=[flaky])])


@pytest.fixture
def instance(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with dg.DagsterInstance.from_config(str(home)) as local:
        yield local


def _attempt(instance, tags: dict[str, str] | None = None) -> dg.DagsterRun:
    result = DEFS.resolve_job_def("flaky_job").execute_in_process(
        instance=instance,
        raise_on_error=False,
        asset_selection=[dg.AssetKey("flaky")],
        tags=tags or {},
    )
    return instance.get_run_by_id(result.run_id)


def _ended(instance, run: dg.DagsterRun) -> float:
    return instance.get_run_records(dg.RunsFilter(run_ids=[run.run_id]))[0].end_time


def test_failed_runs_are_retried_with_backoff_then_given_up(instance):
    BROKEN["on"] = True
    first = _attempt(instance)
    failed_at = _ended(instance, first)
    assert retries_due(instance, now=failed_at + 1) == ([], [])
    due, _ = retries_due(instance, now=failed_at + TICK_SECONDS + 1)
    assert [(r.run.run_id, r.attempt) for r in due] == [(first.run_id, 2)]
    request = retry_request(due[0])
    assert request.run_key == f"retry:{first.run_id}"
    assert request.tags[ATTEMPT_TAG] == "2" and request.tags[RETRY_OF_TAG] == first.run_id

    second = _attempt(instance, request.tags | {TRIGGER_TAG: "retry"})
    second_at = _ended(instance, second)
    # Attempt 3 waits two ticks; the first run counts as retried.
    assert retries_due(instance, now=second_at + TICK_SECONDS + 1)[0] == []
    due, _ = retries_due(instance, now=second_at + 2 * TICK_SECONDS + 1)
    assert [(r.run.run_id, r.attempt) for r in due] == [(second.run_id, 3)]

    third = _attempt(instance, retry_request(due[0]).tags)
    due, given_up = retries_due(instance, now=_ended(instance, third) + 10 * TICK_SECONDS)
    assert due == [] and len(given_up) == 1
    assert "flaky [all months]" in given_up[0] and f"failed {MAX_ATTEMPTS} times" in given_up[0]
    assert "the input is broken" in given_up[0]


def test_a_failure_fixed_since_by_another_run_is_not_retried(instance):
    BROKEN["on"] = True
    first = _attempt(instance)
    BROKEN["on"] = False
    assert _attempt(instance).status == dg.DagsterRunStatus.SUCCESS
    assert retries_due(instance, now=_ended(instance, first) + 10 * TICK_SECONDS) == ([], [])


SLOW_RUN = textwrap.dedent(
    """
    import sys, time
    import dagster as dg

    @dg.asset
    def slow() -> int:
        print("step started", flush=True)
        time.sleep(120)
        return 1

    defs = dg.Definitions(assets=[slow], jobs=[dg.define_asset_job("slow_job", selection=[slow])])
    with dg.DagsterInstance.from_config(sys.argv[1]) as instance:
        defs.resolve_job_def("slow_job").execute_in_process(
            instance=instance, asset_selection=[dg.AssetKey("slow")]
        )
    """
)


def test_a_run_whose_process_was_killed_is_found_and_marked_failed(instance, tmp_path):
    home = str(Path(instance.root_directory))
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_RUN, home], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "step started"
    (run,) = instance.get_runs()
    assert run.status == dg.DagsterRunStatus.STARTED
    assert dead_runs(instance) == []  # alive: left alone
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    assert [r.run_id for r in dead_runs(instance)] == [run.run_id]
    context = dg.build_sensor_context(instance=instance)
    result = run_recovery_sensor(context)
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
    failure = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert "process running it is gone" in failure[0].message
    assert dead_runs(instance) == []
    # Its asset is requested again one tick later, not at once.
    assert isinstance(result, dg.SkipReason) or not result.run_requests
    due, _ = retries_due(instance, now=time.time() + TICK_SECONDS + 1)
    assert [r.run.run_id for r in due] == [run.run_id]
    fail_runs(instance, [], "no-op")  # an empty list is fine
