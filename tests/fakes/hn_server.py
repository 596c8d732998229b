"""A local stand-in for the Hacker News Firebase API, with injectable latency and faults.

Serves ``/v0/item/<id>.json``, ``/v0/user/<name>.json`` and ``/v0/maxitem.json`` from a
mutable :class:`HNStore` (so a test can add posts or switch to another archive view while the
server runs), on 127.0.0.1 and a random port.  Faults are decided per request from the seed,
the path and how many times that path was asked for, so a run is reproducible however the
client's threads interleave.

    with FakeHNServer(archive.visible(5), fault_rate=0.2) as server:
        client = LiveHackerNewsClient(server.base_url, ...)

Also runnable for end-to-end tests: ``python -m tests.fakes.hn_server --port 8765 --months 5``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

from hn_assets.hackernews.sample_archive import (
    SampleArchive,
    build_sample_archive,
    load_sample_archive,
)

FaultKind = Literal["5xx", "429", "hang", "malformed", "truncated"]
# "truncated" (the connection drops halfway through the body) is asked for by name only, so
# the seeded fault sequences of existing plans stay as they are.
ALL_FAULTS: tuple[FaultKind, ...] = ("5xx", "429", "hang", "malformed")
_ITEM_PATH = re.compile(r"^/v0/item/(\d+)\.json$")
_USER_PATH = re.compile(r"^/v0/user/([^/]+)\.json$")


class HNStore:
    """Items and users the server answers with; safe to change while it runs."""

    def __init__(self, archive: SampleArchive | None = None) -> None:
        self._lock = threading.Lock()
        self._items: dict[int, dict] = {}
        self._users: dict[str, dict] = {}
        if archive is not None:
            self.load(archive)

    def load(self, archive: SampleArchive) -> None:
        """Serve exactly this archive (view) from now on."""
        with self._lock:
            self._items = dict(archive.items)
            self._users = dict(archive.users)

    def put_item(self, item: dict, item_id: int | None = None) -> None:
        """Serve ``item`` at ``item_id`` (default its own "id": a hostile answer may differ)."""
        with self._lock:
            self._items[int(item["id"]) if item_id is None else item_id] = item

    def put_user(self, user: dict) -> None:
        with self._lock:
            self._users[str(user["id"])] = user

    def add_kids(self, parent_id: int, items: Iterable[dict]) -> list[int]:
        """Add new replies under ``parent_id`` (e.g. new posts in a thread)."""
        with self._lock:
            parent = dict(self._items[parent_id])
            kids = list(parent.get("kids", []))
            added = 0
            for item in items:
                self._items[int(item["id"])] = item
                kids.append(int(item["id"]))
                added += 1
            parent["kids"] = kids
            parent["descendants"] = parent.get("descendants", 0) + added
            self._items[parent_id] = parent
            return kids

    def item(self, item_id: int) -> dict | None:
        with self._lock:
            return self._items.get(item_id)

    def user(self, name: str) -> dict | None:
        with self._lock:
            return self._users.get(name)

    def max_item(self) -> int:
        with self._lock:
            return max(self._items, default=0)


@dataclass
class FaultPlan:
    latency_s: float = 0.0  # added to every request
    fault_rate: float = 0.0  # share of requests answered with a fault
    faults: tuple[FaultKind, ...] = ALL_FAULTS
    seed: int = 0
    retry_after: str = "0"  # header value sent with 429
    hang_s: float = 3.0  # how long a "hang" keeps the client waiting (longer than its timeout)
    always_fail: set[int] = field(default_factory=set)  # item ids that always get a 503

    def fault_for(self, path: str, nth: int) -> FaultKind | None:
        if self.fault_rate <= 0:
            return None
        rng = random.Random(f"{self.seed}:{path}:{nth}")
        if rng.random() >= self.fault_rate:
            return None
        return rng.choice(self.faults)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as Firebase does
    # Headers and body go out as two writes; with Nagle on, the body would wait for the
    # client's delayed ACK, a delay the real API does not have.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass  # quiet: tests print their own diagnostics

    def _send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        truncate: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if truncate:
            # The length promised above never arrives: the connection drops mid-body.
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        fake = self.server.fake
        path = self.path.split("?", 1)[0]
        nth = fake.count(path)
        plan = fake.plan
        try:
            if plan.latency_s:
                time.sleep(plan.latency_s)
            match = _ITEM_PATH.match(path)
            if match and int(match.group(1)) in plan.always_fail:
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, b'{"error": "unavailable"}')
                return
            fault = plan.fault_for(path, nth)
            if fault == "5xx":
                status = random.Random(f"{plan.seed}:{path}:{nth}:status").choice((500, 502, 503))
                self._send(status, b'{"error": "upstream"}')
                return
            if fault == "429":
                self._send(
                    HTTPStatus.TOO_MANY_REQUESTS,
                    b'{"error": "rate limited"}',
                    {"Retry-After": plan.retry_after},
                )
                return
            if fault == "hang":
                # Wake early when the server stops so shutdown never waits on a hang.
                fake.stopping.wait(plan.hang_s)
                self.close_connection = True
                return
            body = self._answer(path)
            if body is None:
                self._send(HTTPStatus.UNAUTHORIZED, b'{"error": "Permission denied"}')
                return
            if fault == "malformed":
                body = body[: max(1, len(body) // 2)]
            self._send(HTTPStatus.OK, body, truncate=fault == "truncated")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _answer(self, path: str) -> bytes | None:
        store = self.server.fake.store
        if match := _ITEM_PATH.match(path):
            # Firebase answers null for an unknown id, not 404.
            return json.dumps(store.item(int(match.group(1)))).encode()
        if match := _USER_PATH.match(path):
            return json.dumps(store.user(match.group(1))).encode()
        if path == "/v0/maxitem.json":
            return json.dumps(store.max_item()).encode()
        return None  # Firebase answers unknown paths with 401 "Permission denied"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 refuses bursts of reconnections from a 16-thread client.
    request_queue_size = 128
    fake: FakeHNServer


class FakeHNServer:
    """The fake API on 127.0.0.1; a context manager that starts and stops it."""

    def __init__(
        self,
        archive: SampleArchive | None = None,
        *,
        port: int = 0,
        store: HNStore | None = None,
        plan: FaultPlan | None = None,
        **plan_options: object,
    ) -> None:
        self.store = store or HNStore(archive)
        self.plan = plan or FaultPlan(**plan_options)  # type: ignore[arg-type]
        self.stopping = threading.Event()
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.fake = self
        self._thread: threading.Thread | None = None

    # -- request counters -------------------------------------------------------------------

    def count(self, path: str) -> int:
        """Record a request for ``path``; return how many came before it."""
        with self._counts_lock:
            seen = self._counts[path]
            self._counts[path] += 1
            return seen

    @property
    def requests(self) -> Counter[str]:
        with self._counts_lock:
            return Counter(self._counts)

    @property
    def item_requests(self) -> int:
        return sum(n for path, n in self.requests.items() if path.startswith("/v0/item/"))

    def requests_for_item(self, item_id: int) -> int:
        return self.requests[f"/v0/item/{item_id}.json"]

    def reset_counts(self) -> None:
        with self._counts_lock:
            self._counts.clear()

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v0"

    def start(self) -> FakeHNServer:
        self.stopping.clear()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-hn",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FakeHNServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Serve the sample archive as a fake HN Firebase API."
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--months", type=int, default=None, help="serve only the first N months")
    parser.add_argument("--posts-in-last-month", type=int, default=None)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--generate-months",
        type=int,
        default=None,
        help="serve a generated archive of this many months instead of the bundled one",
    )
    parser.add_argument(
        "--last-month", default="2026-11", help="the generated archive's last month"
    )
    parser.add_argument(
        "--post-scale", type=float, default=1.0, help="posts per generated month, times this"
    )
    args = parser.parse_args(argv)
    source = (
        load_sample_archive()
        if args.generate_months is None
        else build_sample_archive(args.generate_months, args.last_month, post_scale=args.post_scale)
    )
    archive = source.visible(args.months, args.posts_in_last_month)
    server = FakeHNServer(
        archive, port=args.port, latency_s=args.latency, fault_rate=args.fault_rate, seed=args.seed
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with server:
        print(f"fake HN API at {server.base_url} ({', '.join(archive.months)})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
