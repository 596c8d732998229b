"""Clients for the Hacker News Firebase API: the live HTTP one and the sample archive.

Both implement :class:`HackerNewsClient`, a plain-Python interface (the Dagster resource in
``hn_assets.defs.resources`` wraps it).  ``items`` never raises for a single bad item: it returns
what arrived and, separately, the ids whose retry budget ran out, so a caller can keep the
former and report the latter.
"""

from __future__ import annotations

import abc
import copy
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

import requests
import tenacity
from requests.adapters import HTTPAdapter
from tqdm.auto import tqdm
from urllib3 import BaseHTTPResponse
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util.retry import Retry

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool

    from hn_assets.hackernews.sample_archive import SampleArchive

DEFAULT_API_URL = "https://hacker-news.firebaseio.com/v0"
USER_AGENT = "hn-whos-hiring/0.1 (+https://github.com/; Dagster who's-hiring pipeline)"
# Retry-After values beyond this are not waited for inside one request; the item is reported
# as failed instead, so a run never sleeps for hours on a hostile header.
MAX_RETRY_AFTER_S = 120.0
# Answers worth asking again: rate limiting and server-side failures.
RETRY_STATUSES = frozenset({429, *range(500, 600)})


class FetchError(RuntimeError):
    """Some items could not be fetched after every retry.

    ``item_ids`` names them; ``errors`` holds the last error per id. Batches never raise it
    for single items (see :class:`ItemBatch`): a caller keeps what arrived and reports the rest.
    """

    def __init__(
        self,
        item_ids: Iterable[int],
        errors: dict[int, str] | None = None,
        *,
        what: str = "Hacker News item",
    ) -> None:
        self.item_ids: list[int] = sorted(item_ids)
        self.errors: dict[int, str] = dict(errors or {})
        hint = (
            "If it keeps failing, check HN_API_URL and the network, or raise the client's "
            "max_retries / timeout_s."
        )
        if not self.item_ids:
            super().__init__(f"Could not fetch {what}. Re-run to try again. {hint}")
            return
        shown = ", ".join(
            f"{item_id} ({self.errors[item_id]})" if item_id in self.errors else str(item_id)
            for item_id in self.item_ids[:20]
        )
        more = f" and {len(self.item_ids) - 20} more" if len(self.item_ids) > 20 else ""
        super().__init__(
            f"Could not fetch {len(self.item_ids)} {what}(s) after retrying: {shown}{more}. "
            f"Everything fetched so far is kept; re-run to fetch only the missing items. {hint}"
        )


@dataclass
class ItemBatch:
    items: dict[int, dict | None]  # id -> item JSON (None when the API returned null)
    failed: dict[int, str] = field(default_factory=dict)  # id -> last error
    requests: int = 0  # HTTP requests made, retries included


