"""Sensors that keep the platform fresh without a person.

* ``whoishiring_sensor`` notices new "Who is hiring?" threads: it reads the user's submissions
  (one request), fetches only submissions newer than its cursor, adds the new months as
  partitions and requests their ingest.
* ``thread_activity_sensor`` watches the open months (the latest two): one request per month
  for the thread item; when its kids changed it requests an incremental ``raw_posts`` run. It
  also retries any month whose last fetch left posts behind (items that failed after every
  retry), once per materialization and at most ``UNFETCHED_RETRIES`` times in a row.
* ``stale_assets_sensor`` evaluates the automation conditions of the derived assets
  (``automation.py``), so exactly the stale assets run after new posts arrive.
"""

import hashlib
import json

import dagster as dg

from hn_assets.defs.ingest import UNFETCHED_METADATA
from hn_assets.defs.jobs import hn_month_job
from hn_assets.defs.partitions import HIRING_MONTHS, hiring_months
from hn_assets.defs.resources import HNClientResource
from hn_assets.hackernews.threads import (
    RecognisedThread,
    recognise_thread,
    submitted_item_ids,
)
from hn_assets.hackernews.titles import WHOISHIRING, ThreadKind

#: The run tag saying what started a run: a sensor's reason, "refresh" or "demo".
TRIGGER_TAG = "hn/trigger"
OPEN_MONTHS = 2
TICK_SECONDS = 60
#: Consecutive fetches that still left posts behind before the sensor stops retrying a month
#: by itself (`hn-jobs refresh` always retries).
UNFETCHED_RETRIES = 5


def months_missing_posts(
    instance: dg.DagsterInstance, months: list[str], give_up_after: int | None = None
) -> dict[str, int]:
    """Months whose latest raw_posts materialization left posts unfetched, with the storage
    id of that materialization. With ``give_up_after``, a month whose last that many
    materializations all left posts behind is left alone (it is failing for good)."""
    found: dict[str, int] = {}
    for month in months:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("raw_posts"), asset_partitions=[month]),
            limit=give_up_after or 1,
        ).records
        missing = [unfetched_count(record) > 0 for record in records]
        if not missing or not missing[0]:
            continue
        if give_up_after is not None and len(missing) == give_up_after and all(missing):
            continue
        found[month] = records[0].storage_id
    return found


def unfetched_count(record: dg.EventLogRecord) -> int:
    """Posts a raw_posts materialization could not fetch (its ``unfetched`` metadata)."""
    value = record.asset_materialization.metadata.get(UNFETCHED_METADATA)
    return int(value.value) if value is not None and value.value else 0


def ingest_run(
    month: str, thread_id: int, reason: str, with_threads: bool = False
) -> dg.RunRequest:
    """One run per month; ``with_threads`` also refreshes the thread list in the same run."""
    assets = ["hiring_threads", "raw_posts"] if with_threads else ["raw_posts"]
    return dg.RunRequest(
        run_key=f"{month}:{reason}",
        partition_key=month,
        asset_selection=[dg.AssetKey(a) for a in assets],
        run_config={"ops": {"raw_posts": {"config": {"thread_id": thread_id}}}},
        tags={TRIGGER_TAG: reason},
    )


