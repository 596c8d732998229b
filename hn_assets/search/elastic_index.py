"""The production search backend: Elasticsearch through the official client.

One index, not one per month. All months together are small (about 500 posts a month, so
~100k posts or a few hundred MB over fifteen years), which one shard serves comfortably; an
index per month would mean ~180 indices whose shards each cost heap, a query over every month
fanning out to all of them, and index templates to keep mappings in step, while buying nothing
the month keyword does not give already (a month filter is a cheap ``terms`` filter, a month's
ids come from one scan). The index is created as ``<name>-v<MAPPING_VERSION>`` behind the alias
``<name>``, so a future mapping change can be rolled out by reindexing into ``-v2`` and moving
the alias, without readers noticing.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import elastic_transport
import elasticsearch
from elasticsearch import Elasticsearch, helpers

from hn_assets.search.analysis import KEYWORD_ANALYZER, TEXT_ANALYZER
from hn_assets.search.backends import Hit, SearchIndex, Sort, validate_months, validate_search
from hn_assets.search.documents import normalize_documents
from hn_assets.search.errors import (
    DocumentProblem,
    IndexNotFoundError,
    IndexWriteError,
    SearchBackendUnavailable,
    SearchIndexError,
)
from hn_assets.search.query import Query, validate_month
from hn_assets.search.schema import POST_SCHEMA, PostField, PostSchema, Search, Type

#: Bumped whenever :func:`mappings` changes, a field added to the schema included: the
#: mapping is strict, so an index made before refuses documents with the new field.
MAPPING_VERSION = 1
T = TypeVar("T")

#: Analysis equal to :func:`hn_assets.search.analysis.tokenize` (letters/digits, lowercased).
SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "analysis": {
        "tokenizer": {"hn_letters_digits": {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"}},
        "analyzer": {
            TEXT_ANALYZER: {
                "type": "custom",
                "tokenizer": "hn_letters_digits",
                "filter": ["lowercase"],
            }
        },
        "normalizer": {KEYWORD_ANALYZER: {"type": "custom", "filter": ["lowercase"]}},
    },
}

_EXACT_TYPES: dict[Type, dict[str, Any]] = {
    Type.INT: {"type": "long"},
    Type.TIMESTAMP: {"type": "date", "format": "epoch_second"},
    Type.FLOAT: {"type": "double"},
    Type.BOOL: {"type": "boolean"},
    Type.STR: {"type": "keyword"},
    Type.MONTH: {"type": "keyword"},
    Type.STR_LIST: {"type": "keyword"},
}
_LOWERCASE_KEYWORD = {"type": "keyword", "normalizer": KEYWORD_ANALYZER}


def _property(field: PostField) -> dict[str, Any]:
    """The mapping of one post field (a new dict: callers may change it)."""
    if field.search is Search.TEXT:
        analysed: dict[str, Any] = {"type": "text", "analyzer": TEXT_ANALYZER}
        if field.facet:
            analysed["fields"] = {"keyword": dict(_LOWERCASE_KEYWORD)}
        return analysed
    if field.search is Search.KEYWORD:
        return dict(_LOWERCASE_KEYWORD)
    if field.search is Search.STORED:
        return {**_EXACT_TYPES[field.type], "index": False, "doc_values": False}
    return dict(_EXACT_TYPES[field.type])


def mappings(schema: PostSchema = POST_SCHEMA) -> dict[str, Any]:
    """The index mapping of ``schema``'s posts."""
    return {
        # Only schema columns are sent, so anything else is a bug worth an error.
        "dynamic": "strict",
        "_meta": {"hn_jobs_mapping_version": MAPPING_VERSION},
        "properties": {field.name: _property(field) for field in schema},
    }


def _public_url(url: str) -> str:
    """``url`` without user:password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _source(doc: dict[str, Any]) -> dict[str, Any]:
    # JSON has no NaN; Elasticsearch treats null as "no value", like NaN in the contract.
    return {
        key: (None if isinstance(value, float) and math.isnan(value) else value)
        for key, value in doc.items()
    }


def _fields(source: Mapping[str, Any], schema: PostSchema) -> dict[str, Any]:
    """The post fields of a hit's ``_source``: a null number was NaN when it was written."""
    fields = dict(source)
    for field in schema:
        if field.type is Type.FLOAT and fields.get(field.name) is None:
            fields[field.name] = math.nan
    return fields


def request_query(query: Query | None, months: Sequence[str] | None = None) -> dict[str, Any]:
    """The ``query`` part of a request: ``query`` (every post when None) within ``months``."""
    body = {"match_all": {}} if query is None else query.to_elasticsearch()
    checked = validate_months(months)
    if checked is None:
        return body
    return {"bool": {"must": [body], "filter": [{"terms": {"month": checked}}]}}


