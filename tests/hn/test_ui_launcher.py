"""`make ui` stops for good on one Ctrl-C or SIGTERM sent to its process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from hn_assets.ui import GRACE_SECONDS

ROOT = Path(__file__).resolve().parents[2]

# A command that ignores both signals and leaves a grandchild that ignores them too: the
# worst a code server or a run in flight can do.
STUBBORN = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    grandchild = subprocess.Popen([sys.executable, "-c",
        "import signal, time\\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\\n"
        "time.sleep(600)"])
    open(sys.argv[1], "w").write(str(grandchild.pid))
    time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by its parent) counts as gone.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def _launcher(command: list[str], **kwargs) -> subprocess.Popen:
    code = f"import sys; from hn_assets.ui import run_until_stopped; sys.exit(run_until_stopped({command!r}))"
    # A session of its own, as a terminal gives `make ui`: the signal goes to the whole group.
    return subprocess.Popen([sys.executable, "-c", code], start_new_session=True, **kwargs)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stubborn_group_is_gone_within_the_grace_period(tmp_path, sig):
    pid_file = tmp_path / "grandchild.pid"
    launcher = _launcher([sys.executable, "-c", STUBBORN, str(pid_file)])
    _wait_for(pid_file.exists, 30, "the grandchild to start")
    grandchild = int(pid_file.read_text())

    started = time.monotonic()
    os.killpg(launcher.pid, sig)
    assert launcher.wait(timeout=GRACE_SECONDS + 10) == 0
    _wait_for(lambda: not _alive(grandchild), 5, "the grandchild to be killed")
    assert time.monotonic() - started < GRACE_SECONDS + 5


def test_the_command_exit_status_is_kept_when_it_ends_by_itself():
    launcher = _launcher([sys.executable, "-c", "raise SystemExit(3)"])
    assert launcher.wait(timeout=30) == 3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dagster_processes(home: Path) -> list[int]:
    """Processes whose command line names this test's DAGSTER_HOME (they all get it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(home) in command and _alive(int(proc.name)):
            found.append(int(proc.name))
    return found


@pytest.mark.slow
def test_make_ui_stops_on_one_sigterm_to_its_group(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    port = _free_port()
    env = os.environ | {
        "DAGSTER_HOME": str(home),
        "HN_SOURCE": "sample",
        "HN_DATA_DIR": str(tmp_path / "data"),
    }
    launcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hn_assets.ui",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def serving() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                    return True
            except OSError:
                return False

        _wait_for(serving, 120, "the webserver")
        assert _dagster_processes(home), "the code servers and daemon run with DAGSTER_HOME"

        started = time.monotonic()
        os.killpg(launcher.pid, signal.SIGTERM)
        assert launcher.wait(timeout=GRACE_SECONDS + 15) == 0
        _wait_for(lambda: not _dagster_processes(home), 5, "every Dagster process to end")
        assert time.monotonic() - started < GRACE_SECONDS + 10
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
