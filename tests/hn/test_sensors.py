"""Sensors against the sample archive: new months, new posts, quiet ticks."""

import dagster as dg

from hn_assets.defs.partitions import HIRING_MONTHS
from hn_assets.defs.resources import HNSampleClientResource
from hn_assets.defs.sensors import UNFETCHED_RETRIES, thread_activity_sensor, whoishiring_sensor
from hn_assets.hackernews.sample_archive import SampleArchive, load_sample_archive
from hn_assets.hackernews.titles import WHOISHIRING


def _tick(sensor, instance, hn, cursor=None) -> dg.SensorResult | dg.SkipReason:
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"hn": hn})
    result = sensor(context)
    if isinstance(result, dg.SensorResult):
        for request in result.dynamic_partitions_requests or []:
            instance.add_dynamic_partitions(
                request.partitions_def_name, list(request.partition_keys)
            )
    return result


def _month_runs(result: dg.SensorResult) -> list[str]:
    return [r.partition_key for r in result.run_requests or []]


def test_first_tick_adds_every_month_then_a_new_month_adds_exactly_one(instance):
    archive = load_sample_archive()
    first = _tick(whoishiring_sensor, instance, HNSampleClientResource(months_visible=5))
    assert sorted(instance.get_dynamic_partitions(HIRING_MONTHS)) == archive.months[:5]
    assert _month_runs(first) == archive.months[:5]
    config = first.run_requests[0].run_config["ops"]["raw_posts"]["config"]
    assert config["thread_id"] == archive.hiring_thread_id(archive.months[0])

    second = _tick(whoishiring_sensor, instance, HNSampleClientResource(), cursor=first.cursor)
    assert _month_runs(second) == [archive.months[5]]
    assert second.dynamic_partitions_requests[0].partition_keys == [archive.months[5]]
    assert {k.to_user_string() for k in second.run_requests[0].asset_selection} == {
        "hiring_threads",
        "raw_posts",
    }

    third = _tick(whoishiring_sensor, instance, HNSampleClientResource(), cursor=second.cursor)
    skip = third.skip_reason if isinstance(third, dg.SensorResult) else third
    assert isinstance(skip, dg.SkipReason) and "no submissions" in skip.skip_message
    assert not isinstance(third, dg.SensorResult) or not third.run_requests


def _record_ingest(instance, archive, months):
    for month in months:
        instance.report_runless_asset_event(
            dg.AssetMaterialization(
                "raw_posts",
                partition=month,
                metadata={"thread_id": archive.hiring_thread_id(month)},
            )
        )


def test_new_posts_in_an_open_month_request_that_month_only(instance):
    archive = load_sample_archive()
    last, previous = archive.months[-1], archive.months[-2]
    instance.add_dynamic_partitions(HIRING_MONTHS, archive.months)
    _record_ingest(instance, archive, archive.months)
    kids = len(archive.items[archive.hiring_thread_id(last)]["kids"])

    baseline = _tick(
        thread_activity_sensor, instance, HNSampleClientResource(posts_in_last_month=kids - 10)
    )
    assert _month_runs(baseline) == []
    quiet = _tick(
        thread_activity_sensor,
        instance,
        HNSampleClientResource(posts_in_last_month=kids - 10),
        cursor=baseline.cursor,
    )
    assert _month_runs(quiet) == []
    assert previous in quiet.skip_reason.skip_message

    busy = _tick(thread_activity_sensor, instance, HNSampleClientResource(), cursor=quiet.cursor)
    assert _month_runs(busy) == [last]
    assert busy.run_requests[0].run_config["ops"]["raw_posts"]["config"]["thread_id"] == (
        archive.hiring_thread_id(last)
    )
    again = _tick(thread_activity_sensor, instance, HNSampleClientResource(), cursor=busy.cursor)
    assert _month_runs(again) == []


def _record_fetch(instance, archive, month, unfetched: int):
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            "raw_posts",
            partition=month,
            metadata={"thread_id": archive.hiring_thread_id(month), "unfetched": unfetched},
        )
    )


def test_a_month_that_left_posts_behind_is_retried_a_bounded_number_of_times(instance):
    archive = load_sample_archive()
    old = archive.months[0]  # not an open month: only the retry rule can pick it up
    instance.add_dynamic_partitions(HIRING_MONTHS, archive.months)
    _record_ingest(instance, archive, archive.months)
    _record_fetch(instance, archive, old, unfetched=3)

    first = _tick(thread_activity_sensor, instance, HNSampleClientResource())
    assert _month_runs(first) == [old]
    request = first.run_requests[0]
    assert request.run_key.startswith(f"{old}:retry-unfetched-")
    # Another tick before a new fetch asks again with the same run key: Dagster dedupes it.
    again = _tick(thread_activity_sensor, instance, HNSampleClientResource(), first.cursor)
    assert [r.run_key for r in again.run_requests] == [request.run_key]

    for _ in range(UNFETCHED_RETRIES - 1):
        _record_fetch(instance, archive, old, unfetched=3)
    # UNFETCHED_RETRIES fetches in a row left posts behind: the sensor stops by itself.
    given_up = _tick(thread_activity_sensor, instance, HNSampleClientResource(), first.cursor)
    assert _month_runs(given_up) == []

    _record_fetch(instance, archive, old, unfetched=0)
    assert _month_runs(_tick(thread_activity_sensor, instance, HNSampleClientResource())) == []


def test_a_dead_or_non_story_thread_title_adds_no_month(instance, monkeypatch):
    """The sensor recognises threads as discovery does: a killed thread or a poll with a
    thread's title is no new month."""
    archive = load_sample_archive().visible(5)
    first_id = archive.max_item_id + 1
    fakes = {
        first_id: {"title": "Ask HN: Who is hiring? (December 2026)", "dead": True},
        first_id + 1: {"title": "Ask HN: Who is hiring? (January 2027)", "type": "poll"},
    }
    items = dict(archive.items)
    for item_id, fields in fakes.items():
        items[item_id] = {"by": WHOISHIRING, "id": item_id, "time": 1, "type": "story", **fields}
    user = {**archive.users[WHOISHIRING]}
    user["submitted"] = [*fakes, *user["submitted"]]
    served = SampleArchive(
        items, {WHOISHIRING: user}, archive.months, archive.threads, archive.root_of
    )
    monkeypatch.setattr("hn_assets.defs.resources.load_sample_archive", lambda: served)

    result = _tick(whoishiring_sensor, instance, HNSampleClientResource())
    assert _month_runs(result) == archive.months
    assert sorted(instance.get_dynamic_partitions(HIRING_MONTHS)) == archive.months
    assert result.cursor == str(first_id + 1)


def test_entries_of_submitted_that_are_not_item_ids_are_ignored(instance, monkeypatch):
    archive = load_sample_archive().visible(2)
    user = {**archive.users[WHOISHIRING]}
    user["submitted"] = ["not an id", None, True, -4, *user["submitted"]]
    served = SampleArchive(
        archive.items, {WHOISHIRING: user}, archive.months, archive.threads, archive.root_of
    )
    monkeypatch.setattr("hn_assets.defs.resources.load_sample_archive", lambda: served)

    result = _tick(whoishiring_sensor, instance, HNSampleClientResource())
    assert _month_runs(result) == archive.months