def elasticsearch_request(
    query: Query,
    months: Sequence[str] | None = None,
    size: int = 20,
    sort: Sort = "score",
) -> dict[str, Any]:
    """The search request body :meth:`ElasticsearchIndex.search` sends (what ``--explain``
    prints); its keys are also the client's ``search()`` keyword arguments."""
    validate_search(size, sort)
    request: dict[str, Any] = {"query": request_query(query, months), "size": size}
    if sort == "time":
        request["sort"] = [{"time": "desc"}, {"id": "desc"}]
    request["track_total_hits"] = False
    return request


class ElasticsearchIndex(SearchIndex):
    """Posts in Elasticsearch under the alias ``index``; one document per post, ``_id`` = id.

    Writes use the bulk helpers in chunks and wait for a refresh, so a search right after a
    write sees it. Elasticsearch applies a bulk request document by document: documents are
    checked against the contract before anything is sent, and a document the server still
    rejects is reported in :class:`IndexWriteError` while the rest of the batch is kept.
    """

    def __init__(
        self,
        client: Elasticsearch,
        index: str = "hn-jobs",
        *,
        chunk_size: int = 500,
        schema: PostSchema = POST_SCHEMA,
    ) -> None:
        self.client = client
        self.index = index
        self.chunk_size = chunk_size
        self.schema = schema

    @classmethod
    def from_settings(
        cls,
        url: str,
        api_key: str | None = None,
        username: str | None = None,
        password: str | None = None,
        *,
        index: str = "hn-jobs",
        request_timeout: float = 10.0,
        max_retries: int = 3,
        schema: PostSchema = POST_SCHEMA,
        **client_options: Any,
    ) -> ElasticsearchIndex:
        """A client with timeouts and bounded retries (on timeouts, 429 and 502-504)."""
        if not url:
            raise SearchBackendUnavailable(
                "no Elasticsearch URL: set ELASTICSEARCH_URL, or unset it to use the embedded index"
            )
        auth: dict[str, Any] = {}
        if api_key:
            auth["api_key"] = api_key
        elif username:
            auth["basic_auth"] = (username, password or "")
        client = Elasticsearch(
            url,
            request_timeout=request_timeout,
            max_retries=max_retries,
            retry_on_timeout=True,
            retry_on_status=(429, 502, 503, 504),
            **auth,
            **client_options,
        )
        return cls(client, index=index, schema=schema)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, index: str = "hn-jobs", **options: Any
    ) -> ElasticsearchIndex:
        """From ELASTICSEARCH_URL and ELASTICSEARCH_API_KEY or _USERNAME/_PASSWORD."""
        env = os.environ if env is None else env
        return cls.from_settings(
            env.get("ELASTICSEARCH_URL", ""),
            api_key=env.get("ELASTICSEARCH_API_KEY") or None,
            username=env.get("ELASTICSEARCH_USERNAME") or None,
            password=env.get("ELASTICSEARCH_PASSWORD") or None,
            index=index,
            **options,
        )

    def __repr__(self) -> str:
        return f"ElasticsearchIndex({self._where!r}, index={self.index!r})"

    @property
    def _where(self) -> str:
        nodes = self.client.transport.node_pool.all()
        return ", ".join(_public_url(node.base_url) for node in nodes) or "Elasticsearch"

    # --- error translation ---------------------------------------------------------------
    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except elasticsearch.NotFoundError as exc:
            if exc.error == "index_not_found_exception":
                raise self._not_found() from exc
            raise SearchIndexError(f"Elasticsearch at {self._where}: {exc.message}") from exc
        except (elasticsearch.AuthenticationException, elasticsearch.AuthorizationException) as exc:
            raise SearchBackendUnavailable(
                f"Elasticsearch at {self._where} refused the credentials (HTTP "
                f"{exc.meta.status}): check ELASTICSEARCH_API_KEY or "
                "ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD"
            ) from exc
        except elastic_transport.TransportError as exc:  # connection refused, timeouts, TLS
            raise SearchBackendUnavailable(
                f"cannot reach Elasticsearch at {self._where} ({type(exc).__name__}): check "
                "ELASTICSEARCH_URL and that the server is up, or unset ELASTICSEARCH_URL to "
                "use the embedded index"
            ) from exc
        except elasticsearch.ApiError as exc:
            raise SearchIndexError(
                f"Elasticsearch at {self._where} rejected the request (HTTP {exc.meta.status}): "
                f"{exc.message}"
            ) from exc

    @property
    def _bulk(self) -> dict[str, Any]:
        """Bulk helper options: chunks, bounded retries with backoff on 429, errors per
        document instead of an exception, and a refresh so the next search sees the write."""
        return {
            "chunk_size": self.chunk_size,
            "max_retries": 3,
            "initial_backoff": 1,
            "raise_on_error": False,
            "refresh": "wait_for",
        }

    def _not_found(self) -> IndexNotFoundError:
        return IndexNotFoundError(
            f"the Elasticsearch index {self.index!r} does not exist at {self._where}: build it "
            "with `hn-jobs refresh` or by materializing the jobs_index asset"
        )

    def _call(self, action: Callable[[], T]) -> T:
        with self._errors():
            return action()

    def _require_index(self) -> None:
        # Writing to a missing index would make Elasticsearch create one with a guessed mapping.
        if not self._call(lambda: bool(self.client.indices.exists(index=self.index))):
            raise self._not_found()

    # --- lifecycle -----------------------------------------------------------------------
    def ensure_index(self) -> None:
        if self._call(lambda: bool(self.client.indices.exists(index=self.index))):
            return
        try:
            self._call(
                lambda: self.client.indices.create(
                    index=f"{self.index}-v{MAPPING_VERSION}",
                    settings=SETTINGS,
                    mappings=mappings(self.schema),
                    aliases={self.index: {"is_write_index": True}},
                )
            )
        except SearchIndexError as exc:
            # Another process created it between our check and our create: that is fine.
            cause = exc.__cause__
            if not (
                isinstance(cause, elasticsearch.BadRequestError)
                and cause.error == "resource_already_exists_exception"
            ):
                raise

    def close(self) -> None:
        self.client.close()

    # --- writes --------------------------------------------------------------------------
    def upsert(self, docs: Sequence[dict[str, Any]]) -> int:
        normalized = normalize_documents(docs, self.schema)
        self._require_index()
        if not normalized:
            return 0
        actions = (
            {
                "_op_type": "index",
                "_index": self.index,
                "_id": str(doc["id"]),
                "_source": _source(doc),
            }
            for doc in normalized
        )
        written, errors = self._call(lambda: helpers.bulk(self.client, actions, **self._bulk))
        if errors:
            position = {doc["id"]: i for i, doc in enumerate(normalized)}
            problems = []
            for error in errors:  # type: ignore[union-attr]
                item = next(iter(error.values()))
                post_id = int(item.get("_id", -1))
                reason = item.get("error", {})
                problems.append(
                    DocumentProblem(
                        position.get(post_id, -1),
                        post_id,
                        f"{reason.get('type', 'error')}: {reason.get('reason', reason)}",
                    )
                )
            raise IndexWriteError(
                f"Elasticsearch rejected {len(problems)} of {len(normalized)} documents (the "
                "others were written)",
                problems,
            )
        return int(written)

    def delete(self, ids: Iterable[int]) -> int:
        wanted = sorted({int(post_id) for post_id in ids})
        self._require_index()
        if not wanted:
            return 0
        actions = ({"_op_type": "delete", "_index": self.index, "_id": str(i)} for i in wanted)
        deleted = 0
        problems = []
        with self._errors():
            for ok, result in helpers.streaming_bulk(self.client, actions, **self._bulk):
                item = result["delete"]
                if ok:
                    deleted += 1
                elif item.get("status") != 404:
                    reason = item.get("error", {})
                    problems.append(DocumentProblem(-1, int(item["_id"]), str(reason)))
        if problems:
            raise IndexWriteError(
                f"Elasticsearch could not delete {len(problems)} documents", problems
            )
        return deleted

    # --- reads ---------------------------------------------------------------------------
    def _scan_ids(self, query: dict[str, Any]) -> set[int]:
        with self._errors():
            return {
                int(hit["_id"])
                for hit in helpers.scan(
                    self.client,
                    index=self.index,
                    query={"query": query, "_source": False},
                    size=1000,
                    scroll="2m",
                )
            }

    def ids_for_month(self, month: str) -> set[int]:
        return self._scan_ids({"term": {"month": validate_month(month)}})

    def matching_ids(self, query: Query, *, months: Sequence[str] | None = None) -> set[int]:
        return self._scan_ids(request_query(query, months))

    def count(self, query: Query | None = None, *, months: Sequence[str] | None = None) -> int:
        body = request_query(query, months)
        response = self._call(lambda: self.client.count(index=self.index, query=body))
        return int(response["count"])

    def _search(self, query: Query, size: int, sort: Sort, months: list[str] | None) -> list[Hit]:
        request = elasticsearch_request(query, months, size, sort)
        response = self._call(lambda: self.client.search(index=self.index, **request))
        return [
            Hit(
                id=int(hit["_id"]),
                score=float(hit["_score"] or 0.0) if sort == "score" else 0.0,
                fields=_fields(hit["_source"], self.schema),
            )
            for hit in response["hits"]["hits"]
        ]
