"""Headless Chromium on the Dagster UI: waiting for the React app, reading it, keeping
screenshots (the README's too, with UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.harness import REPO_ROOT, StackError, wait_for

SCREENSHOTS_DIR = REPO_ROOT / "docs" / "screenshots"
UI_TIMEOUT_S = 90  # the first page load fetches the whole React app


def wait_in_page(driver, artifacts: Path, name: str, probe: Callable[[], Any], what: str) -> Any:
    """Poll the React app; on timeout keep a screenshot and the page text for the report."""
    try:
        return wait_for(
            probe,
            timeout_s=UI_TIMEOUT_S,
            interval_s=1.0,
            what=what,
            describe=lambda: "page text: " + page_text(driver)[:2000],
        )
    except StackError:
        driver.save_screenshot(str(artifacts / f"failed-{name}.png"))
        (artifacts / f"failed-{name}.html").write_text(driver.page_source)
        raise


def page_text(driver) -> str:
    return driver.execute_script("return document.body ? document.body.innerText : ''") or ""


def save_screenshot(driver, artifacts: Path, name: str) -> Path:
    path = artifacts / name
    assert driver.save_screenshot(str(path)), f"could not save {path}"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS_DIR / name)
    return path
