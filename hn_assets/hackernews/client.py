"""Clients for the Hacker News Firebase API: the live HTTP one and the sample archive.

Both implement :class:`HackerNewsClient`, a plain-Python interface (the Dagster resource in
``hn_assets.defs.resources`` wraps it).  ``items`` never raises for a single bad item: it returns
what arrived and, separately, the ids whose retry budget ran out, so a caller can keep the
former and report the latter.
"""

from __future__ import annotations

import abc
import copy
import email.utils
import json
import os
import random
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from tqdm.auto import tqdm

if TYPE_CHECKING:
    from hn_assets.hackernews.sample_archive import SampleArchive

DEFAULT_API_URL = "https://hacker-news.firebaseio.com/v0"
USER_AGENT = "hn-whos-hiring/0.1 (+https://github.com/; Dagster who's-hiring pipeline)"
# Retry-After values beyond this are not waited for inside one request; the item is reported
# as failed instead, so a run never sleeps for hours on a hostile header.
MAX_RETRY_AFTER_S = 120.0


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


class _RequestError(Exception):
    attempts: int = 1


class _RetryableError(_RequestError):
    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class _FatalError(_RequestError):
    """An answer that retrying will not change (a 404 for a wrong base URL, a 401...)."""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date form)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.now(UTC).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


class LiveHackerNewsClient(HackerNewsClient):
    """The HN Firebase API over HTTP, with pooled connections, bounded concurrency and
    retries with exponential backoff and jitter."""

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
        # requests re-reads proxy settings from the environment on every request, which costs
        # about as much CPU as the request itself; read them once for the API's host instead.
        self._session.proxies = requests.utils.get_environ_proxies(self.base_url)
        self._session.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        self._session.trust_env = False
        # Retries are ours (they need jitter, Retry-After and JSON checks), so urllib3's are off.
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max_workers, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._lock = threading.Lock()
        self._requests = 0
        self._jitter = random.Random()
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

    def _count_request(self) -> None:
        with self._lock:
            self._requests += 1

    def _attempt(self, url: str) -> Any:
        self._count_request()
        try:
            # A prepared request skips Session.request's per-call merging of cookies, auth and
            # settings (a quarter of the client's CPU per item); the session still pools,
            # proxies and verifies. Firebase never redirects, so a 3xx is reported, not followed.
            prepared = requests.Request("GET", url, headers=self._session.headers).prepare()
            response = self._session.send(prepared, timeout=self.timeout_s, allow_redirects=False)
        except requests.Timeout as exc:
            raise _RetryableError(f"timed out after {self.timeout_s:g}s") from exc
        except requests.ConnectionError as exc:
            raise _RetryableError(f"connection error: {type(exc).__name__}") from exc
        status = response.status_code
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise _RetryableError(f"HTTP {status}", retry_after)
        if status >= 300:
            raise _FatalError(
                f"HTTP {status} for {url}; check HN_API_URL (default {DEFAULT_API_URL})"
            )
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise _RetryableError("malformed JSON") from exc

    def _backoff(self, attempt: int, retry_after_s: float | None) -> float:
        ceiling = min(self.backoff_max_s, self.backoff_base_s * (2**attempt))
        # "Equal jitter": never less than half the exponential step, spread over the rest.
        delay = ceiling / 2 + self._jitter.uniform(0, ceiling / 2)
        if retry_after_s is not None:
            delay = max(delay, retry_after_s)
        return delay

    def _get_json(self, path: str) -> tuple[Any, int]:
        """(decoded JSON, requests made); raises a _RequestError carrying ``attempts``."""
        url = f"{self.base_url}/{path}"
        attempt = 0
        while True:
            try:
                return self._attempt(url), attempt + 1
            except _FatalError as exc:
                exc.attempts = attempt + 1
                raise
            except _RetryableError as exc:
                too_long = exc.retry_after_s is not None and exc.retry_after_s > MAX_RETRY_AFTER_S
                if attempt == self.max_retries or too_long:
                    spent = _RetryableError(f"{exc} (after {attempt + 1} attempts)")
                    spent.attempts = attempt + 1
                    raise spent from exc
                self._sleep(self._backoff(attempt, exc.retry_after_s))
                attempt += 1

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
