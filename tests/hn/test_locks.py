"""The refresh lock: a second holder waits and says who runs; a killed holder frees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hn_assets.locks import LockTimeout, exclusive

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from hn_assets.locks import exclusive
    with exclusive(Path(sys.argv[1]), "test job"):
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _holder(lock: Path, seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "holding"
    return process


def test_a_second_holder_waits_and_says_who_runs(tmp_path):
    lock = tmp_path / "job.lock"
    holder = _holder(lock, 1.0)
    said: list[str] = []
    started = time.monotonic()
    with exclusive(lock, "test job", said.append):
        waited = time.monotonic() - started
    holder.wait(timeout=10)
    assert waited > 0.5
    assert len(said) == 1
    assert said[0].startswith(f"another test job is running (pid {holder.pid}, since ")
    assert said[0].endswith("; waiting")


def test_a_holder_killed_with_sigkill_frees_the_lock(tmp_path):
    lock = tmp_path / "job.lock"
    holder = _holder(lock, 60.0)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    said: list[str] = []
    with exclusive(lock, "test job", said.append, timeout_s=5):
        pass
    assert said == []  # nobody holds it any more: no wait, no message


def test_waiting_has_a_bound_when_asked(tmp_path):
    lock = tmp_path / "job.lock"
    holder = _holder(lock, 30.0)
    try:
        with (
            pytest.raises(LockTimeout, match="wait for it to finish"),
            exclusive(lock, "test job", lambda _: None, timeout_s=0.5, poll_s=0.05),
        ):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=10)
