"""End to end: the daemon's sensors ingest a new thread from the (fake) HN API; a run killed
with its process mid-way is marked failed and redone by run_recovery_sensor without a person;
and the Dagster UI in headless Chromium shows both code locations' lineage and the run's
metadata.

Takes about four minutes on two cores: half a minute to start Dagster, one to two minutes
for the sensor's ingest run and the automation sensor's clean_posts run, about two for the
killed run's recovery (two sensor ticks), then the browser.
Screenshots and the `dagster dev` log go to $E2E_ARTIFACTS_DIR; with UPDATE_SCREENSHOTS=1 the
README's screenshots in docs/screenshots/ are replaced too.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from hn_assets.defs.recovery import run_pid
from hn_assets.hackernews.sample_archive import SampleArchive
from tests.e2e.browsing import page_text, save_screenshot, wait_in_page
from tests.e2e.harness import DagsterDev, StackError, wait_for
from tests.fakes.hn_server import FakeHNServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(480)]

HN_ASSETS = [
    "hiring_threads",
    "raw_posts",
    "clean_posts",
    "jobs_index",
    "job_alerts",
    "char_training_set",
    "job_posting_lstm",
    "generated_postings",
]
RL_ASSETS = ["a3c_policy", "a3c_evaluation"]
ALL_ASSETS = HN_ASSETS + RL_ASSETS
LINEAGE_SCREENSHOT = "lineage-graph.png"
ASSET_PAGE_SCREENSHOT = "asset-raw-posts.png"

LOCATIONS_TIMEOUT_S = 180
INGEST_TIMEOUT_S = 240  # the sensor ticks at once; the run itself takes under a minute
CLEAN_TIMEOUT_S = 180  # the automation sensor ticks every 30 s, then one more run
RUN_TIMEOUT_S = 180
FAILED_RUN_STATES = {"FAILURE", "CANCELED", "CANCELING"}


def _tags(run: dict[str, Any]) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in run["tags"]}


def wait_for_ingest_run(dev: DagsterDev, month: str) -> dict[str, Any]:
    """The whoishiring_sensor's run for ``month``, once it succeeded; fails fast on failure."""

    def probe() -> dict[str, Any] | None:
        for run in dev.runs({"hn/trigger": "new-thread"}):
            if _tags(run).get("dagster/partition") != month:
                continue
            if run["status"] in FAILED_RUN_STATES:
                raise StackError(
                    f"ingest run {run['runId']} for {month} ended {run['status']}:\n"
                    f"{dev.run_failure(run['runId'])}\n{dev.describe()}"
                )
            if run["status"] == "SUCCESS":
                return run
        return None

    def describe() -> str:
        ticks = dev.sensor_ticks("hn_assets", "whoishiring_sensor")
        runs = [(r["runId"][:8], r["status"], _tags(r).get("hn/trigger")) for r in dev.runs()]
        return f"whoishiring_sensor ticks: {ticks}\nruns: {runs}\n{dev.describe()}"

    return wait_for(
        probe,
        timeout_s=INGEST_TIMEOUT_S,
        what=f"a successful run tagged hn/trigger=new-thread for {month}",
        describe=describe,
    )


def materialization(dev: DagsterDev, asset: str, month: str) -> dict[str, Any] | None:
    return next((m for m in dev.materializations(asset) if m["partition"] == month), None)


@pytest.fixture(scope="module")
def ingested(dagster_stack: DagsterDev, hn_archive: SampleArchive) -> dict[str, Any]:
    """Both locations loaded and the first month ingested by the sensor's run."""
    dev = dagster_stack

    def loaded() -> dict[str, str] | None:
        locations = dev.code_locations()
        done = set(locations) == {"hn_assets", "rl_assets"} and all(
            status == "LOADED" for status in locations.values()
        )
        return locations if done else None

    wait_for(
        loaded,
        timeout_s=LOCATIONS_TIMEOUT_S,
        what="code locations hn_assets and rl_assets to load",
        describe=dev.describe,
    )
    month = hn_archive.months[0]
    return {"month": month, "run": wait_for_ingest_run(dev, month)}


