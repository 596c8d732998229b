"""The expected failures of ``rl_assets``: one base type the CLI catches once.

An ``A3CError`` is something a person can act on (its message says what failed and what to do);
anything else is a bug and keeps its traceback. ``ConfigError`` is a usage or configuration
mistake (exit code 2); other ``A3CError``s are work that failed (exit code 1). The same split as
``hn_assets.errors``.
"""

from __future__ import annotations


class A3CError(Exception):
    """An expected failure whose message tells the user what to do."""

    exit_code = 1


class ConfigError(A3CError, ValueError):
    """A bad setting or command-line value; fixing the input fixes it."""

    exit_code = 2


class UnknownGameError(ConfigError):
    """An environment name that is neither an ALE game nor a registered gymnasium id."""


class CheckpointError(A3CError, RuntimeError):
    """No checkpoint, or a file that is not an A3C checkpoint this project wrote."""


class ReleaseError(A3CError, RuntimeError):
    """No policy shipped for the game, or a release that is damaged, foreign, made for another
    game, or does not match its provenance record."""


class WorkerCrashedError(A3CError, RuntimeError):
    """A worker died; every other worker has been stopped. The message ends with the worker's
    exception; ``worker_traceback`` holds its whole traceback."""

    def __init__(self, message: str, worker_traceback: str = ""):
        super().__init__(message)
        self.worker_traceback = worker_traceback

    @property
    def details(self) -> str:
        """What ``--verbose`` adds to the message."""
        return self.worker_traceback
