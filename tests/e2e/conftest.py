"""The end-to-end stack: the fake HN API, `dagster dev` on a fresh instance, headless Chromium.

The stack is module-scoped: starting Dagster costs half a minute on two cores, so the GraphQL
test and the browser test share one instance (the browser test waits for what it needs).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hn_assets.hackernews.sample_archive import SampleArchive, load_sample_archive
from tests.e2e.harness import DagsterDev
from tests.fakes.hn_server import FakeHNServer

STARTUP_TIMEOUT_S = 180
BROWSER_HELP = (
    "The Dagster UI test drives headless Chromium, and {missing} is not installed. "
    "Run `make browser` (installs Debian's chromium and chromium-driver; `make test` does it "
    "first), or set CHROMIUM_BINARY / CHROMEDRIVER to their paths."
)


@pytest.fixture(scope="module")
def hn_archive() -> SampleArchive:
    """The first month of the sample archive: one 'Who is hiring?' thread, about 230 posts."""
    return load_sample_archive().visible(1)


@pytest.fixture(scope="module")
def fake_hn(hn_archive: SampleArchive) -> Iterator[FakeHNServer]:
    # In this process, on a thread: the run workers reach it over 127.0.0.1.
    with FakeHNServer(hn_archive) as server:
        yield server


@pytest.fixture(scope="module")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots and logs: $E2E_ARTIFACTS_DIR (CI uploads it), else a pytest temp dir."""
    configured = os.environ.get("E2E_ARTIFACTS_DIR")
    path = Path(configured) if configured else tmp_path_factory.mktemp("e2e-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def dagster_stack(
    tmp_path_factory: pytest.TempPathFactory, fake_hn: FakeHNServer, artifacts_dir: Path
) -> Iterator[DagsterDev]:
    """Webserver + daemon for workspace.yaml against the fake API; every process is killed
    at the end, also when a test failed or timed out."""
    root = tmp_path_factory.mktemp("dagster-e2e")
    env = {
        "HN_SOURCE": "api",
        "HN_API_URL": fake_hn.base_url,  # ends in /v0, like the official base URL
        "HN_DATA_DIR": str(root / "data"),
        "RL_DATA_DIR": str(root / "rl"),
        # If the automation sensor reaches the textgen assets, keep their training tiny.
        "HN_LSTM_PROFILE": "small_cpu",
        "HN_LSTM_MAX_SECONDS": "10",
        "HN_LSTM_TRAIN_BATCHES": "5",
    }
    dev = DagsterDev(root / "dagster_home", env)
    try:
        dev.start()
        dev.wait_until_up(STARTUP_TIMEOUT_S)
        yield dev
    finally:
        dev.stop()
        if dev.log_path.exists():
            shutil.copyfile(dev.log_path, artifacts_dir / "dagster-dev.log")


def _executable(env_var: str, name: str) -> str | None:
    configured = os.environ.get(env_var)
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which(name)


@pytest.fixture
def browser(tmp_path: Path):
    """Headless Chromium through chromedriver; fails (not skips) when they are missing."""
    chromium = _executable("CHROMIUM_BINARY", "chromium")
    chromedriver = _executable("CHROMEDRIVER", "chromedriver")
    missing = [
        name for name, path in (("chromium", chromium), ("chromedriver", chromedriver)) if not path
    ]
    if missing:
        pytest.fail(BROWSER_HELP.format(missing=" and ".join(missing)), pytrace=False)

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1600,1000",
        f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-', dir=tmp_path)}",
    ):
        options.add_argument(argument)
    # The page's console, for tests that assert no error was logged.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        driver.set_page_load_timeout(60)
        # --window-size counts the window frame; make the page itself 1600x1000.
        frame = driver.execute_script("return window.outerHeight - window.innerHeight")
        driver.set_window_size(1600, 1000 + int(frame or 0))
        yield driver
    finally:
        driver.quit()
