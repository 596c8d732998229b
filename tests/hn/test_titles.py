"""Thread titles of the whoishiring account, as they have really been written."""

from __future__ import annotations

import pytest

from hn_assets.hackernews.titles import ThreadKind, ThreadTitle, parse_thread_title

HIRING, WANTS, FREELANCER = ThreadKind.HIRING, ThreadKind.WANTS_TO_BE_HIRED, ThreadKind.FREELANCER


@pytest.mark.parametrize(
    ("title", "kind", "month"),
    [
        ("Ask HN: Who is hiring? (November 2026)", HIRING, "2026-11"),
        ("Ask HN: Who Is Hiring? (June 2026)", HIRING, "2026-06"),
        ("Who Is Hiring? (July 2026)", HIRING, "2026-07"),
        ("Ask HN: Who is Hiring? (April 2011)", HIRING, "2011-04"),
        ("Ask HN: Who's Hiring? (January 2012)", HIRING, "2012-01"),
        ("Ask HN: Who\u2019s hiring? (Sept 2015)", HIRING, "2015-09"),
        ("Ask HN: Who is hiring? (Dec 2019)", HIRING, "2019-12"),
        ("  Ask HN:  Who is hiring?  (March 2020) ", HIRING, "2020-03"),
        ("Ask HN: Who is hiring? [February 2024]", HIRING, "2024-02"),
        ("Ask HN: Who wants to be hired? (November 2026)", WANTS, "2026-11"),
        ("Ask HN: Who Wants to Be Hired? (August 2026)", WANTS, "2026-08"),
        ("Ask HN: Freelancer? Seeking freelancer? (November 2026)", FREELANCER, "2026-11"),
        ("Ask HN: Freelancer? Seeking Freelancer? (July 2014)", FREELANCER, "2014-07"),
        ("Ask HN: Seeking Freelancers? (September 2026)", FREELANCER, "2026-09"),
        ("Seeking Freelancers? (May 2016)", FREELANCER, "2016-05"),
    ],
)
def test_recognised_titles(title: str, kind: ThreadKind, month: str) -> None:
    assert parse_thread_title(title) == ThreadTitle(kind=kind, month=month)


@pytest.mark.parametrize(
    "title",
    [
        "",
        "Ask HN: Who is hiring?",  # no month: never guessed
        "Ask HN: Who is hiring? (2026)",
        "Ask HN: Who is hiring? (Smarch 2026)",
        "Ask HN: Who is hiring remote engineers? (November 2026)",
        "Ask HN: Who is hiring interns this summer? (June 2026)",
        "Tell HN: Who is hiring? threads are now posted at 11am ET (November 2026)",
        "Ask HN: Who is hiring? Thread format feedback",
        "Ask HN: Who wants to be hired? Tips for posting",
        "Ask HN: Is anyone seeking freelancers in Berlin? (May 2026)",
        "Show HN: A search engine for Who is hiring? (November 2026)",
    ],
)
def test_other_titles_are_ignored(title: str) -> None:
    assert parse_thread_title(title) is None


def test_kind_values_are_the_stored_strings() -> None:
    assert [kind.value for kind in ThreadKind] == ["hiring", "wants_to_be_hired", "freelancer"]
    assert str(ThreadKind.HIRING) == "hiring"
