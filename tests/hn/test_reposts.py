"""Reposts: a posting repeated in a later month, found by company and near-duplicate text."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hn_assets.market.reposts import (
    FINGERPRINTS_TABLE,
    REPOST_SIMILARITY,
    FingerprintStore,
    RepostHistory,
    company_key,
    fingerprints,
    shingles,
    similarity,
    with_reposts,
)
from hn_assets.storage import ParquetStore

ACME = (
    "Acme Robotics | Senior Backend Engineer | Berlin or Remote (EU) | Full-time | 90-120k EUR\n\n"
    "We build the control software for warehouse robots that move two million parcels a day. "
    "You will own the fleet scheduler, a Go service backed by PostgreSQL and Kafka, and work "
    "with the hardware team on the real-time path to the robots. We value small pull requests, "
    "written design notes and a calm on-call rotation shared by the whole team.\n\n"
    "Apply at https://acme.example/jobs or write to jobs@acme.example with a short note."
)
#: The same posting a month later: new salary and location, one sentence changed.
ACME_EDITED = (
    ACME.replace("90-120k EUR", "100-130k EUR")
    .replace("Berlin or Remote (EU)", "Berlin, Munich or Remote (EU)")
    .replace("We value small pull requests", "We care about small pull requests")
)
#: Shortened to its first paragraph and the link.
ACME_SHORT = ACME.split("\n\n")[0] + "\n\n" + ACME.split("\n\n")[1][:300]
#: A new title and header layout over the same body.
ACME_RETITLED = (
    "ACME ROBOTICS (acme.example) - Staff Engineer, Fleet - REMOTE EU\n\n"
    + ACME.split("\n\n", 1)[1]
)
#: Another company's post on the same recruiter template.
OTHER_COMPANY = ACME.replace("Acme Robotics", "Zenith Logistics").replace("acme", "zenith")
#: The same company hiring for a different job, with a different text.
ACME_NEW_JOB = (
    "Acme Robotics | Product Designer | Berlin | Full-time\n\n"
    "Our operators run hundreds of robots from one screen. Help us design the tools they use "
    "every day: dashboards, alerts and the map of the warehouse floor. You will sketch, test "
    "with operators on site and ship with two frontend engineers."
)


def month_of(posts: list[tuple[int, str, str | None, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(posts, columns=["id", "month", "company", "by", "text"])


def run_months(months: list[pd.DataFrame]) -> pd.DataFrame:
    """Each month in order through with_reposts, as clean_posts does."""
    history = RepostHistory()
    out = []
    for posts in months:
        blank = posts.assign(
            first_seen_month=posts["month"], reposted_from=None, months_posted=1, repost=False
        )
        blank = blank.astype({"reposted_from": "Int64", "months_posted": "int64", "repost": bool})
        filled, prints = with_reposts(blank, history)
        history.add(prints)
        out.append(filled)
    return pd.concat(out, ignore_index=True).set_index("id")


def test_edited_shortened_and_retitled_reposts_are_found_and_other_companies_are_not() -> None:
    result = run_months(
        [
            month_of([(1, "2026-01", "Acme Robotics", "ann", ACME)]),
            month_of(
                [
                    (2, "2026-02", "Acme Robotics GmbH", "ann", ACME_EDITED),
                    (3, "2026-02", "Zenith Logistics", "rec", OTHER_COMPANY),
                    (4, "2026-02", "Acme Robotics", "bob", ACME_NEW_JOB),
                ]
            ),
            month_of(
                [
                    (5, "2026-03", "Acme Robotics", "bob", ACME_SHORT),
                    # The company name was not parsed: the same author stands in for it.
                    (6, "2026-03", None, "ann", ACME_RETITLED),
                ]
            ),
        ]
    )
    assert not result.loc[1, "repost"] and result.loc[1, "months_posted"] == 1
    assert result.loc[2, "repost"] and result.loc[2, "reposted_from"] == 1
    assert result.loc[2, "first_seen_month"] == "2026-01" and result.loc[2, "months_posted"] == 2
    # Another company with the same template, and the same company's different job: new.
    assert not result.loc[3, "repost"] and pd.isna(result.loc[3, "reposted_from"])
    assert not result.loc[4, "repost"]
    # The nearest earlier post: the February one, first seen in January, third month running.
    for post in (5, 6):
        assert result.loc[post, "repost"], post
        assert result.loc[post, "reposted_from"] == 2
        assert result.loc[post, "first_seen_month"] == "2026-01"
        assert result.loc[post, "months_posted"] == 3


def test_two_posts_of_one_month_are_two_postings() -> None:
    result = run_months(
        [
            month_of(
                [(1, "2026-01", "Acme", "ann", ACME), (2, "2026-01", "Acme", "ann", ACME_EDITED)]
            )
        ]
    )
    assert not result["repost"].any()


def test_a_recruiter_posting_for_two_companies_is_not_a_repost() -> None:
    result = run_months(
        [
            month_of([(1, "2026-01", "Acme Robotics", "rec", ACME)]),
            month_of([(2, "2026-02", "Zenith Logistics", "rec", OTHER_COMPANY)]),
        ]
    )
    assert not result.loc[2, "repost"]


def test_the_threshold_separates_an_edit_from_a_rewrite() -> None:
    a, edited, new_job = shingles(ACME), shingles(ACME_EDITED), shingles(ACME_NEW_JOB)
    assert similarity(a, edited) >= REPOST_SIMILARITY
    assert similarity(a, shingles(ACME_SHORT)) >= REPOST_SIMILARITY
    assert similarity(a, new_job) < REPOST_SIMILARITY / 2


def test_one_line_posts_match_only_when_identical() -> None:
    short = shingles("Acme | Engineer | Remote")
    assert similarity(short, shingles("Acme | Engineer | Remote")) == 1.0
    assert similarity(short, shingles("Acme | Engineer | Remote | Go")) == 0.0
    assert similarity(shingles(""), short) == 0.0


def test_company_keys_ignore_case_suffixes_and_punctuation() -> None:
    assert company_key("Acme, Inc.") == company_key("ACME (acme.io)") == "acme"
    assert company_key("Zürich Labs GmbH") == "zurich"
    assert company_key(None) == company_key("") == company_key("Inc.") == ""


def test_the_result_does_not_depend_on_the_order_months_are_seen_in() -> None:
    months = [
        month_of([(1, "2026-01", "Acme", "ann", ACME)]),
        month_of([(2, "2026-02", "Acme", "ann", ACME_EDITED)]),
        month_of([(3, "2026-03", "Acme", "ann", ACME_SHORT)]),
    ]
    prints = [fingerprints(month) for month in months]
    expected = run_months(months)
    for order in itertools.permutations(range(3)):
        # Each month compared with the stored fingerprints of the months before it, whatever
        # order they were written in.
        for target in order:
            history = RepostHistory(prints[i] for i in range(target))
            found = history.reposts(prints[target])
            for post_id, row in found.iterrows():
                want = expected.loc[post_id]
                assert str(row["reposted_from"]) == str(want["reposted_from"])
                assert row["months_posted"] == want["months_posted"]


def test_fingerprints_are_stored_and_rebuilt_from_clean_posts(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    january = month_of([(1, "2026-01", "Acme", "ann", ACME)])
    # A month cleaned before fingerprints existed: only its clean posts are stored.
    store.write("clean_posts", january, "2026-01")
    prints = FingerprintStore(store)
    earlier = prints.earlier_months("2026-03", ["2026-01", "2026-02", "2026-03", "2026-04"])
    assert earlier.history.months == {"2026-01"}
    assert earlier.not_cleaned == ["2026-02"]
    assert store.exists(FINGERPRINTS_TABLE, "2026-01")  # written for the next time
    again = FingerprintStore(store).read("2026-01")
    assert again is not None and list(again["id"]) == [1]


def test_a_month_fetched_but_not_cleaned_yet_is_cleaned_for_its_fingerprints(
    tmp_path: Path,
) -> None:
    """Runs of several months at once: an earlier month may have its raw posts only."""
    store = ParquetStore(tmp_path)
    raw = pd.DataFrame(
        [{"id": 1, "by": "ann", "time": 1, "text": ACME.replace("\n\n", "<p>"), "deleted": False,
          "dead": False, "parent": 99}]
    )  # fmt: skip
    store.write("raw_posts", raw, "2026-01")
    earlier = FingerprintStore(store).earlier_months("2026-02", ["2026-01"])
    assert earlier.not_cleaned == [] and earlier.history.months == {"2026-01"}
    february = month_of([(2, "2026-02", "Acme Robotics", "ann", ACME_EDITED)])
    found = earlier.history.reposts(fingerprints(february))
    assert found.loc[2, "repost"] and found.loc[2, "reposted_from"] == 1


@given(st.text(max_size=400), st.text(max_size=400))
def test_similarity_is_symmetric_and_a_share(a: str, b: str) -> None:
    left, right = shingles(a), shingles(b)
    assert similarity(left, right) == similarity(right, left)
    assert 0.0 <= similarity(left, right) <= 1.0
    assert left.dtype == np.uint32 and np.all(np.diff(left.astype(np.int64)) > 0)


@given(st.text(min_size=1, max_size=400))
def test_a_text_is_its_own_repost(text: str) -> None:
    prints = shingles(text)
    if len(prints):
        assert similarity(prints, prints) == 1.0


def test_a_huge_post_is_fingerprinted_in_bounded_time() -> None:
    text = ("word " * 200_000) + " ".join(f"w{i}" for i in range(50_000))
    prints = shingles(text)
    assert 0 < len(prints) <= 50_002


@pytest.mark.parametrize("company", [None, float("nan")])
def test_unknown_companies_and_authors_are_no_candidates(company: object) -> None:
    history = RepostHistory([fingerprints(month_of([(1, "2026-01", company, "", ACME)]))])
    found = history.reposts(fingerprints(month_of([(2, "2026-02", company, "", ACME)])))
    assert not found.loc[2, "repost"]
