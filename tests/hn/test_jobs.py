"""Which named job runs which assets: every asset of the HN code location has one."""

import pytest

from hn_assets.defs.definitions import build_definitions
from hn_assets.defs.jobs import JOBS, runs_by_job


@pytest.fixture(scope="module")
def defs():
    return build_definitions()


def test_every_asset_is_run_by_a_named_job(defs):
    graph = defs.resolve_asset_graph()
    for asset_key in graph.materializable_asset_keys:
        key = asset_key.to_user_string()
        partitioned = graph.get(asset_key).partitions_def is not None
        runs = runs_by_job(defs, [key], partitioned=partitioned)
        assert len(runs) == 1 and runs[0][1] == [key]


def test_keys_of_several_jobs_are_split_in_the_order_of_the_jobs(defs):
    runs = runs_by_job(defs, ["generated_postings", "hiring_threads", "char_training_set"], False)
    assert runs == [
        ("discover_threads", ["hiring_threads"]),
        ("lstm", ["generated_postings", "char_training_set"]),
    ]
    assert runs_by_job(defs, ["hiring_threads", "raw_posts"], True) == [
        ("hn_month", ["hiring_threads", "raw_posts"])
    ]


def test_a_month_asset_without_a_month_is_refused_by_name(defs):
    with pytest.raises(
        ValueError, match="no job of the HN code location runs raw_posts for all months"
    ):
        runs_by_job(defs, ["raw_posts"], partitioned=False)


def test_the_jobs_are_those_the_definitions_hold(defs):
    assert {job.name for job in JOBS} <= {job.name for job in defs.resolve_all_job_defs()}