class HackerNewsClient(abc.ABC):
    """The three calls the pipeline needs from the HN API."""

    @abc.abstractmethod
    def user(self, username: str) -> dict | None:
        """The user's JSON, or ``None`` when HN has no such user."""

    @abc.abstractmethod
    def item(self, item_id: int) -> dict | None:
        """The item's JSON, or ``None`` when the API returns ``null``. Raises FetchError."""

    @abc.abstractmethod
    def items(self, ids: Iterable[int]) -> ItemBatch:
        """Many items at once; per-item failures are reported in ``ItemBatch.failed``."""

    @property
    @abc.abstractmethod
    def requests_made(self) -> int:
        """Requests made since construction, retries included."""

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections and threads."""

    def __enter__(self) -> HackerNewsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Retry(Retry):
    """urllib3's ``Retry`` with the waits routed through ``sleep`` (so a test records them
    instead of waiting), an unreadable ``Retry-After`` ignored rather than raised, and a
    ``Retry-After`` beyond :data:`MAX_RETRY_AFTER_S` ending the retries at once."""

    def __init__(
        self, *args: Any, sleep: Callable[[float], None] = time.sleep, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sleep_for = sleep

    def new(self, **kw: Any) -> _Retry:
        kw.setdefault("sleep", self.sleep_for)
        return super().new(**kw)

    def retry_after_s(self, response: BaseHTTPResponse | None) -> float | None:
        if response is None or not self.respect_retry_after_header:
            return None
        try:
            return self.get_retry_after(response)
        except InvalidHeader:
            return None

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> _Retry:
        retry_after = self.retry_after_s(response)
        if retry_after is not None and retry_after > MAX_RETRY_AFTER_S:
            # urllib3 hands the answer back (raise_on_status=False), so it is reported as is.
            raise MaxRetryError(_pool, url, ResponseError(f"Retry-After {retry_after:g}s"))
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        delay = self.retry_after_s(response) or self.get_backoff_time()
        if delay > 0:
            self.sleep_for(delay)


class _RequestError(Exception):
    """A request given up on; ``attempts`` is how many HTTP requests it cost."""

    def __init__(self, reason: str, attempts: int, *, retried: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
        self.retried = retried

    def __str__(self) -> str:
        if not self.retried:
            return self.reason
        return f"{self.reason} (after {self.attempts} attempts)"


class _BadBody(_RequestError):
    """The answer came but its body broke off or is not JSON. urllib3's retries end once the
    headers arrive, so the client asks again itself, from what is left of the same budget."""


def _attempts(response: requests.Response) -> int:
    retries = getattr(response.raw, "retries", None)
    return len(retries.history) + 1 if retries is not None else 1


def _retries_spent(error: requests.RequestException) -> bool:
    # requests wraps urllib3's MaxRetryError only once every retry is spent.
    return bool(error.args) and isinstance(error.args[0], MaxRetryError)


def _transport_reason(error: requests.RequestException, timeout_s: float) -> str:
    cause = error.args[0] if error.args else error
    if isinstance(cause, MaxRetryError):
        cause = cause.reason
    timed_out = isinstance(error, requests.Timeout) or (
        isinstance(cause, ReadTimeoutError | ConnectTimeoutError)
        and not isinstance(cause, NewConnectionError)
    )
    if timed_out:
        return f"timed out after {timeout_s:g}s"
    return f"connection error: {type(cause).__name__}"


class LiveHackerNewsClient(HackerNewsClient):
    """The HN Firebase API over HTTP, with pooled connections, bounded concurrency and
    urllib3's retries: exponential backoff with jitter, ``Retry-After`` honoured."""

    def __init__(
        self,
        base_url: str = DEFAULT_API_URL,
        *,
        timeout_s: float = 10.0,
        max_workers: int = 16,
        max_retries: int = 5,
        backoff_base_s: float = 0.25,
        backoff_max_s: float = 20.0,
    ) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, got {max_workers}")
        if max_retries < 0:
            raise ValueError(f"max_retries must be zero or more, got {max_retries}")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s}")
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(
                f"HN API base URL must start with http:// or https://, got {base_url!r} "
                f"(set HN_API_URL, default {DEFAULT_API_URL})"
            )
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.max_workers = max_workers
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        # requests re-reads proxy settings from the environment on every request, a cost that
        # rivals the request's own; read them once for the API's host instead.
        self._session.proxies = requests.utils.get_environ_proxies(self.base_url)
        self._session.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        self._session.trust_env = False
        # One budget (total) covers refused connections, timeouts and 429/5xx answers alike.
        retry = _Retry(
            total=max_retries,
            allowed_methods=frozenset({"GET"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_base_s,
            backoff_max=backoff_max_s,
            backoff_jitter=backoff_base_s,
            # The last 429/5xx comes back as a response, so the report can name its status.
            raise_on_status=False,
            sleep=lambda seconds: self._sleep(seconds),
        )
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max_workers, max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._lock = threading.Lock()
        self._requests = 0
        self._sleep: Callable[[float], None] = time.sleep

    @property
    def requests_made(self) -> int:
        with self._lock:
            return self._requests

    def close(self) -> None:
        self._session.close()

    def __repr__(self) -> str:
        return f"LiveHackerNewsClient({self.base_url!r}, max_workers={self.max_workers})"

    # -- one request ------------------------------------------------------------------------

    def _count_requests(self, n: int) -> None:
        with self._lock:
            self._requests += n

    def _send(self, url: str) -> tuple[Any, int]:
        """(decoded JSON, requests made) for one GET, urllib3's retries included."""
        # A prepared request skips Session.request's per-call merging of cookies, auth and
        # settings, a large share of the client's CPU per item; the session still pools,
        # proxies and verifies. Firebase never redirects, so a 3xx is reported, not followed.
        prepared = requests.Request("GET", url, headers=self._session.headers).prepare()
        try:
            # stream=True keeps the response (and its retry history) when the body fails.
            response = self._session.send(
                prepared, timeout=self.timeout_s, allow_redirects=False, stream=True
            )
        except requests.RequestException as exc:
            spent = self.max_retries + 1 if _retries_spent(exc) else 1
            raise _RequestError(_transport_reason(exc, self.timeout_s), spent) from exc
        attempts = _attempts(response)
        try:
            body = response.content
        except requests.RequestException as exc:
            raise _BadBody(_transport_reason(exc, self.timeout_s), attempts) from exc
        status = response.status_code
        if status in RETRY_STATUSES:
            raise _RequestError(f"HTTP {status}", attempts)
        if status >= 300:
            raise _RequestError(
                f"HTTP {status} for {url}; check HN_API_URL (default {DEFAULT_API_URL})",
                attempts,
                retried=False,
            )
        try:
            return json.loads(body), attempts
        except ValueError as exc:
            raise _BadBody("malformed JSON", attempts) from exc

    def _get_json(self, path: str) -> tuple[Any, int]:
        """(decoded JSON, requests made); raises a _RequestError carrying ``attempts``.

        urllib3 retries connections, timeouts and 429/5xx inside each :meth:`_send`; a body
        that breaks off or is not JSON is asked for again here, until the requests of both
        together pass the budget of ``max_retries`` retries.
        """
        url = f"{self.base_url}/{path}"
        spent = 0
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_BadBody),
            stop=lambda _: spent > self.max_retries,
            # The transport retries' knobs: doubling from backoff_base_s, with jitter, capped.
            wait=tenacity.wait_exponential(multiplier=self.backoff_base_s, max=self.backoff_max_s)
            + tenacity.wait_random(0, self.backoff_base_s),
            sleep=lambda seconds: self._sleep(seconds),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    try:
                        value, attempts = self._send(url)
                    except _RequestError as exc:
                        spent += exc.attempts
                        raise
                    spent += attempts
        except _RequestError as exc:
            exc.attempts = spent
            raise
        finally:
            self._count_requests(spent)
        return value, spent

    # -- public API -------------------------------------------------------------------------

    def user(self, username: str) -> dict | None:
        try:
            value, _ = self._get_json(f"user/{username}.json")
        except _RequestError as exc:
            raise FetchError([], what=f"HN user {username!r} from {self.base_url}: {exc}") from exc
        return _as_object(value)

    def item(self, item_id: int) -> dict | None:
        try:
            value, _ = self._get_json(f"item/{int(item_id)}.json")
        except _RequestError as exc:
            raise FetchError([item_id], {item_id: str(exc)}) from exc
        return _as_object(value)

    def max_item(self) -> int:
        try:
            value, _ = self._get_json("maxitem.json")
        except _RequestError as exc:
            raise FetchError([], what=f"the max item id: {exc}") from exc
        return int(value)

    def _fetch_one(self, item_id: int) -> tuple[int, dict | None, str | None, int]:
        try:
            value, requests_made = self._get_json(f"item/{item_id}.json")
        except _RequestError as exc:
            return item_id, None, str(exc), exc.attempts
        if value is not None and not isinstance(value, dict):
            return item_id, None, f"unexpected JSON {type(value).__name__}", requests_made
        return item_id, value, None, requests_made

    def items(self, ids: Iterable[int], *, progress: bool = False) -> ItemBatch:
        unique_ids = list(dict.fromkeys(int(i) for i in ids))
        batch = ItemBatch(items={})
        if not unique_ids:
            return batch
        workers = min(self.max_workers, len(unique_ids))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hn-fetch")
        try:
            with tqdm(
                total=len(unique_ids), desc="HN items", unit="item", disable=not progress
            ) as bar:
                futures = [pool.submit(self._fetch_one, item_id) for item_id in unique_ids]
                for future in as_completed(futures):
                    item_id, value, error, requests_made = future.result()
                    batch.requests += requests_made
                    if error is None:
                        batch.items[item_id] = value
                    else:
                        batch.failed[item_id] = error
                    bar.update()
        finally:
            # On Ctrl-C or a cancelled run, drop the queue instead of fetching it all first.
            pool.shutdown(wait=True, cancel_futures=True)
        return batch


def _as_object(value: Any) -> dict | None:
    if value is None or isinstance(value, dict):
        return value
    raise FetchError([], what=f"a JSON object (the API sent a {type(value).__name__})")


class SampleArchiveClient(HackerNewsClient):
    """Serves a :class:`SampleArchive` in-process, with the live client's semantics: unknown
    ids are ``null`` and every lookup counts as one request."""

    def __init__(self, archive: SampleArchive) -> None:
        self.archive = archive
        self._lock = threading.Lock()
        self._requests = 0

    @property
    def requests_made(self) -> int:
        with self._lock:
            return self._requests

    def _count(self, n: int = 1) -> None:
        with self._lock:
            self._requests += n

    def user(self, username: str) -> dict | None:
        self._count()
        user = self.archive.users.get(username)
        return copy.deepcopy(user) if user is not None else None

    def item(self, item_id: int) -> dict | None:
        self._count()
        item = self.archive.items.get(int(item_id))
        # Copies, so that callers can never edit the shared, cached archive.
        return copy.deepcopy(item) if item is not None else None

    def items(self, ids: Iterable[int], *, progress: bool = False) -> ItemBatch:
        unique_ids = list(dict.fromkeys(int(i) for i in ids))
        self._count(len(unique_ids))
        return ItemBatch(
            items={
                i: copy.deepcopy(self.archive.items[i]) if i in self.archive.items else None
                for i in unique_ids
            },
            requests=len(unique_ids),
        )
