"""The whole HN code location, refreshed end to end on the sample archive: everything the
first time, then exactly what is stale."""

import dagster as dg
import pytest

from hn_assets.defs.definitions import build_definitions
from hn_assets.defs.resources import HNSampleClientResource, LSTMTrainingResource
from hn_assets.hackernews.sample_archive import load_sample_archive
from hn_assets.refresh import refresh
from hn_assets.storage import ParquetStore

TINY_TRAINER = LSTMTrainingResource(
    hidden=48, layers=1, batch_size=32, max_epochs=1, limit_train_batches=30, bpc_ceiling=8.0
)


def _defs(posts_in_last_month: int | None = None) -> dg.Definitions:
    hn = HNSampleClientResource(months_visible=2, posts_in_last_month=posts_in_last_month)
    return build_definitions({"hn": hn, "trainer": TINY_TRAINER})


def _failed_checks(instance: dg.DagsterInstance) -> list[str]:
    failed = []
    for record in instance.get_event_records(
        dg.EventRecordsFilter(dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    ):
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if not evaluation.passed:
            failed.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return failed


def _check_partitions(instance: dg.DagsterInstance, asset: str) -> set[str | None]:
    return {
        record.event_log_entry.dagster_event.event_specific_data.partition
        for record in instance.get_event_records(
            dg.EventRecordsFilter(dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        )
        if record.event_log_entry.dagster_event.event_specific_data.asset_key == dg.AssetKey(asset)
    }


@pytest.mark.slow
def test_refresh_materializes_everything_then_only_what_is_stale(instance, data_dir):
    archive = load_sample_archive()
    old, new = archive.months[:2]
    kids = len(archive.items[archive.hiring_thread_id(new)]["kids"])

    first = refresh(_defs(posts_in_last_month=kids - 10), instance, log=lambda _: None)
    assert first.new_months == [old, new]
    per_month = {"clean_posts", "jobs_index", "job_alerts", "monthly_stats"}
    unpartitioned = {
        "char_training_set",
        "job_posting_lstm",
        "generated_postings",
        "hiring_trends",
    }
    assert (
        set(first.materialized)
        == {f"{a}[{m}]" for a in per_month for m in (old, new)} | unpartitioned
    )
    # Even a model trained for 30 batches ends its postings: the sampler's END bias.
    assert _failed_checks(instance) == []
    generated = ParquetStore(data_dir).read("generated_postings")
    assert len(generated) == 5 and generated["text"].str.len().gt(0).all()
    # Every run belongs to a named job (none to Dagster's ephemeral one), and each check of a
    # month's asset records the month it judged.
    assert {run.job_name for run in instance.get_runs()} == {
        "discover_threads",
        "hn_month",
        "market",
        "lstm",
    }
    assert _check_partitions(instance, "clean_posts") == {old, new}
    assert _check_partitions(instance, "jobs_index") == {old, new}

    # Ten new posts in the newer month: that month's chain and the training set run; the
    # older month stays fresh, and the LSTM waits for its next retraining period.
    second = refresh(_defs(), instance, log=lambda _: None)
    assert second.new_months == []
    assert set(second.materialized) == {f"{a}[{new}]" for a in per_month} | {
        "char_training_set",
        "hiring_trends",
    }
    assert len(ParquetStore(data_dir).read("clean_posts", new)) > 0

    # Nothing new upstream: raw_posts is re-fetched, keeps its data version, nothing else runs.
    third = refresh(_defs(), instance, log=lambda _: None)
    assert third.materialized == []
