"""The embedded search backend: a tantivy index in a folder (default under ``HN_DATA_DIR``).

Queries are translated clause by clause into tantivy query objects (term, phrase, range and
boolean queries), never into tantivy's query-string syntax, so the meaning is exactly
:meth:`Query.matches` and no user text is re-parsed by another grammar.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy

from hn_assets.search.analysis import KEYWORD_ANALYZER, TEXT_ANALYZER
from hn_assets.search.backends import (
    Hit,
    IndexNotFoundError,
    IndexWriteError,
    SearchIndex,
    SearchIndexError,
    Sort,
    validate_months,
    validate_search,
)
from hn_assets.search.documents import normalize_documents
from hn_assets.search.query import Query, Term, validate_month

#: Bumped whenever the schema or the analysis changes; an older index must be rebuilt.
SCHEMA_VERSION = 2
_MARKER = "hn_search_index.json"
_TEXT_COLUMNS = ("text", "company", "roles", "locations")
_KEYWORD_COLUMNS = ("month", "salary_currency", "employment_types")
_BOOL_COLUMNS = ("remote", "onsite", "hybrid", "visa")
_NUMBER_COLUMNS = ("salary_min", "salary_max")
#: Contract text columns nobody searches: stored as UTF-8 bytes, which tantivy does not index.
_STORED_ONLY = ("by", "urls", "emails", "hn_url")
#: Polls of a busy writer lock start this far apart and back off to the maximum (tantivy only
#: tries the lock, it cannot wait for it).
_LOCK_POLL_FIRST_S = 0.01
_LOCK_POLL_MAX_S = 0.2
_BULK_DOCS = 10_000
_SMALL_WRITE_HEAP = 50_000_000

logger = logging.getLogger(__name__)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_integer_field("time", stored=True, indexed=True, fast=True)
    for column in _TEXT_COLUMNS:
        builder.add_text_field(column, stored=True, tokenizer_name=TEXT_ANALYZER)
    for column in _KEYWORD_COLUMNS:
        builder.add_text_field(
            column, stored=True, tokenizer_name=KEYWORD_ANALYZER, index_option="basic"
        )
    for column in _BOOL_COLUMNS:
        builder.add_boolean_field(column, stored=True, indexed=True)
    for column in _NUMBER_COLUMNS:
        builder.add_float_field(column, stored=True, indexed=True, fast=True)
    builder.add_integer_field("thread_id", stored=True)
    for column in _STORED_ONLY:
        builder.add_bytes_field(column, stored=True, indexed=False)
    return builder.build()


def _register_analyzers(index: tantivy.Index) -> None:
    # Tokenizers are not persisted with the index: every open must register them again.
    lowercase = tantivy.Filter.lowercase()
    index.register_tokenizer(
        TEXT_ANALYZER,
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(lowercase).build(),
    )
    index.register_tokenizer(
        KEYWORD_ANALYZER,
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(lowercase).build(),
    )


def _to_tantivy_document(doc: dict[str, Any]) -> tantivy.Document:
    # Typed add_* calls: about twice as fast as Document(**fields), which infers each type,
    # and this loop is half of the indexing time.
    converted = tantivy.Document()
    add_integer, add_text = converted.add_integer, converted.add_text
    add_boolean, add_float = converted.add_boolean, converted.add_float
    add_integer("id", doc["id"])
    add_integer("time", doc["time"])
    add_text("text", doc["text"])
    add_text("month", doc["month"])
    for column in ("roles", "locations", "employment_types"):
        for value in doc[column]:
            add_text(column, value)
    add_boolean("remote", doc["remote"])
    add_boolean("onsite", doc["onsite"])
    add_boolean("hybrid", doc["hybrid"])
    # Unknown values (None / NaN) are left out, so no condition on them can match.
    if doc["company"] is not None:
        add_text("company", doc["company"])
    if doc["salary_currency"] is not None:
        add_text("salary_currency", doc["salary_currency"])
    if doc["visa"] is not None:
        add_boolean("visa", doc["visa"])
    for column in _NUMBER_COLUMNS:
        if not math.isnan(doc[column]):
            add_float(column, doc[column])
    add_integer("thread_id", doc["thread_id"])
    add_bytes = converted.add_bytes
    add_bytes("by", doc["by"].encode())
    add_bytes("hn_url", doc["hn_url"].encode())
    for column in ("urls", "emails"):
        for value in doc[column]:
            add_bytes(column, value.encode())
    return converted


def _from_stored(stored: dict[str, list[Any]]) -> dict[str, Any]:
    def first(column: str, default: Any = None) -> Any:
        found = stored.get(column)
        return found[0] if found else default

    def texts(column: str) -> list[str]:
        return [value.decode() for value in stored.get(column, [])]

    return {
        "id": first("id"),
        "thread_id": first("thread_id"),
        "month": first("month"),
        "by": "".join(texts("by")),
        "time": first("time"),
        "text": first("text", ""),
        "company": first("company"),
        "roles": stored.get("roles", []),
        "locations": stored.get("locations", []),
        "remote": first("remote", False),
        "onsite": first("onsite", False),
        "hybrid": first("hybrid", False),
        "salary_min": first("salary_min", math.nan),
        "salary_max": first("salary_max", math.nan),
        "salary_currency": first("salary_currency"),
        "visa": first("visa"),
        "employment_types": stored.get("employment_types", []),
        "urls": texts("urls"),
        "emails": texts("emails"),
        "hn_url": "".join(texts("hn_url")),
    }


def translate(query: Query | Term, schema: tantivy.Schema) -> tantivy.Query:
    """The tantivy query object with the meaning of :meth:`Query.matches`."""
    if isinstance(query, Term):
        return _translate_term(query, schema)
    clauses = [(tantivy.Occur.Must, translate(clause, schema)) for clause in query.must]
    clauses += [(tantivy.Occur.Should, translate(clause, schema)) for clause in query.should]
    clauses += [(tantivy.Occur.MustNot, translate(clause, schema)) for clause in query.must_not]
    if not query.must and not query.should:
        # A boolean query of only exclusions matches nothing in tantivy; exclude from "all".
        clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    # With a Must clause present, tantivy treats Should clauses as optional; keep the OR.
    needs_one = 1 if query.should and query.must else None
    return tantivy.Query.boolean_query(clauses, needs_one)


def _translate_term(term: Term, schema: tantivy.Schema) -> tantivy.Query:
    spec = term.spec
    if spec.kind == "text":
        tokens = list(term.tokens)
        if len(tokens) == 1:
            return tantivy.Query.term_query(schema, spec.column, tokens[0])
        return tantivy.Query.phrase_query(schema, spec.column, tokens)
    if spec.kind == "number":
        value = float(term.value)
        lower = value if term.op in ("=", ">", ">=") else None
        upper = value if term.op in ("=", "<", "<=") else None
        return tantivy.Query.range_query(
            schema,
            spec.column,
            tantivy.FieldType.Float,
            lower_bound=lower,
            upper_bound=upper,
            include_lower=term.op != ">",
            include_upper=term.op != "<",
        )
    return tantivy.Query.term_query(schema, spec.column, term.value)


class LocalIndex(SearchIndex):
    """tantivy on disk at ``path``.

    Any number of processes may search the folder and write to it. Writes take tantivy's
    writer lock (a lock file, exclusive across processes) and wait up to
    ``writer_lock_timeout_s`` for it; everything a write decides about what is already indexed
    is decided while holding it, so concurrent writers of the same ids leave one copy of each.
    Each write is one commit: it lands completely or not at all. This process's reads see its
    own writes when they return, and another process's commits shortly after (tantivy watches
    the index's meta.json).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        writer_heap_bytes: int = 256_000_000,
        writer_threads: int | None = None,
        writer_lock_timeout_s: float = 120.0,
    ) -> None:
        self.path = Path(path)
        self.writer_heap_bytes = writer_heap_bytes
        # None: one indexing thread for small writes (each thread writes its own segment, and
        # small segments only cost merges later), one per core (tantivy's 0) for bulk loads.
        self.writer_threads = writer_threads
        # Long enough to outlast another process's bulk build; bounded so that a writer stuck
        # elsewhere makes this one fail with a message instead of hanging a refresh.
        self.writer_lock_timeout_s = writer_lock_timeout_s
        self._index: tantivy.Index | None = None

    def __repr__(self) -> str:
        return f"LocalIndex({str(self.path)!r})"

    # --- lifecycle -----------------------------------------------------------------------
    def ensure_index(self) -> None:
        if self._exists():
            self._open()
            return
        self.path.mkdir(parents=True, exist_ok=True)
        # The marker goes first and in one rename: a process that finds the index created by
        # a concurrent ensure_index must never find it without its schema version.
        marker = self.path / _MARKER
        staged = marker.with_name(f"{_MARKER}.{uuid.uuid4().hex}.tmp")
        staged.write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
        staged.replace(marker)
        # reuse=True: if another process created the index since the check above, open it.
        index = tantivy.Index(_schema(), path=str(self.path), reuse=True)
        _register_analyzers(index)
        self._index = index

    def close(self) -> None:
        self._index = None

    def _exists(self) -> bool:
        return self.path.is_dir() and tantivy.Index.exists(str(self.path))

    def _open(self) -> tantivy.Index:
        if self._index is not None:
            return self._index
        if not self._exists():
            raise IndexNotFoundError(
                f"no search index at {self.path}: build it with `hn-jobs refresh` or by "
                "materializing the jobs_index asset"
            )
        marker = self.path / _MARKER
        try:
            version = json.loads(marker.read_text())["schema_version"]
        except (OSError, ValueError, KeyError):
            version = None
        if version != SCHEMA_VERSION:
            raise SearchIndexError(
                f"the index at {self.path} has schema version {version}, this code needs "
                f"{SCHEMA_VERSION}: delete that folder and rebuild it with `hn-jobs refresh`"
            )
        try:
            index = tantivy.Index.open(str(self.path))
        except ValueError as exc:
            raise SearchIndexError(
                f"cannot open the index at {self.path} ({exc}): delete that folder and rebuild "
                "it with `hn-jobs refresh`"
            ) from exc
        _register_analyzers(index)
        self._index = index
        return index

    @contextmanager
    def _writer(self, docs: int = 0) -> Iterator[tantivy.IndexWriter]:
        """Hold the index's writer lock for one commit of what the body adds and deletes.

        tantivy gives a new writer the segments of the last commit on disk, so deletes issued
        here also reach documents that another process committed while this one waited.
        """
        index = self._open()
        bulk = docs >= _BULK_DOCS
        threads = self.writer_threads
        if threads is None:
            threads = 0 if bulk else 1
        # A small write needs little indexing memory, and a smaller arena is quicker to set up.
        heap = self.writer_heap_bytes if bulk else min(self.writer_heap_bytes, _SMALL_WRITE_HEAP)
        writer = self._acquire_writer(index, heap, threads)
        try:
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
        finally:
            # Consumes the writer, which releases the lock now rather than when the object is
            # collected (a traceback that holds this frame would keep the lock otherwise), and
            # lets the merge a commit may start finish, so that segments do not pile up.
            writer.wait_merging_threads()
        # The reader would notice the commit by itself, but only after a delay.
        index.reload()

    def _acquire_writer(self, index: tantivy.Index, heap: int, threads: int) -> tantivy.IndexWriter:
        deadline = time.monotonic() + self.writer_lock_timeout_s
        pause = _LOCK_POLL_FIRST_S
        waiting = False
        while True:
            try:
                return index.writer(heap, threads)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise IndexWriteError(f"cannot write to {self.path}: {exc}", []) from exc
                left = deadline - time.monotonic()
                if left <= 0:
                    raise IndexWriteError(
                        f"the search index at {self.path} is still being written by another "
                        f"writer after waiting {self.writer_lock_timeout_s:g}s (another "
                        "`hn-jobs refresh` or jobs_index run?); let it finish and run this "
                        "again, or pass a longer writer_lock_timeout_s to LocalIndex",
                        [],
                    ) from exc
            if not waiting:
                waiting = True
                logger.info(
                    "waiting up to %gs for another writer of the search index at %s",
                    self.writer_lock_timeout_s,
                    self.path,
                )
            # Jitter keeps several waiting processes from polling in lockstep.
            time.sleep(min(left, pause * random.uniform(0.5, 1.0)))
            pause = min(pause * 2, _LOCK_POLL_MAX_S)

    # --- writes --------------------------------------------------------------------------
    def upsert(self, docs: Sequence[dict[str, Any]]) -> int:
        normalized = normalize_documents(docs)
        index = self._open()
        if not normalized:
            return 0
        batch = tantivy.Query.term_set_query(
            index.schema, "id", sorted(doc["id"] for doc in normalized)
        )
        with self._writer(len(normalized)) as writer:
            # Delete every copy of the batch's ids instead of looking up which are present
            # first: a lookup before the lock races with another process writing the same ids,
            # and both would add theirs. tantivy applies a delete to documents with an older
            # opstamp only, so it removes what was committed and spares the adds below.
            writer.delete_documents_by_query(batch)
            # Converting here overlaps this thread's work with tantivy's indexing threads; a
            # failure rolls the whole batch back.
            for doc in normalized:
                writer.add_document(_to_tantivy_document(doc))
        return len(normalized)

    def delete(self, ids: Iterable[int]) -> int:
        wanted = sorted({int(post_id) for post_id in ids})
        index = self._open()
        if not wanted:
            return 0
        chosen = tantivy.Query.term_set_query(index.schema, "id", wanted)
        with self._writer() as writer:
            # Counted under the lock, from the commit the writer starts from, so that two
            # processes deleting the same ids do not both report them.
            index.reload()
            present = len(self._ids(chosen))
            writer.delete_documents_by_query(chosen)
        return present

    # --- reads ---------------------------------------------------------------------------
    def _ids(self, query: tantivy.Query) -> set[int]:
        searcher = self._open().searcher()
        total = searcher.search(query, 1, count=True).count
        if not total:
            return set()
        addresses = [address for _, address in searcher.search(query, total, count=False).hits]
        return {int(value) for value in searcher.fast_field_values("id", addresses)}

    def _filtered(self, query: Query | None, months: Sequence[str] | None) -> tantivy.Query:
        schema = self._open().schema
        translated = tantivy.Query.all_query() if query is None else translate(query, schema)
        checked = validate_months(months)
        if checked is None:
            return translated
        # Score 0 so the month filter leaves the ranking alone (an Elasticsearch "filter").
        in_months = tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(schema, "month", checked), 0.0
        )
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, translated), (tantivy.Occur.Must, in_months)]
        )

    def ids_for_month(self, month: str) -> set[int]:
        schema = self._open().schema
        return self._ids(tantivy.Query.term_query(schema, "month", validate_month(month)))

    def matching_ids(self, query: Query, *, months: Sequence[str] | None = None) -> set[int]:
        return self._ids(self._filtered(query, months))

    def count(self, query: Query | None = None, *, months: Sequence[str] | None = None) -> int:
        searcher = self._open().searcher()
        return int(searcher.search(self._filtered(query, months), 1, count=True).count)

    def search(
        self,
        query: Query,
        *,
        size: int = 20,
        sort: Sort = "score",
        months: Sequence[str] | None = None,
    ) -> list[Hit]:
        validate_search(size, sort)
        translated = self._filtered(query, months)
        searcher = self._open().searcher()
        if sort == "time":
            found = searcher.search(
                translated, size, count=False, order_by_field="time", order=tantivy.Order.Desc
            )
        else:
            found = searcher.search(translated, size, count=False)
        hits = []
        for rank_value, address in found.hits:
            fields = _from_stored(searcher.doc(address).to_dict())
            score = float(rank_value) if sort == "score" else 0.0
            hits.append(Hit(id=int(fields["id"]), score=score, fields=fields))
        return hits
