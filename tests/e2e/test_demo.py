"""`make demo` as a newcomer runs it, then `make ui` on what it left behind.

The demo must tell the truth: every run belongs to a named job (none to Dagster's ephemeral
one), every asset check it ran passed, A3C beats random play on both games it shows, and the
LSTM's postings end. Then the UI, in headless Chromium: the Overview lists the runs by job, a
month's checks name the month they judged, and the vocabulary table has no blank cell.
With UPDATE_SCREENSHOTS=1 the README's screenshots in docs/screenshots/ are refreshed.

Takes about seven minutes on two cores: the demo itself (the LSTM's 150 s budget, A3C on
CartPole, the shipped Pong policy's games), then Dagster and the browser.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from hn_assets.demo import A3C_DEMO
from tests.e2e.browsing import page_text, save_screenshot, wait_in_page
from tests.e2e.harness import REPO_ROOT, DagsterDev

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1500)]

DEMO_TIMEOUT_S = 1000
STARTUP_TIMEOUT_S = 180
OVERVIEW_SCREENSHOT = "overview-runs.png"
CHECKS_SCREENSHOT = "asset-checks-month.png"
VOCABULARY_SCREENSHOT = "vocabulary-table.png"
#: Settings of the developer's shell that would send the demo elsewhere.
SCRUBBED = ("DAGSTER_HOME", "HN_SOURCE", "HN_API_URL", "HN_DATA_DIR", "RL_DATA_DIR",
            "ELASTICSEARCH_URL", "HN_LSTM_PROFILE", "HN_LSTM_MAX_SECONDS", "HN_LSTM_TRAIN_BATCHES")  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, artifacts_dir: Path) -> dict[str, Any]:
    """`make demo`'s command on a fresh DAGSTER_HOME and data dirs."""
    root = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED} | {
        "DAGSTER_HOME": str(root / "dagster_home"),
        "HN_DATA_DIR": str(root / "data"),
        "RL_DATA_DIR": str(root / "rl"),
        "PYTHONUNBUFFERED": "1",
    }
    (root / "dagster_home").mkdir()
    finished = subprocess.run(
        [sys.executable, "-m", "hn_assets.demo"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT_S,
    )
    output = finished.stdout + finished.stderr
    (artifacts_dir / "demo.log").write_text(output)
    assert finished.returncode == 0, f"make demo failed:\n{output[-4000:]}"
    return {"root": root, "env": env, "output": finished.stdout}


@pytest.fixture(scope="module")
def instance(demo: dict[str, Any]):
    opened = dg.DagsterInstance.from_config(demo["env"]["DAGSTER_HOME"])
    yield opened
    opened.dispose()


def _latest_metadata(instance: dg.DagsterInstance, asset: str, partition: str | None = None):
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(
            asset_key=dg.AssetKey(asset), asset_partitions=[partition] if partition else None
        ),
        limit=1,
    ).records
    assert records, f"the demo did not materialize {asset} {partition or ''}"
    return records[0].asset_materialization.metadata


def test_every_demo_run_belongs_to_a_named_job(instance):
    jobs = {run.job_name for run in instance.get_runs()}
    assert jobs >= {"discover_threads", "hn_month", "lstm", "a3c"}
    assert not [job for job in jobs if job.startswith("__")], f"unnamed jobs: {jobs}"


def test_every_check_the_demo_ran_passed(instance):
    evaluations = [
        record.event_log_entry.dagster_event.event_specific_data
        for record in instance.get_event_records(
            dg.EventRecordsFilter(dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        )
    ]
    checked = {e.asset_key.to_user_string() for e in evaluations}
    assert checked >= {"clean_posts", "jobs_index", "char_training_set", "generated_postings"}
    assert checked >= {"a3c_policy", "a3c_evaluation"}
    failed = [
        f"{e.asset_key.to_user_string()}[{e.partition}].{e.check_name}: {e.description}"
        for e in evaluations
        if not e.passed
    ]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("game", list(A3C_DEMO))
def test_the_a3c_policies_beat_random_play(instance, game):
    metadata = _latest_metadata(instance, "a3c_evaluation", game)
    policy, random_play = metadata["policy_mean_score"].value, metadata["random_mean_score"].value
    assert policy > random_play + 1, f"{game}: policy {policy} vs random {random_play}"


def test_the_postings_end(demo, instance):
    metadata = _latest_metadata(instance, "generated_postings")
    assert metadata["terminated"].value >= 4, f"postings that ended: {metadata['terminated']}"
    assert "postings written by the char-LSTM" in demo["output"]


def _cells_of_table_with(driver, text: str) -> list[str]:
    """The texts of the cells of the first table that contains ``text``."""
    return driver.execute_script(
        "const table = Array.from(document.querySelectorAll('table'))"
        "  .find(t => t.innerText.includes(arguments[0]));"
        "return table ? Array.from(table.querySelectorAll('td'), td => td.innerText) : null;",
        text,
    )


def test_the_ui_shows_the_demo(demo, instance, browser, artifacts_dir):
    months = sorted(instance.get_dynamic_partitions("hiring_months"))
    ui_env = {k: v for k, v in demo["env"].items() if k in ("HN_DATA_DIR", "RL_DATA_DIR")}
    dev = DagsterDev(Path(demo["env"]["DAGSTER_HOME"]), ui_env | {"HN_SOURCE": "sample"})
    try:
        dev.start()
        dev.wait_until_up(STARTUP_TIMEOUT_S)

        browser.get(f"{dev.url}/overview/activity/timeline")
        jobs = ["hn_month", "lstm", "a3c"]
        wait_in_page(
            browser,
            artifacts_dir,
            "overview",
            lambda: all(job in page_text(browser) for job in jobs),
            f"the Overview timeline to list the demo's runs by job {jobs}",
        )
        assert "No runs" not in page_text(browser)
        save_screenshot(browser, artifacts_dir, OVERVIEW_SCREENSHOT)

        browser.get(f"{dev.url}/assets/clean_posts?view=checks")
        expected = ["ids_unique", "no_html_left", months[-1]]
        wait_in_page(
            browser,
            artifacts_dir,
            "checks",
            lambda: all(text in page_text(browser) for text in expected),
            f"clean_posts' checks to show the month they judged: {expected}",
        )
        save_screenshot(browser, artifacts_dir, CHECKS_SCREENSHOT)

        browser.get(f"{dev.url}/assets/char_training_set")
        wait_in_page(
            browser,
            artifacts_dir,
            "vocabulary",
            lambda: _cells_of_table_with(browser, "<END>"),
            "the vocabulary table with its special tokens",
        )
        cells = _cells_of_table_with(browser, "<END>")
        assert cells and all(cell.strip() for cell in cells), f"blank cells in {cells[:40]}"
        save_screenshot(browser, artifacts_dir, VOCABULARY_SCREENSHOT)
    finally:
        dev.stop()
