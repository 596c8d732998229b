"""Shared fixtures: an isolated data dir and Dagster instance per test, the sample archive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's ./data or DAGSTER_HOME, or reaches the live API."""
    monkeypatch.setenv("HN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HN_SOURCE", "sample")
    monkeypatch.delenv("HN_API_URL", raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance
