"""`make ui`: Dagster's webserver, daemon and code servers (`dagster dev`), stopped for good on
one Ctrl-C or SIGTERM.

`dagster dev` runs them as processes of its own and, told to stop, waits for each to shut down;
a code server or a run in flight can keep the whole group alive for most of a minute, and
SIGTERM sent to the group left it running.  Here `dagster dev` gets a process group of its
own: on Ctrl-C or SIGTERM it is asked to stop as on a Ctrl-C, and whatever is still running
after a few seconds is killed.  A run killed so is marked failed and redone by the next
refresh or by the recovery sensor.

    python -m hn_assets.ui [dagster dev options]
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

#: How long `dagster dev` may take to stop by itself before its processes are killed.
GRACE_SECONDS = 5.0
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def dagster_dev_command(options: Sequence[str]) -> list[str]:
    """`dagster dev` of this environment (the console script beside this Python)."""
    return [str(Path(sys.executable).with_name("dagster")), "dev", *options]


def run_until_stopped(command: Sequence[str], grace_seconds: float = GRACE_SECONDS) -> int:
    """Run ``command`` in a process group of its own until it ends or this process gets
    SIGINT or SIGTERM; then stop the whole group within ``grace_seconds`` (SIGINT, then
    SIGKILL).  Returns the command's exit status, or 0 when it was stopped so."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
    try:
        child = subprocess.Popen(list(command), start_new_session=True)
        while child.poll() is None and not stop.wait(0.2):
            pass
        if child.poll() is not None:
            return child.returncode
        print("\nstopping the Dagster webserver and daemon ...", file=sys.stderr, flush=True)
        _signal_group(child.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=grace_seconds)
        # The group outlives its leader when a code server or a run is still shutting down.
        _signal_group(child.pid, signal.SIGKILL)
        child.wait()
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # every process of it has already ended
        os.killpg(group, sig)


def main(argv: Sequence[str] | None = None) -> int:
    options = list(sys.argv[1:] if argv is None else argv)
    return run_until_stopped(dagster_dev_command(options))


if __name__ == "__main__":
    sys.exit(main())
