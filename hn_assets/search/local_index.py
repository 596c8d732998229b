"""The embedded search backend: a tantivy index in a folder (default under ``HN_DATA_DIR``).

Queries are translated clause by clause into tantivy query objects (term, phrase, range and
boolean queries), never into tantivy's query-string syntax, so the meaning is exactly
:meth:`Query.matches` and no user text is re-parsed by another grammar.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
import tenacity

from hn_assets.search.analysis import KEYWORD_ANALYZER, TEXT_ANALYZER
from hn_assets.search.backends import Hit, SearchIndex, Sort, validate_months
from hn_assets.search.documents import normalize_documents
from hn_assets.search.errors import IndexNotFoundError, IndexWriteError, SearchIndexError
from hn_assets.search.query import Query, Term, validate_month
from hn_assets.search.schema import INTEGER_TYPES, POST_SCHEMA, PostField, PostSchema, Search, Type

#: Bumped whenever the indexing of a field or the analysis changes; an older index must be
#: rebuilt. (Fields added to or removed from the schema are noticed without it.)
SCHEMA_VERSION = 2
_MARKER = "hn_search_index.json"
#: Polls of a busy writer lock start this far apart and back off to the maximum (tantivy only
#: tries the lock, it cannot wait for it).
_LOCK_POLL_FIRST_S = 0.01
_LOCK_POLL_MAX_S = 0.2
_BULK_DOCS = 10_000
_SMALL_WRITE_HEAP = 50_000_000

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Kind:
    """How tantivy holds one kind of post field: the schema builder call that declares it, the
    Document method that adds a value, and conversions on the way in and out."""

    declare: Callable[[tantivy.SchemaBuilder, str], object]
    add: Callable[[tantivy.Document, str, Any], object]
    write: Callable[[Any], Any] | None = None
    read: Callable[[Any], Any] | None = None


_Doc = tantivy.Document
#: In the order fields are declared: grouped by kind as SCHEMA_VERSION 2 laid them out, so that
#: the schema built here equals that of indexes built before it was derived (ensure_index hands
#: it to tantivy, which refuses to reuse an index whose schema differs).
_KINDS: dict[str, _Kind] = {
    "key": _Kind(lambda b, name: b.add_integer_field(name, stored=True, indexed=True, fast=True), _Doc.add_integer),
    "text": _Kind(lambda b, name: b.add_text_field(name, stored=True, tokenizer_name=TEXT_ANALYZER), _Doc.add_text),
    "keyword": _Kind(lambda b, name: b.add_text_field(name, stored=True, tokenizer_name=KEYWORD_ANALYZER, index_option="basic"), _Doc.add_text),
    "bool": _Kind(lambda b, name: b.add_boolean_field(name, stored=True, indexed=True), _Doc.add_boolean),
    # Integers are indexed as floats too, so that one kind of range query serves every number.
    "number": _Kind(lambda b, name: b.add_float_field(name, stored=True, indexed=True, fast=True), _Doc.add_float),
    "integer number": _Kind(lambda b, name: b.add_float_field(name, stored=True, indexed=True, fast=True), _Doc.add_float, float, int),
    # Columns that nothing here searches are only stored: strings as UTF-8 bytes, which tantivy
    # does not index.
    "stored integer": _Kind(lambda b, name: b.add_integer_field(name, stored=True), _Doc.add_integer),
    "stored float": _Kind(lambda b, name: b.add_float_field(name, stored=True), _Doc.add_float),
    "stored bool": _Kind(lambda b, name: b.add_boolean_field(name, stored=True), _Doc.add_boolean),
    "stored string": _Kind(lambda b, name: b.add_bytes_field(name, stored=True, indexed=False), _Doc.add_bytes, str.encode, bytes.decode),
}  # fmt: skip
_SEARCHED_KINDS = {
    Search.KEY: "key",
    Search.TEXT: "text",
    Search.KEYWORD: "keyword",
    Search.MONTH: "keyword",
    Search.BOOL: "bool",
}
_STORED_KINDS = {
    Type.INT: "stored integer",
    Type.TIMESTAMP: "stored integer",
    Type.FLOAT: "stored float",
    Type.BOOL: "stored bool",
}


def _kind_name(field: PostField) -> str:
    if field.search is Search.NUMBER:
        return "integer number" if field.type in INTEGER_TYPES else "number"
    if field.search in _SEARCHED_KINDS:
        return _SEARCHED_KINDS[field.search]
    return _STORED_KINDS.get(field.type, "stored string")


@dataclass(frozen=True)
class _Column:
    """One post field in tantivy."""

    name: str
    kind_name: str
    many: bool  # a list: one value added per item
    empty: Any  # what the field reads as when nothing is stored

    @property
    def kind(self) -> _Kind:
        return _KINDS[self.kind_name]


class _Layout:
    """A post schema as tantivy fields: the tantivy schema, and documents both ways."""

    def __init__(self, schema: PostSchema) -> None:
        self.columns = [
            _Column(
                field.name,
                _kind_name(field),
                many=field.type is Type.STR_LIST,
                empty=field.default,
            )
            for field in schema
        ]
        self.names = frozenset(schema.columns)
        # Unpacked once: converting documents is a large share of the indexing time.
        self._plan = [(c.name, c.kind.add, c.many, c.kind.write) for c in self.columns]

    def schema(self) -> tantivy.Schema:
        builder = tantivy.SchemaBuilder()
        order = list(_KINDS)
        for column in sorted(self.columns, key=lambda column: order.index(column.kind_name)):
            column.kind.declare(builder, column.name)
        return builder.build()

    def document(self, doc: dict[str, Any]) -> tantivy.Document:
        converted = tantivy.Document()
        for name, add, many, write in self._plan:
            value = doc[name]
            if many:
                for item in value:
                    add(converted, name, item if write is None else write(item))
            # An unknown value (None / NaN) is left out, so that no condition can match it.
            elif value is not None and value == value:
                add(converted, name, value if write is None else write(value))
        return converted

    def fields(self, stored: dict[str, list[Any]]) -> dict[str, Any]:
        """The post fields of a stored document (``Document.to_dict()``)."""
        fields = {}
        for column in self.columns:
            values = stored.get(column.name, [])
            read = column.kind.read
            if read is not None:
                values = [read(value) for value in values]
            if column.many:
                fields[column.name] = values
            else:
                fields[column.name] = values[0] if values else column.empty
        return fields


def _lock_busy(error: BaseException) -> bool:
    """tantivy only tries its writer lock: a busy lock is a ValueError naming LockBusy."""
    return isinstance(error, ValueError) and "LockBusy" in str(error)


def _read_json(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; empty when it is missing or not an object."""
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


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
        schema: PostSchema = POST_SCHEMA,
    ) -> None:
        self.path = Path(path)
        self.schema = schema
        self._layout = _Layout(schema)
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
        """Open the index, or create it; one built for other post fields is rebuilt empty
        (it is derived from clean_posts, and every month's jobs_index fills it again)."""
        if self._exists():
            try:
                self._open()
                return
            except SearchIndexError as outdated:
                self._discard(outdated)
        self.path.mkdir(parents=True, exist_ok=True)
        # The marker goes first and in one rename: a process that finds the index created by
        # a concurrent ensure_index must never find it without its schema version.
        marker = self.path / _MARKER
        staged = marker.with_name(f"{_MARKER}.{uuid.uuid4().hex}.tmp")
        staged.write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
        staged.replace(marker)
        # reuse=True: if another process created the index since the check above, open it.
        index = tantivy.Index(self._layout.schema(), path=str(self.path), reuse=True)
        _register_analyzers(index)
        self._index = index

    def close(self) -> None:
        self._index = None

    def _discard(self, reason: SearchIndexError) -> None:
        logger.warning("rebuilding the search index at %s: %s", self.path, reason)
        aside = self.path.with_name(f"{self.path.name}.outdated-{uuid.uuid4().hex}")
        try:
            self.path.rename(aside)
        except FileNotFoundError:
            return  # another process moved it first, and creates the new one as this one will
        shutil.rmtree(aside, ignore_errors=True)

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
        self._check_built_for_this_schema()
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

    def _check_built_for_this_schema(self) -> None:
        rebuild = "delete that folder and rebuild it with `hn-jobs refresh`"
        version = _read_json(self.path / _MARKER).get("schema_version")
        if version != SCHEMA_VERSION:
            raise SearchIndexError(
                f"the index at {self.path} has schema version {version}, this code needs "
                f"{SCHEMA_VERSION}: {rebuild}"
            )
        # tantivy's own record of the index's fields; an unreadable one is left to
        # tantivy.Index.open to report.
        fields = _read_json(self.path / "meta.json").get("schema")
        if not isinstance(fields, list):
            return
        found = {field.get("name") for field in fields if isinstance(field, dict)}
        if found != self._layout.names:
            missing = ", ".join(sorted(self._layout.names - found)) or "none"
            extra = ", ".join(sorted(str(name) for name in found - self._layout.names)) or "none"
            raise SearchIndexError(
                f"the index at {self.path} was built for other post fields (missing: {missing}; "
                f"no longer in the schema: {extra}): {rebuild}"
            )

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
        timeout = self.writer_lock_timeout_s
        # Jitter keeps several waiting processes from polling in lockstep.
        backoff = tenacity.wait_random_exponential(
            multiplier=_LOCK_POLL_FIRST_S, max=_LOCK_POLL_MAX_S
        )
        polls = tenacity.Retrying(
            retry=tenacity.retry_if_exception(_lock_busy),
            stop=tenacity.stop_after_delay(timeout),
            # The last poll falls on the deadline, not a pause after it.
            wait=lambda state: min(backoff(state), max(0.0, timeout - state.seconds_since_start)),
            before_sleep=self._log_wait,
            reraise=True,
        )
        try:
            return polls(index.writer, heap, threads)
        except ValueError as exc:
            if not _lock_busy(exc):
                raise IndexWriteError(f"cannot write to {self.path}: {exc}", []) from exc
            raise IndexWriteError(
                f"the search index at {self.path} is still being written by another "
                f"writer after waiting {timeout:g}s (another `hn-jobs refresh` or jobs_index "
                "run?); let it finish and run this again, or pass a longer "
                "writer_lock_timeout_s to LocalIndex",
                [],
            ) from exc

    def _log_wait(self, state: tenacity.RetryCallState) -> None:
        if state.attempt_number == 1:
            logger.info(
                "waiting up to %gs for another writer of the search index at %s",
                self.writer_lock_timeout_s,
                self.path,
            )

    # --- writes --------------------------------------------------------------------------
    def upsert(self, docs: Sequence[dict[str, Any]]) -> int:
        normalized = normalize_documents(docs, self.schema)
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
            convert = self._layout.document
            for doc in normalized:
                writer.add_document(convert(doc))
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

    def _search(self, query: Query, size: int, sort: Sort, months: list[str] | None) -> list[Hit]:
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
            fields = self._layout.fields(searcher.doc(address).to_dict())
            score = float(rank_value) if sort == "score" else 0.0
            hits.append(Hit(id=int(fields["id"]), score=score, fields=fields))
        return hits
