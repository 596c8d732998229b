"""Every text-generation asset has a check that can fail, judged by a Dagster-free verdict."""

import dagster as dg
import pytest

from hn_assets.defs.checks import check_result
from hn_assets.defs.textgen import char_training_set, generated_postings, job_posting_lstm
from hn_assets.textgen.quality import (
    MIN_TERMINATED_SHARE,
    MIN_VOCABULARY_COVERAGE,
    postings_terminate,
    training_set_covered,
)
from hn_assets.textgen.sampling import GeneratedPosting


def postings(ended: int, cut: int, empty: int = 0) -> list[GeneratedPosting]:
    return (
        [GeneratedPosting("acme | sre | remote", terminated=True)] * ended
        + [GeneratedPosting("x" * 2000, terminated=False)] * cut
        + [GeneratedPosting(" \n", terminated=True)] * empty
    )


@pytest.mark.parametrize(
    "asset, checks",
    [
        (char_training_set, {"no_quarantined_posts", "vocabulary_covers_text"}),
        (job_posting_lstm, {"beats_unigram_baseline", "below_bpc_ceiling"}),
        (generated_postings, {"postings_terminate"}),
    ],
)
def test_every_textgen_asset_declares_its_checks(asset, checks):
    declared = {spec.name for spec in asset.check_specs}
    assert declared == checks
    assert all(spec.description for spec in asset.check_specs)


def test_four_of_five_postings_ending_is_enough_three_is_not():
    assert MIN_TERMINATED_SHARE == 0.8
    four = postings_terminate(postings(ended=4, cut=1))
    assert four.passed and four.warning
    assert four.metadata["terminated"] == 4 and four.metadata["terminated_share"] == 0.8
    assert "4 of 5 postings end on their own (80%" in four.description
    three = postings_terminate(postings(ended=3, cut=2))
    assert not three.passed and three.metadata["terminated"] == 3
    assert postings_terminate(postings(ended=5, cut=0)).passed


def test_an_empty_posting_does_not_count_as_ended_and_none_at_all_fails():
    verdict = postings_terminate(postings(ended=3, cut=0, empty=2))
    assert not verdict.passed and verdict.metadata["terminated"] == 3
    assert not postings_terminate([]).passed
    assert postings_terminate(postings(ended=3, cut=2), min_share=0.6).passed


def test_the_training_set_must_have_posts_and_a_vocabulary_that_covers_them():
    assert MIN_VOCABULARY_COVERAGE == 0.99
    covered = training_set_covered(posts=1504, unknown_rate=0.0007)
    assert covered.passed and not covered.warning
    assert "99.93% of the characters of 1504 posts" in covered.description
    holes = training_set_covered(posts=1504, unknown_rate=0.015)
    assert not holes.passed and "lower min_frequency" in holes.description
    assert training_set_covered(posts=10, unknown_rate=0.01).passed  # exactly 99%
    empty = training_set_covered(posts=0, unknown_rate=0.0)
    assert not empty.passed and "empty" in empty.description


def test_verdicts_become_check_results_of_the_right_severity():
    failed = check_result(
        "postings_terminate", postings_terminate(postings(1, 4)), "generated_postings"
    )
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.WARN
    holes = check_result(
        "vocabulary_covers_text", training_set_covered(5, 0.5), "char_training_set"
    )
    assert not holes.passed and holes.severity == dg.AssetCheckSeverity.ERROR
    assert holes.metadata["coverage"].value == 0.5