def test_sensor_ingests_a_new_thread_and_automation_cleans_it(
    dagster_stack: DagsterDev,
    ingested: dict[str, Any],
    fake_hn: FakeHNServer,
    hn_archive: SampleArchive,
) -> None:
    dev, month, run = dagster_stack, ingested["month"], ingested["run"]
    thread_id = hn_archive.hiring_thread_id(month)
    kids = hn_archive.items[thread_id]["kids"]

    assert set(ALL_ASSETS) <= dev.asset_keys(), dev.asset_keys()
    # The sensor added the month partition and launched the run that ingests it.
    assert dev.partition_keys("raw_posts") == [month]
    tags = _tags(run)
    assert tags.get("dagster/sensor_name") == "whoishiring_sensor", tags
    ticks = dev.sensor_ticks("hn_assets", "whoishiring_sensor", limit=20)
    assert any(run["runId"] in (tick["runIds"] or []) for tick in ticks), ticks
    assert {"/".join(key["path"]) for key in run["assetSelection"]} == {
        "hiring_threads",
        "raw_posts",
    }

    # The run's posts came from the fake API.
    raw = materialization(dev, "raw_posts", month)
    assert raw is not None, f"no raw_posts materialization for {month}\n{dev.log_tail()}"
    assert raw["runId"] == run["runId"]
    assert raw["metadata"]["total"] == len(kids)
    assert raw["metadata"]["thread_id"] == thread_id
    assert all(fake_hn.requests_for_item(kid) >= 1 for kid in kids)

    # stale_assets_sensor (automation conditions) then cleans and indexes the new month.
    clean = wait_for(
        lambda: materialization(dev, "clean_posts", month),
        timeout_s=CLEAN_TIMEOUT_S,
        what=f"stale_assets_sensor to materialize clean_posts for {month}",
        describe=lambda: _automation_state(dev),
    )
    alive = raw["metadata"]["total"] - raw["metadata"]["deleted"]
    assert clean["metadata"]["posts"] == alive
    clean_run = wait_for_run(dev, clean["runId"], what="the automation run with clean_posts")
    assert _tags(clean_run).get("dagster/sensor_name") == "stale_assets_sensor"
    index = materialization(dev, "jobs_index", month)
    alerts = materialization(dev, "job_alerts", month)
    assert index is not None and alerts is not None, _automation_state(dev)
    assert index["metadata"]["total"] == alive
    failed = [(r["runId"][:8], r["status"]) for r in dev.runs() if r["status"] in FAILED_RUN_STATES]
    assert not failed, f"runs failed: {failed}\n{_automation_state(dev)}"


LAUNCH = """mutation Launch($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename
  ... on LaunchRunSuccess { run { runId } }
  ... on PythonError { message }
  ... on InvalidSubsetError { message }
  ... on RunConfigValidationInvalid { errors { message } } } }"""
KILLED_ASSETS = ["char_training_set", "job_posting_lstm"]
RECOVERY_TIMEOUT_S = 240  # a sensor tick to mark it failed, one more to retry, then the run


def _kill_tree(pid: int) -> None:
    """kill -9 the run worker and every process it started, as a crash of the machine would."""
    subprocess.run(["pkill", "-9", "-P", str(pid)], check=False)
    os.kill(pid, signal.SIGKILL)