@dg.sensor(
    minimum_interval_seconds=TICK_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    job=hn_month_job,
    description="Adds a month partition for each new 'Who is hiring?' thread and ingests it.",
)
def whoishiring_sensor(context: dg.SensorEvaluationContext, hn: HNClientResource):
    with hn.client() as client:
        user = client.user(WHOISHIRING)
        if user is None:
            return dg.SkipReason(f"HN user {WHOISHIRING!r} not found at {hn.source_name}")
        last_seen = int(context.cursor or 0)
        new_ids = sorted(i for i in submitted_item_ids(user) if i > last_seen)
        if not new_ids:
            return dg.SkipReason(
                f"no submissions by {WHOISHIRING} newer than item {last_seen} ({hn.source_name})"
            )
        batch = client.items(new_ids)
    if batch.failed:
        # Leave the cursor where it is: the next tick retries these submissions.
        return dg.SkipReason(f"could not fetch submissions {sorted(batch.failed)[:10]}; will retry")
    known = set(context.instance.get_dynamic_partitions(HIRING_MONTHS))
    threads: dict[str, int] = {}
    for item_id in new_ids:
        thread = recognise_thread(item_id, batch.items.get(item_id))
        if isinstance(thread, RecognisedThread) and thread.kind is ThreadKind.HIRING:
            threads[thread.month] = item_id
    new_months = sorted(m for m in threads if m not in known)
    # The thread list is refreshed once, in the newest month's run, not once per month.
    runs = [
        ingest_run(month, threads[month], "new-thread", with_threads=month == new_months[-1])
        for month in new_months
    ]
    return dg.SensorResult(
        run_requests=runs,
        dynamic_partitions_requests=[hiring_months.build_add_request(new_months)]
        if new_months
        else [],
        cursor=str(max(new_ids)),
        skip_reason=None
        if runs
        else dg.SkipReason(
            f"{len(new_ids)} new submissions by {WHOISHIRING}, none a new 'Who is hiring?' month"
        ),
    )


def kids_fingerprint(kids: list[int]) -> str:
    return hashlib.sha256(json.dumps(sorted(kids)).encode()).hexdigest()[:16]


@dg.sensor(
    minimum_interval_seconds=TICK_SECONDS * 5,
    default_status=dg.DefaultSensorStatus.RUNNING,
    job=hn_month_job,
    description="Notices new top-level posts in the open months and fetches just those.",
)
def thread_activity_sensor(context: dg.SensorEvaluationContext, hn: HNClientResource):
    every_month = sorted(context.instance.get_dynamic_partitions(HIRING_MONTHS))
    months = every_month[-OPEN_MONTHS:]
    if not months:
        return dg.SkipReason("no hiring months yet: whoishiring_sensor adds them")
    seen: dict[str, dict] = json.loads(context.cursor) if context.cursor else {}
    threads = _thread_ids(context, months)
    runs, looked_at = [], []
    retry = months_missing_posts(context.instance, every_month, give_up_after=UNFETCHED_RETRIES)
    retry_threads = _thread_ids(context, sorted(retry))
    for month, storage_id in sorted(retry.items()):
        if month in retry_threads:
            # One run per materialization that left posts behind: the run key dedupes ticks.
            runs.append(ingest_run(month, retry_threads[month], f"retry-unfetched-{storage_id}"))
            looked_at.append(f"{month} (retrying posts not fetched)")
    with hn.client() as client:
        open_threads = {m: client.item(threads[m]) for m in months if m in threads}
    for month in months:
        thread_id = threads.get(month)
        thread = open_threads.get(month)
        if thread is None or month in retry:
            continue
        fingerprint = kids_fingerprint(thread.get("kids", []))
        looked_at.append(f"{month} ({len(thread.get('kids', []))} posts)")
        before = seen.get(month)
        seen[month] = {"thread_id": thread_id, "kids": fingerprint}
        if before is not None and before["kids"] != fingerprint:
            runs.append(ingest_run(month, thread_id, f"activity-{fingerprint}"))
    # Forget months that are no longer open, so the cursor stays small.
    seen = {m: v for m, v in seen.items() if m in months}
    return dg.SensorResult(
        run_requests=runs,
        cursor=json.dumps(seen, sort_keys=True),
        skip_reason=None
        if runs
        else dg.SkipReason(f"no new posts in {', '.join(looked_at) or 'open months'}"),
    )


def _thread_ids(context: dg.SensorEvaluationContext, months: list[str]) -> dict[str, int]:
    """Each open month's thread id, from the metadata of its latest raw_posts materialization."""
    ids: dict[str, int] = {}
    for month in months:
        records = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("raw_posts"), asset_partitions=[month]),
            limit=1,
        ).records
        if records:
            thread = records[0].asset_materialization.metadata.get("thread_id")
            if thread is not None:
                ids[month] = int(thread.value)
    return ids


stale_assets_sensor = dg.AutomationConditionSensorDefinition(
    "stale_assets_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Materializes exactly the derived assets that are stale (see automation.py).",
)
