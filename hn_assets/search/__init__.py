"""Job search: a nested boolean :class:`Query`, its parser, and two index backends.

Domain code only (no Dagster): the assets in ``hn_assets.assets`` and the ``hn-jobs`` CLI call
:func:`sync_month`, :func:`find_new_matches` and :meth:`SearchIndex.search`.
"""

from hn_assets.search.backends import (
    Hit,
    IndexNotFoundError,
    IndexWriteError,
    SearchBackendUnavailable,
    SearchIndex,
    SearchIndexError,
)
from hn_assets.search.local_index import LocalIndex
from hn_assets.search.parser import QuerySyntaxError, parse_query
from hn_assets.search.query import FIELDS, Query, QueryError, Term
from hn_assets.search.sync import SyncResult, sync_month

__all__ = [
    "FIELDS",
    "Hit",
    "IndexNotFoundError",
    "IndexWriteError",
    "LocalIndex",
    "Query",
    "QueryError",
    "QuerySyntaxError",
    "SearchBackendUnavailable",
    "SearchIndex",
    "SearchIndexError",
    "SyncResult",
    "Term",
    "parse_query",
    "sync_month",
]
