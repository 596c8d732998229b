"""No rl test reads or writes the developer's runs (./data/rl) or the shipped policies."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_rl_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RL_DATA_DIR", str(tmp_path / "rl-data"))
    monkeypatch.setenv("RL_POLICIES_DIR", str(tmp_path / "rl-policies"))
