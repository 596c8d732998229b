"""`dagster dev` in a subprocess on a throw-away instance, and a small GraphQL client for it.

Plain classes (no pytest) so a person can also drive the same stack from a REPL:

    with DagsterDev(tmp, env={...}) as dev:
        dev.wait_until_up(120)
        print(dev.graphql("{ version }"))
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

# Two cores in CI: two runs at a time, queued runs picked up quickly, and a run whose
# process never starts is failed by run monitoring instead of hanging the test.
DAGSTER_YAML = """\
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 2
    dequeue_interval_seconds: 2
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  poll_interval_seconds: 5
telemetry:
  enabled: false
nux:
  enabled: false
"""

# Settings of the developer's shell that would point the stack at something else.
_SCRUBBED_ENV = (
    "DAGSTER_HOME",
    "HN_SOURCE",
    "HN_API_URL",
    "HN_DATA_DIR",
    "HN_SAMPLE_MONTHS",
    "RL_DATA_DIR",
    "ELASTICSEARCH_URL",
    "ELASTICSEARCH_API_KEY",
    "ELASTICSEARCH_USERNAME",
    "ELASTICSEARCH_PASSWORD",
)


class StackError(AssertionError):
    """The end-to-end stack did not reach the expected state; the message says what it saw."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    probe: Callable[[], T | None],
    *,
    timeout_s: float,
    what: str,
    interval_s: float = 2.0,
    describe: Callable[[], str] = lambda: "",
) -> T:
    """Call ``probe`` until it returns something truthy; fail after ``timeout_s`` with ``what``.

    Connection errors count as "not yet" (the server may be restarting a code location).
    """
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while True:
        try:
            value = probe()
            if value:
                return value
        except (requests.RequestException, ValueError) as err:
            last_error = err
        if time.monotonic() > deadline:
            detail = f"\nlast error: {last_error!r}" if last_error else ""
            raise StackError(
                f"timed out after {timeout_s:.0f}s waiting for {what}{detail}\n{describe()}"
            )
        time.sleep(interval_s)


