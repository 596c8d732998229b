"""The ingest assets, materialized with Dagster on the sample archive."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from hn_assets.defs import ingest
from hn_assets.defs.partitions import HIRING_MONTHS
from hn_assets.defs.resources import (
    DataStoreResource,
    HNClientResource,
    HNSampleClientResource,
    ParquetIOManager,
)
from hn_assets.hackernews.client import HackerNewsClient, SampleArchiveClient
from hn_assets.hackernews.sample_archive import load_sample_archive
from hn_assets.storage import ParquetStore

INGEST = [ingest.hiring_threads, ingest.raw_posts, ingest.clean_posts]


def _resources(data_dir, hn: HNClientResource | None = None) -> dict:
    return {
        "hn": hn or HNSampleClientResource(),
        "storage": DataStoreResource(data_dir=str(data_dir)),
        "io_manager": ParquetIOManager(data_dir=str(data_dir)),
    }


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed
        for e in result.get_asset_check_evaluations()
    }


def test_ingest_every_month_passes_every_check(instance, data_dir):
    archive = load_sample_archive()
    threads = dg.materialize(
        [ingest.hiring_threads], instance=instance, resources=_resources(data_dir)
    )
    assert threads.success
    months = sorted(instance.get_dynamic_partitions(HIRING_MONTHS))
    assert months == archive.months

    for month in months:
        result = dg.materialize(
            INGEST,
            instance=instance,
            resources=_resources(data_dir),
            partition_key=month,
            selection=["raw_posts", "clean_posts"],
        )
        assert result.success
        checks = _checks(result)
        assert len(checks) == 9 and all(checks.values()), checks

    store = ParquetStore(data_dir)
    for month in months:
        clean = store.read("clean_posts", month)
        raw = store.read("raw_posts", month)
        thread = archive.items[archive.hiring_thread_id(month)]
        assert len(raw) == len(thread["kids"])
        assert set(clean["id"]) <= set(raw["id"])
        assert (clean["month"] == month).all()
        assert clean["company"].notna().mean() > 0.9
    # The sample's regular companies post again each month, some with the same text.
    later = store.read("clean_posts", months[-1])
    assert later["repost"].any() and (later["first_seen_month"] < months[-1]).any()
    assert not store.read("clean_posts", months[0])["repost"].any()


def test_second_materialization_fetches_only_new_posts(instance, data_dir):
    archive = load_sample_archive()
    month = archive.months[-1]
    kids = len(archive.items[archive.hiring_thread_id(month)]["kids"])
    earlier = HNSampleClientResource(posts_in_last_month=kids - 10)
    dg.materialize(
        [ingest.hiring_threads], instance=instance, resources=_resources(data_dir, earlier)
    )
    first = dg.materialize(
        INGEST,
        instance=instance,
        resources=_resources(data_dir, earlier),
        partition_key=month,
        selection=["raw_posts"],
    )
    assert first.success
    second = dg.materialize(
        INGEST,
        instance=instance,
        resources=_resources(data_dir),
        partition_key=month,
        selection=["raw_posts"],
    )
    metadata = second.asset_materializations_for_node("raw_posts")[0].metadata
    assert metadata["new"].value == 10
    assert metadata["total"].value == kids
    assert metadata["requests_made"].value <= 10 + 3


def test_unchanged_refetch_keeps_the_data_version(instance, data_dir):
    archive = load_sample_archive()
    month = archive.months[0]
    dg.materialize([ingest.hiring_threads], instance=instance, resources=_resources(data_dir))
    versions = []
    for _ in range(2):
        dg.materialize(
            INGEST,
            instance=instance,
            resources=_resources(data_dir),
            partition_key=month,
            selection=["raw_posts"],
        )
        event = instance.get_latest_materialization_event(dg.AssetKey("raw_posts"))
        versions.append(event.asset_materialization.tags["dagster/data_version"])
    assert versions[0] == versions[1]


class _BrokenClient(SampleArchiveClient):
    """Serves one post whose HTML the cleaner cannot turn into text: only markup, no words."""

    def items(self, ids):
        batch = super().items(ids)
        first = min(i for i, item in batch.items.items() if item and not item.get("deleted"))
        batch.items[first] = {**batch.items[first], "text": "<p>"}
        return batch


class _BrokenSource(HNClientResource):
    def client(self) -> HackerNewsClient:
        return _BrokenClient(load_sample_archive())

    @property
    def source_name(self) -> str:
        return "broken sample"


def test_a_broken_post_fails_a_check(instance, data_dir):
    month = load_sample_archive().months[0]
    resources = _resources(data_dir, _BrokenSource())
    dg.materialize([ingest.hiring_threads], instance=instance, resources=resources)
    result = dg.materialize(
        INGEST,
        instance=instance,
        resources=resources,
        partition_key=month,
        selection=["raw_posts", "clean_posts"],
        raise_on_error=False,
    )
    checks = _checks(result)
    assert checks["clean_posts:no_empty_text"] is False
    assert checks["clean_posts:no_html_left"] is True


def test_unknown_month_fails_with_a_clear_message(instance, data_dir):
    dg.materialize([ingest.hiring_threads], instance=instance, resources=_resources(data_dir))
    instance.add_dynamic_partitions(HIRING_MONTHS, ["1999-01"])
    with pytest.raises(dg.Failure, match="No 'Who is hiring\\?' thread for 1999-01"):
        dg.materialize(
            INGEST,
            instance=instance,
            resources=_resources(data_dir),
            partition_key="1999-01",
            selection=["raw_posts"],
        )


def test_threads_table_has_every_kind(instance, data_dir):
    dg.materialize([ingest.hiring_threads], instance=instance, resources=_resources(data_dir))
    threads: pd.DataFrame = ParquetStore(data_dir).read("hiring_threads")
    assert set(threads["kind"]) == {"hiring", "wants_to_be_hired", "freelancer"}
    assert threads.groupby("kind").size().nunique() == 1
