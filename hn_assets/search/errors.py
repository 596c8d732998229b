"""The errors of the search package, in a module of their own so that every other module of
the package can raise them without importing the modules that raise them too.

Each is an :class:`~hn_assets.errors.HNError`: a person can act on its message. A query or an
index that does not exist yet is a usage mistake (exit code 2); a backend that cannot be
reached or a write that failed is work that failed (exit code 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hn_assets.errors import ConfigError, HNError

#: How many rejected documents an :class:`IndexWriteError` message lists.
_SHOWN_PROBLEMS = 10


class QueryError(ConfigError):
    """A query that cannot be built or run: the message names the offending part and the fix."""


class SearchIndexError(HNError, RuntimeError):
    """Base class of index failures; messages say what to do about them."""


class IndexNotFoundError(SearchIndexError):
    """The index was never built (or was built elsewhere)."""

    exit_code = 2


class SearchBackendUnavailable(SearchIndexError):
    """The search engine cannot be reached or refused the credentials."""


@dataclass(frozen=True)
class DocumentProblem:
    """Why one document of a batch was rejected."""

    position: int
    id: int | None
    reason: str

    def __str__(self) -> str:
        who = f"id {self.id}" if self.id is not None else "id unknown"
        return f"document #{self.position} ({who}): {self.reason}"


class IndexWriteError(SearchIndexError):
    """Documents that could not be written, one :class:`DocumentProblem` each in ``failures``."""

    def __init__(self, summary: str, failures: Sequence[DocumentProblem]) -> None:
        self.failures = list(failures)
        shown = "; ".join(str(problem) for problem in self.failures[:_SHOWN_PROBLEMS])
        hidden = len(self.failures) - _SHOWN_PROBLEMS
        more = f"; and {hidden} more" if hidden > 0 else ""
        super().__init__(f"{summary}: {shown}{more}" if self.failures else summary)
