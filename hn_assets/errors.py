"""The platform's expected failures: one base type the CLIs catch once.

An ``HNError`` is something a person can act on (its message says what failed and what to
do); anything else is a bug and keeps its traceback. ``ConfigError`` is a usage or
configuration mistake (exit code 2); other ``HNError``s are work that failed (exit code 1).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable


class HNError(Exception):
    """An expected failure whose message tells the user what to do."""

    exit_code = 1


class ConfigError(HNError, ValueError):
    """A bad command-line argument or environment value; fixing the input fixes it."""

    exit_code = 2


def run_command(
    prog: str,
    command: str,
    action: Callable[[], int],
    *,
    verbose: bool,
    expected: type[Exception] = HNError,
) -> int:
    """Run one CLI command and turn how it ended into an exit code.

    An ``expected`` failure prints its message (as written: a query error shows the query with
    a caret under the mistake) and exits with its ``exit_code``; Ctrl-C exits 130; anything
    else is a bug, still one line unless ``verbose``, which adds the traceback (and an error's
    ``details``, such as a worker process's own traceback).
    """
    try:
        return action()
    except expected as error:
        if verbose:
            traceback.print_exc()
            print(getattr(error, "details", ""), file=sys.stderr, end="")
        print(f"{prog} {command}: {str(error).strip() or type(error).__name__}", file=sys.stderr)
        return int(getattr(error, "exit_code", 1))
    except KeyboardInterrupt as interrupted:
        print(f"{prog} {command}: {str(interrupted) or 'interrupted'}", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - a bug, but still one line unless asked
        if verbose:
            traceback.print_exc()
        print(
            f"{prog} {command}: unexpected error: {type(error).__name__}: {_one_line(error)} "
            "(run with --verbose for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
