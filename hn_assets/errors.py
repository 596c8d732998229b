"""The platform's expected failures: one base type the CLIs catch once.

An ``HNError`` is something a person can act on (its message says what failed and what to
do); anything else is a bug and keeps its traceback. ``ConfigError`` is a usage or
configuration mistake (exit code 2); other ``HNError``s are work that failed (exit code 1).
"""

from __future__ import annotations


class HNError(Exception):
    """An expected failure whose message tells the user what to do."""

    exit_code = 1


class ConfigError(HNError, ValueError):
    """A bad command-line argument or environment value; fixing the input fixes it."""

    exit_code = 2
