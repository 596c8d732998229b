"""One writer at a time: an exclusive lock on a file, held for as long as a piece of work runs.

The operating system releases the lock when its process ends in any way (``kill -9``
included), so a crashed holder never blocks the next one. The lock file says who holds it, for
the message a waiting process prints.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from hn_assets.errors import HNError


class LockTimeout(HNError):
    """The lock stayed taken longer than the caller would wait."""


@contextmanager
def exclusive(
    path: Path,
    what: str,
    on_wait: Callable[[str], None] = print,
    timeout_s: float | None = None,
    poll_s: float = 0.2,
) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed) while the block runs.

    When another process holds it, ``on_wait`` gets one line saying who, and this process waits
    (at most ``timeout_s`` seconds, then :class:`LockTimeout`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "a process that did not say who it is"
            on_wait(f"another {what} is running ({holder}); waiting")
            deadline = None if timeout_s is None else time.monotonic() + timeout_s
            while not _try_lock(handle):
                if deadline is not None and time.monotonic() > deadline:
                    raise LockTimeout(
                        f"another {what} has held {path} for over {timeout_s:g} s ({holder}); "
                        "wait for it to finish, or stop it"
                    )
                time.sleep(poll_s)
        try:
            handle.seek(0)
            handle.truncate()
            since = datetime.now(UTC).isoformat(timespec="seconds")
            handle.write(f"pid {os.getpid()}, since {since}")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _try_lock(handle) -> bool:  # noqa: ANN001 - an open file
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
