"""The search index interface every backend implements."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hn_assets.search.errors import QueryError
from hn_assets.search.query import Query, validate_month
from hn_assets.search.schema import POST_SCHEMA, PostSchema

Sort = Literal["score", "time"]


@dataclass(frozen=True)
class Hit:
    """One search result: the post id, its relevance, and its clean_posts fields.

    ``score`` is the backend's relevance when sorted by score and 0.0 when sorted by time.
    """

    id: int
    score: float
    fields: dict[str, Any] = field(default_factory=dict)


def validate_months(months: Sequence[str] | None) -> list[str] | None:
    if months is None:
        return None
    if isinstance(months, str):
        months = [months]
    checked = [validate_month(month) for month in months]
    if not checked:
        raise QueryError("months: give at least one YYYY-MM month, or None for every month")
    return checked


def validate_search(size: int, sort: str) -> None:
    """Reject a ``search`` size or sort that no backend could honour."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise QueryError(f"size must be a positive integer, got {size!r}")
    if sort not in ("score", "time"):
        raise QueryError(f"sort must be 'score' or 'time', got {sort!r}")


class SearchIndex(abc.ABC):
    """A searchable store of clean_posts documents keyed by HN item id.

    Writes are idempotent: upserting the same documents twice leaves one copy of each. Every
    method except :meth:`ensure_index` raises :class:`IndexNotFoundError` when the index does
    not exist yet. ``months`` restricts reads to those ``YYYY-MM`` months. The documents'
    columns and how each is searched come from :attr:`schema`.
    """

    schema: PostSchema = POST_SCHEMA

    @abc.abstractmethod
    def ensure_index(self) -> None:
        """Create the index (schema/mapping) if it does not exist; keep it if it does."""

    @abc.abstractmethod
    def upsert(self, docs: Sequence[dict[str, Any]]) -> int:
        """Insert or replace ``docs`` by id; returns how many were written.

        Raises :class:`IndexWriteError` listing each rejected document.
        """

    @abc.abstractmethod
    def delete(self, ids: Iterable[int]) -> int:
        """Remove the posts with these ids; returns how many were present."""

    @abc.abstractmethod
    def ids_for_month(self, month: str) -> set[int]:
        """Ids of every indexed post of ``month``."""

    def search(
        self,
        query: Query,
        *,
        size: int = 20,
        sort: Sort = "score",
        months: Sequence[str] | None = None,
    ) -> list[Hit]:
        """The best ``size`` hits, by relevance or newest first."""
        validate_search(size, sort)
        return self._search(query, size, sort, validate_months(months))

    @abc.abstractmethod
    def _search(self, query: Query, size: int, sort: Sort, months: list[str] | None) -> list[Hit]:
        """:meth:`search` with its arguments checked."""

    @abc.abstractmethod
    def count(self, query: Query | None = None, *, months: Sequence[str] | None = None) -> int:
        """How many posts match ``query`` (every post when None)."""

    @abc.abstractmethod
    def matching_ids(self, query: Query, *, months: Sequence[str] | None = None) -> set[int]:
        """Ids of every post matching ``query`` (no ranking, no size limit)."""

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release files, locks or connections."""

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
