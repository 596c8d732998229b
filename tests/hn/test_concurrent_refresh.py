"""Two and three `hn-jobs refresh` processes at once on one DAGSTER_HOME, fresh or steady: every one
exits 0, the later ones say who runs and wait their turn, the fresh instance is created once,
and no post is indexed twice nor digest written twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from hn_assets.locks import exclusive
from hn_assets.refresh import REFRESH_LOCK_FILE
from hn_assets.search.local_index import LocalIndex
from hn_assets.storage import ParquetStore

ROOT = Path(__file__).resolve().parents[2]
WAITING = "another hn-jobs refresh is running (pid"
# The real CLI, with a small model so that its quality checks pass in seconds.
REFRESH = textwrap.dedent(
    """
    import sys
    import hn_assets.defs.definitions as definitions
    from hn_assets.cli import main
    from hn_assets.defs.resources import LSTMTrainingResource

    small = LSTMTrainingResource(
        hidden=48, layers=1, batch_size=32, max_epochs=1, limit_train_batches=30, bpc_ceiling=8.0
    )
    build = definitions.build_definitions
    definitions.build_definitions = lambda: build({"trainer": small})
    sys.exit(main(["refresh"]))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize(("processes", "start"), [(2, "fresh"), (3, "fresh"), (2, "steady")])
def test_overlapping_refreshes_wait_their_turn_and_duplicate_nothing(processes, start, tmp_path):
    home, data = tmp_path / "home", tmp_path / "data"
    env = dict(os.environ) | {
        "DAGSTER_HOME": str(home),
        "HN_DATA_DIR": str(data),
        "HN_SOURCE": "sample",
        "HN_SAMPLE_MONTHS": "2",
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    home.mkdir()
    if start == "steady":  # everything materialized once already
        subprocess.run([sys.executable, "-c", REFRESH], cwd=ROOT, env=env, check=True)
    # Whoever holds the lock when they start (here: this test), they wait for it, then take
    # turns: each says who runs and waits, whatever order the processes start in.
    with exclusive(home / REFRESH_LOCK_FILE, "hn-jobs refresh", lambda _: None):
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
        outputs: list[list[str]] = [[] for _ in runs]
        readers = [
            threading.Thread(target=lambda r=run, o=out: o.extend(r.stdout), daemon=True)
            for run, out in zip(runs, outputs, strict=True)
        ]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + 300
        while not all(any(WAITING in line for line in out) for out in outputs):
            assert time.monotonic() < deadline, outputs
            assert all(run.poll() is None for run in runs), outputs
            time.sleep(0.2)
    for run, reader in zip(runs, readers, strict=True):
        run.wait(timeout=600)
        reader.join(timeout=60)
    texts = ["".join(out) for out in outputs]
    assert [run.returncode for run in runs] == [0] * processes, "\n\n".join(texts)
    assert all("Traceback" not in text for text in texts)
    # Each said once that it waits; after the test let go, they ran one after the other.
    assert [text.count(WAITING) for text in texts] == [1] * processes

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
