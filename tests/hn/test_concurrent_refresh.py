"""Two and three `hn-jobs refresh` processes started at once on one DAGSTER_HOME: every one
exits 0, the later ones say who runs and wait their turn, the fresh instance is created once,
and no post is indexed twice nor digest written twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hn_assets.search.local_index import LocalIndex
from hn_assets.storage import ParquetStore

ROOT = Path(__file__).resolve().parents[2]
# The real CLI, with a small model so that its quality checks pass in seconds.
REFRESH = textwrap.dedent(
    """
    import sys
    import hn_assets.definitions as definitions
    from hn_assets.cli import main
    from hn_assets.resources import LSTMTrainingResource

    small = LSTMTrainingResource(
        hidden=48, layers=1, batch_size=32, max_epochs=1, limit_train_batches=30, bpc_ceiling=8.0
    )
    build = definitions.build_definitions
    definitions.build_definitions = lambda: build({"trainer": small})
    sys.exit(main(["refresh"]))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("processes", [2, 3])
def test_overlapping_refreshes_wait_their_turn_and_duplicate_nothing(processes, tmp_path):
    home, data = tmp_path / "home", tmp_path / "data"
    env = dict(os.environ) | {
        "DAGSTER_HOME": str(home),
        "HN_DATA_DIR": str(data),
        "HN_SOURCE": "sample",
        "HN_SAMPLE_MONTHS": "2",
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", REFRESH],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(processes)
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0] * processes, "\n\n".join(outputs)
    assert all("Traceback" not in output for output in outputs)
    waited = [output for output in outputs if "another hn-jobs refresh is running (pid" in output]
    assert len(waited) >= processes - 1

    tables = ParquetStore(data)
    months = sorted(path.stem for path in (data / "clean_posts").glob("*.parquet"))
    assert len(months) == 2
    with LocalIndex(data / "index") as index:
        for month in months:
            clean_ids = set(tables.read("clean_posts", month)["id"])
            assert index.ids_for_month(month) == clean_ids
            assert index.count(months=[month]) == len(clean_ids)  # one document per post
    for month in months:
        state = json.loads((data / "alerts" / f"{month}.state.json").read_text())
        assert isinstance(state, dict)
        for ids in state.values():
            assert len(ids) == len(set(ids))
