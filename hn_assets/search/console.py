"""``hn-jobs search``: run one query against the configured index and print the hits."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from rich.console import Console

from hn_assets.search.backends import SearchIndex, SearchIndexError, Sort, validate_months
from hn_assets.search.parser import parse_query
from hn_assets.search.query import QueryError
from hn_assets.search.render import hit_json, hits_table


def open_index_from_env(env: Mapping[str, str] | None = None) -> SearchIndex:
    """Elasticsearch when ELASTICSEARCH_URL is set, else the tantivy index under HN_DATA_DIR."""
    env = os.environ if env is None else env
    if env.get("ELASTICSEARCH_URL"):
        from hn_assets.search.elastic_index import ElasticsearchIndex

        return ElasticsearchIndex.from_env(env)
    from hn_assets.search.local_index import LocalIndex
    from hn_assets.storage import DEFAULT_DATA_DIR, local_dir

    return LocalIndex(local_dir(env.get("HN_DATA_DIR") or DEFAULT_DATA_DIR, "index"))


def run_search(
    query: str,
    *,
    months: Sequence[str] | None = None,
    limit: int = 20,
    as_json: bool = False,
    explain: bool = False,
    sort: Sort = "score",
    index: SearchIndex | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Print the hits (a table, or one JSON object per line); returns the exit status.

    ``explain`` prints the Elasticsearch query instead of searching. Exit status 2 for a bad
    query or option, 1 when the index is missing or unreachable; nothing is ever written.
    """
    stdout = stdout or sys.stdout
    err = Console(file=stderr or sys.stderr, highlight=False)
    try:
        parsed = parse_query(query)
        checked = validate_months(months or None)
        if limit < 1:
            raise QueryError(f"--limit must be at least 1, got {limit}")
    except QueryError as exc:
        err.print(f"error: {exc}", markup=False)
        return 2
    if explain:
        from hn_assets.search.elastic_index import request_query

        print(json.dumps({"query": request_query(parsed, checked)}, indent=2), file=stdout)
        return 0
    owned = index is None
    try:
        if index is None:
            index = open_index_from_env()
        hits = index.search(parsed, size=limit, sort=sort, months=checked)
        total = len(hits) if as_json else index.count(parsed, months=checked)
    except (SearchIndexError, ValueError) as exc:  # ValueError: e.g. HN_DATA_DIR not local
        err.print(f"error: {exc}", markup=False)
        return 1
    finally:
        if owned and index is not None:
            index.close()
    if as_json:
        for hit in hits:
            print(json.dumps(hit_json(hit), ensure_ascii=False), file=stdout)
        return 0
    title = f"{len(hits)} of {total} posts matching {parsed}"
    Console(file=stdout).print(hits_table(hits, title=title))
    return 0