class DagsterDev:
    """``dagster dev -w workspace.yaml`` (webserver + daemon) in its own process group.

    The instance lives in ``home`` (a fresh DAGSTER_HOME with :data:`DAGSTER_YAML`); output goes
    to ``home/dagster-dev.log``. Leaving the ``with`` block kills every process of the group,
    run workers included, whatever happened inside.
    """

    def __init__(self, home: Path, env: Mapping[str, str], port: int | None = None) -> None:
        self.home = home
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "dagster-dev.log"
        self._extra_env = dict(env)
        self._process: subprocess.Popen[bytes] | None = None
        self._session = requests.Session()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> DagsterDev:
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "dagster.yaml").write_text(DAGSTER_YAML)
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
        env |= {"DAGSTER_HOME": str(self.home), "PYTHONUNBUFFERED": "1"} | self._extra_env
        command = [
            sys.executable,
            "-m",
            "dagster",
            "dev",
            "-w",
            str(REPO_ROOT / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
        ]
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: one signal reaches every child
            )
        return self

    def stop(self, grace_s: float = 20.0) -> None:
        """SIGINT the group (dagster dev shuts its children down), then SIGKILL what is left;
        raises if any process of the group is still there afterwards."""
        process, self._process = self._process, None
        if process is None:
            return
        group = process.pid  # start_new_session: the group id is the leader's pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace_s)
        # Run workers and code servers may outlive the leader; they are still in the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        process.wait(timeout=10)
        self._session.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        raise StackError(f"processes of dagster dev (process group {group}) survived SIGKILL")

    def __enter__(self) -> DagsterDev:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # -- diagnostics ------------------------------------------------------------------------

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no dagster dev log yet)"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- last {lines} lines of {self.log_path} ---\n{tail}"

    def describe(self) -> str:
        state = "running" if self.running else f"exited ({self._process and self._process.poll()})"
        return f"dagster dev at {self.url}: {state}\n{self.log_tail()}"

    # -- GraphQL ----------------------------------------------------------------------------

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        response = self._session.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": dict(variables or {})},
            timeout=15,
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise StackError(
                f"GraphQL errors: {body['errors']}\nquery: {textwrap.shorten(query, 300)}"
            )
        return body["data"]

    def wait_until_up(self, timeout_s: float) -> None:
        def probe() -> bool:
            if not self.running:
                raise StackError(f"dagster dev exited early\n{self.describe()}")
            return self._session.get(f"{self.url}/server_info", timeout=5).ok

        wait_for(
            probe, timeout_s=timeout_s, what="the webserver's /server_info", describe=self.describe
        )

    def code_locations(self) -> dict[str, str]:
        """Each location's load status; a location that failed to load raises with its error."""
        data = self.graphql(
            """{ workspaceOrError { __typename ... on Workspace { locationEntries {
                 name loadStatus
                 locationOrLoadError { __typename ... on PythonError { message stack } } } } } }"""
        )
        entries = data["workspaceOrError"].get("locationEntries", [])
        for entry in entries:
            error = entry["locationOrLoadError"]
            if error and error["__typename"] == "PythonError":
                stack = "".join(error.get("stack") or [])
                raise StackError(
                    f"code location {entry['name']} failed to load: {error['message']}\n{stack}"
                )
        return {entry["name"]: entry["loadStatus"] for entry in entries}

    def runs(self, tags: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        data = self.graphql(
            """query Runs($filter: RunsFilter) { runsOrError(filter: $filter) {
                 __typename ... on Runs { results {
                   runId status jobName
                   tags { key value }
                   assetSelection { path } } } } }""",
            {"filter": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}},
        )
        return data["runsOrError"]["results"]

    def run_failure(self, run_id: str) -> str:
        """The error messages a failed run logged, for the test's failure message."""
        data = self.graphql(
            """query Logs($runId: ID!) { logsForRun(runId: $runId) { __typename
                 ... on EventConnection { events { __typename
                   ... on MessageEvent { message level }
                   ... on ExecutionStepFailureEvent { error { message stack } }
                   ... on RunFailureEvent { error { message } } } } } }""",
            {"runId": run_id},
        )
        events = data["logsForRun"].get("events", [])
        lines = []
        for event in events:
            error = event.get("error")
            if error:
                lines.append(
                    f"{event['__typename']}: {error['message']}{''.join(error.get('stack') or [])}"
                )
            elif event.get("level") in ("ERROR", "CRITICAL"):
                lines.append(f"{event['__typename']}: {event['message']}")
        return "\n".join(lines[-10:]) or "(no error events)"

    def sensor_ticks(self, location: str, sensor: str, limit: int = 5) -> list[dict[str, Any]]:
        data = self.graphql(
            """query Ticks($selector: SensorSelector!, $limit: Int) {
                 sensorOrError(sensorSelector: $selector) { __typename
                   ... on Sensor { sensorState { status ticks(limit: $limit) {
                     status timestamp skipReason runIds error { message } } } } } }""",
            {
                "selector": {
                    "repositoryLocationName": location,
                    "repositoryName": "__repository__",
                    "sensorName": sensor,
                },
                "limit": limit,
            },
        )
        sensor_data = data["sensorOrError"]
        if sensor_data["__typename"] != "Sensor":
            return [{"status": sensor_data["__typename"]}]
        return sensor_data["sensorState"]["ticks"]

    def asset_keys(self) -> set[str]:
        data = self.graphql("{ assetNodes { assetKey { path } } }")
        return {"/".join(node["assetKey"]["path"]) for node in data["assetNodes"]}

    def partition_keys(self, asset: str) -> list[str]:
        data = self.graphql(
            """query Partitions($key: AssetKeyInput!) { assetNodeOrError(assetKey: $key) {
                 __typename ... on AssetNode { partitionKeys } } }""",
            {"key": {"path": asset.split("/")}},
        )
        return data["assetNodeOrError"].get("partitionKeys") or []

    def materializations(self, asset: str, limit: int = 10) -> list[dict[str, Any]]:
        """Latest materializations first, each with partition, runId and metadata as a dict."""
        data = self.graphql(
            """query Mats($key: AssetKeyInput!, $limit: Int) { assetOrError(assetKey: $key) {
                 __typename ... on Asset { assetMaterializations(limit: $limit) {
                   partition runId timestamp
                   metadataEntries { label
                     ... on IntMetadataEntry { intValue }
                     ... on FloatMetadataEntry { floatValue }
                     ... on TextMetadataEntry { text } } } } } }""",
            {"key": {"path": asset.split("/")}, "limit": limit},
        )
        asset_data = data["assetOrError"]
        if asset_data["__typename"] != "Asset":
            return []
        events = []
        for event in asset_data["assetMaterializations"]:
            metadata = {
                entry["label"]: entry.get("intValue", entry.get("floatValue", entry.get("text")))
                for entry in event["metadataEntries"]
            }
            events.append({**event, "metadata": metadata})
        return events