def test_a_run_killed_mid_way_is_marked_failed_and_redone_without_a_person(
    dagster_stack: DagsterDev, ingested: dict[str, Any]
) -> None:
    dev = dagster_stack
    launched = dev.graphql(
        LAUNCH,
        {
            "params": {
                "selector": {
                    "repositoryLocationName": "hn_assets",
                    "repositoryName": "__repository__",
                    "jobName": "__ASSET_JOB",
                    "assetSelection": [{"path": [asset]} for asset in KILLED_ASSETS],
                },
                "runConfigData": {},
                "executionMetadata": {"tags": [{"key": "hn/trigger", "value": "e2e"}]},
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    with dg.DagsterInstance.from_config(str(dev.home)) as instance:

        def training() -> int | None:
            run = instance.get_run_by_id(run_id)
            if run is None or run.status != dg.DagsterRunStatus.STARTED:
                return None
            started = instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START)
            if not any(record.step_key == "job_posting_lstm" for record in started):
                return None
            return run_pid(instance, run_id)

        pid = wait_for(
            training, timeout_s=RUN_TIMEOUT_S, what="the LSTM step to start", describe=dev.describe
        )
        _kill_tree(pid)

    def failed() -> dict[str, Any] | None:
        run = next((r for r in dev.runs() if r["runId"] == run_id), None)
        return run if run and run["status"] == "FAILURE" else None

    wait_for(
        failed,
        timeout_s=RECOVERY_TIMEOUT_S,
        # Dagster's run monitoring (on in the instance) or run_recovery_sensor, whichever
        # looks first: both ask whether the run's process still exists.
        what="the killed run to be marked failed",
        describe=lambda: str(dev.sensor_ticks("hn_assets", "run_recovery_sensor")),
    )

    def retried() -> dict[str, Any] | None:
        for run in dev.runs({"hn/retry_of": run_id}):
            if run["status"] in FAILED_RUN_STATES:
                raise StackError(f"the retry failed:\n{dev.run_failure(run['runId'])}")
            if run["status"] == "SUCCESS":
                return run
        return None

    retry = wait_for(
        retried,
        timeout_s=RECOVERY_TIMEOUT_S,
        what="run_recovery_sensor's retry of the killed run to succeed",
        describe=lambda: str(dev.sensor_ticks("hn_assets", "run_recovery_sensor")),
    )
    assert {"/".join(key["path"]) for key in retry["assetSelection"]} == set(KILLED_ASSETS)
    model = dev.materializations("job_posting_lstm", limit=1)
    assert model and model[0]["runId"] == retry["runId"]


def _automation_state(dev: DagsterDev) -> str:
    ticks = dev.sensor_ticks("hn_assets", "stale_assets_sensor")
    runs = [(r["runId"][:8], r["status"], r["assetSelection"]) for r in dev.runs()]
    return f"stale_assets_sensor ticks: {ticks}\nruns: {runs}\n{dev.describe()}"


def wait_for_run(dev: DagsterDev, run_id: str, what: str) -> dict[str, Any]:
    """The run once it succeeded; fails at once with its errors when it failed."""

    def probe() -> dict[str, Any] | None:
        run = next((r for r in dev.runs() if r["runId"] == run_id), None)
        if run and run["status"] in FAILED_RUN_STATES:
            raise StackError(
                f"{what} ({run_id}) ended {run['status']}:\n{dev.run_failure(run_id)}\n"
                f"{dev.describe()}"
            )
        return run if run and run["status"] == "SUCCESS" else None

    return wait_for(
        probe, timeout_s=RUN_TIMEOUT_S, what=f"{what} to succeed", describe=dev.describe
    )


def _graph_labels(driver) -> set[str]:
    """Texts of the asset graph's nodes (rendered as HTML inside the graph's SVG)."""
    texts = driver.execute_script(
        "return Array.from(document.querySelectorAll('svg foreignObject'))"
        ".flatMap(node => Array.from(node.children, child => child.innerText || ''))"
    )
    return {line.strip() for text in texts or [] for line in text.splitlines() if line.strip()}


def _wait_for_layout(driver, artifacts: Path) -> None:
    """The graph zooms to fit after expanding: wait until the nodes stop moving."""
    script = (
        "return Array.from(document.querySelectorAll('svg foreignObject'))"
        ".map(node => JSON.stringify(node.getBoundingClientRect())).join()"
    )
    seen: list[str] = []

    def settled() -> bool:
        seen.append(driver.execute_script(script))
        return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]

    wait_in_page(driver, artifacts, "lineage-layout", settled, "the lineage graph to settle")


def test_ui_shows_both_locations_lineage_and_run_metadata(
    browser,  # first: a missing Chromium fails before Dagster starts
    dagster_stack: DagsterDev,
    ingested: dict[str, Any],
    artifacts_dir: Path,
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    dev, month = dagster_stack, ingested["month"]
    raw = materialization(dev, "raw_posts", month)
    assert raw is not None

    # Global asset lineage: groups start collapsed; Alt+E is the UI's "Expand all groups".
    browser.get(f"{dev.url}/asset-groups")
    groups = {"ingest", "search", "textgen", "rl"}
    wait_in_page(
        browser,
        artifacts_dir,
        "lineage-groups",
        lambda: groups <= _graph_labels(browser) or set(ALL_ASSETS) <= _graph_labels(browser),
        f"the lineage graph to show the groups {sorted(groups)}",
    )
    # Hide the asset tree beside the graph: the graph then fits the whole width.
    sidebar_toggles = browser.find_elements(
        By.XPATH,
        "//input[starts-with(@placeholder, 'Jump to')]"
        "/following::button[1][.//*[starts-with(@aria-label, 'panel_')]]",
    )
    if sidebar_toggles:
        sidebar_toggles[0].click()
    if not set(ALL_ASSETS) <= _graph_labels(browser):
        ActionChains(browser).key_down(Keys.ALT).send_keys("e").key_up(Keys.ALT).perform()
    wait_in_page(
        browser,
        artifacts_dir,
        "lineage-assets",
        lambda: set(ALL_ASSETS) <= _graph_labels(browser),
        f"the lineage graph to show every asset of both code locations: {ALL_ASSETS}",
    )
    _wait_for_layout(browser, artifacts_dir)
    save_screenshot(browser, artifacts_dir, LINEAGE_SCREENSHOT)

    # The materialized asset's page shows the run's metadata.
    browser.get(f"{dev.url}/assets/raw_posts")
    expected = ["requests_made", "total", "thread_id", month, str(raw["metadata"]["total"])]
    wait_in_page(
        browser,
        artifacts_dir,
        "asset-page",
        lambda: all(text in page_text(browser) for text in expected),
        f"the raw_posts page to show its latest materialization's metadata {expected}",
    )
    save_screenshot(browser, artifacts_dir, ASSET_PAGE_SCREENSHOT)
