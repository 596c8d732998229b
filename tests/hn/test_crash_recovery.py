"""`kill -9` of `hn-jobs refresh` in the middle of a month, then one plain refresh: the data,
the index and the alerts are those of a refresh that was never interrupted, and the killed run
is marked failed instead of staying "in progress" for ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

import hn_assets.defs.definitions as definitions
from hn_assets.cli import main
from hn_assets.defs.definitions import build_definitions
from hn_assets.defs.resources import LSTMTrainingResource
from hn_assets.search.local_index import LocalIndex
from hn_assets.storage import ParquetStore

ROOT = Path(__file__).resolve().parents[2]
MONTHS = "2"
SMALL_TRAINER = LSTMTrainingResource(
    hidden=48, layers=1, batch_size=32, max_epochs=1, limit_train_batches=30, bpc_ceiling=8.0
)


def _home(path: Path) -> Path:
    path.mkdir(parents=True)
    # Dagster's one-time telemetry notice is not part of what these tests read.
    (path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return path


def _point_at(monkeypatch, home: Path, data: Path) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("HN_DATA_DIR", str(data))


def _kill_when(env: dict[str, str], marker: str) -> None:
    """Run `hn-jobs refresh` with Dagster's event log on, and kill -9 it as soon as a line of
    its output holds ``marker`` (a step starting: its run is then in progress)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hn_assets.cli", "refresh"],
        cwd=ROOT,
        env=env | {"HN_LOG_LEVEL": "DEBUG", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if marker in line:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, f"never printed {marker!r}"


def _state(data: Path) -> dict:
    tables = ParquetStore(data)
    months = sorted(p.stem for p in (data / "clean_posts").glob("*.parquet"))
    clean = {m: tables.read("clean_posts", m).sort_values("id", ignore_index=True) for m in months}
    with LocalIndex(data / "index") as index:
        indexed = {m: index.ids_for_month(m) for m in months}
        total = index.count()
    alerts = {p.name: p.read_text() for p in sorted((data / "alerts").glob("*.state.json"))}
    return {"months": months, "clean": clean, "indexed": indexed, "total": total, "alerts": alerts}


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", ["- raw_posts - STEP_START", "- jobs_index - STEP_START"])
def test_a_refresh_killed_mid_way_is_completed_by_the_next(kill_at, tmp_path, monkeypatch):
    monkeypatch.setenv("HN_SAMPLE_MONTHS", MONTHS)
    monkeypatch.setattr(
        definitions, "build_definitions", lambda: build_definitions({"trainer": SMALL_TRAINER})
    )
    killed_home, killed_data = _home(tmp_path / "killed_home"), tmp_path / "killed_data"
    env = dict(os.environ) | {
        "DAGSTER_HOME": str(killed_home),
        "HN_DATA_DIR": str(killed_data),
    }
    _kill_when(env, kill_at)

    _point_at(monkeypatch, killed_home, killed_data)
    assert main(["refresh"]) == 0
    recovered = _state(killed_data)
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        assert not [r for r in runs if not r.is_finished], "a run was left in progress"
        dead = [r for r in runs if r.status == dg.DagsterRunStatus.FAILURE]
        assert len(dead) == 1

    reference_home, reference_data = _home(tmp_path / "ref_home"), tmp_path / "ref_data"
    _point_at(monkeypatch, reference_home, reference_data)
    assert main(["refresh"]) == 0
    reference = _state(reference_data)

    assert recovered["months"] == reference["months"] and len(reference["months"]) == 2
    for month in reference["months"]:
        pd.testing.assert_frame_equal(recovered["clean"][month], reference["clean"][month])
    assert recovered["indexed"] == reference["indexed"]
    assert recovered["total"] == reference["total"] == sum(map(len, reference["indexed"].values()))
    assert recovered["alerts"] == reference["alerts"]
