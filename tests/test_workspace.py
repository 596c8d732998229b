"""The whole workspace loads: both code locations pass Dagster's own validation."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_dagster_validates_both_code_locations(tmp_path):
    dagster = Path(sys.executable).with_name("dagster")
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", str(ROOT / "workspace.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": str(dagster.parent), "DAGSTER_HOME": str(tmp_path), "HOME": str(tmp_path)},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "All code locations passed validation" in output
    for location in ("hn_assets", "rl_assets"):
        assert location in output
