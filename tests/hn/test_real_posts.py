"""Real "Who is hiring?" posts through the whole HN side, served as the HN API serves them.

Five real months (../shared/real-hn) go through `hn-jobs refresh`'s code path against the
fake API on 127.0.0.1: every asset of every month materializes, every blocking check passes,
no post is quarantined, clean_posts holds exactly the alive posts, and the index answers
queries exactly as the reference semantics (`Query.matches`) does on the clean rows.
"""

from __future__ import annotations

from collections import Counter

import dagster as dg
import pytest

from hn_assets.defs.definitions import build_definitions
from hn_assets.defs.resources import HNAPIClientResource, LSTMTrainingResource
from hn_assets.refresh import refresh
from hn_assets.search.documents import frame_records
from hn_assets.search.local_index import LocalIndex
from hn_assets.search.parser import parse_query
from hn_assets.storage import ParquetStore
from tests.fakes.hn_server import FakeHNServer
from tests.fakes.real_hn import load_real_posts, real_sample_dir, real_store

# Small, but enough to beat the unigram baseline on real text (a blocking check).
SMALL_TRAINER = LSTMTrainingResource(
    hidden=64, layers=1, batch_size=64, max_epochs=1, limit_train_batches=120, bpc_ceiling=8.0
)
PER_MONTH = ("raw_posts", "clean_posts", "jobs_index", "job_alerts")
UNPARTITIONED = ("hiring_threads", "char_training_set", "job_posting_lstm", "generated_postings")
QUERIES = [
    '("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")',
    "remote AND (python OR rust) AND NOT onsite",
    '"full stack" OR fullstack',
    "remote:true AND NOT hybrid:true",
    "visa AND (senior OR staff)",
    'location:"new york" OR location:london',
    "kubernetes AND NOT (java OR php)",
]


def _check_evaluations(instance: dg.DagsterInstance) -> list:
    return [
        record.event_log_entry.dagster_event.event_specific_data
        for record in instance.get_event_records(
            dg.EventRecordsFilter(dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        )
    ]


@pytest.mark.slow
def test_real_posts_run_through_every_asset(instance, data_dir):
    posts = load_real_posts(real_sample_dir())
    store, threads = real_store(posts)
    with FakeHNServer(store=store) as server:
        hn = HNAPIClientResource(base_url=server.base_url, timeout_s=5.0)
        defs = build_definitions({"hn": hn, "trainer": SMALL_TRAINER})
        report = refresh(defs, instance, log=lambda _: None)

    months = sorted(threads)
    assert report.new_months == months
    assert report.failed == [], report.table()
    assert set(report.materialized) >= {
        f"{asset}[{month}]" for asset in PER_MONTH[1:] for month in months
    } | set(UNPARTITIONED[1:])
    for asset in PER_MONTH:
        for month in months:
            assert instance.get_latest_materialization_event(dg.AssetKey(asset)) is not None
            records = instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[month]),
                limit=1,
            ).records
            assert records, f"{asset}[{month}] never materialized"

    evaluations = _check_evaluations(instance)
    blocking_failures = [
        f"{e.asset_key.to_user_string()}.{e.check_name}"
        for e in evaluations
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert blocking_failures == []
    quarantine_checks = [e for e in evaluations if e.check_name == "no_quarantined_posts"]
    checked = Counter(e.asset_key.to_user_string() for e in quarantine_checks)
    assert checked["clean_posts"] == checked["jobs_index"] == len(months)
    assert checked["char_training_set"] == 1
    assert all(e.passed for e in quarantine_checks), [
        e.metadata for e in quarantine_checks if not e.passed
    ]

    tables = ParquetStore(data_dir)
    by_month = {month: {p.id for p in posts if p.month == month} for month in months}
    clean = {month: tables.read("clean_posts", month) for month in months}
    for month in months:
        # Every real post in the set is alive: the clean rows are exactly the posts.
        assert set(clean[month]["id"]) == by_month[month]
        assert clean[month]["text"].str.len().gt(0).all()

    docs = [doc for month in months for doc in frame_records(clean[month])]
    with LocalIndex(data_dir / "index") as index:
        for text in QUERIES:
            query = parse_query(text)
            expected = {doc["id"] for doc in docs if query.matches(doc)}
            assert index.matching_ids(query) == expected, text
            assert expected, f"{text!r} matches no real post: pick a query that tests something"
