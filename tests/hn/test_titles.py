"""Thread titles of the whoishiring account, as they have really been written."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hn_assets.hackernews.titles import (
    MAX_TITLE_CHARS,
    ThreadKind,
    ThreadTitle,
    parse_thread_title,
)

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
        ("Ask HN: Who is hiring? (January 2023)", HIRING, "2023-01"),
        ("Ask HN: Who wants to be hired? (Sept 2023)", WANTS, "2023-09"),
        ("Ask HN: Freelancer? Seeking freelancer? (Sept. 2023)", FREELANCER, "2023-09"),
        ("ASK HN: WHO IS HIRING? (MAY 2026)", HIRING, "2026-05"),
        ("Ask HN: Who is hiring? \u2013 March 2021", HIRING, "2021-03"),
        ("Ask HN: Who is hiring? (October, 2022)", HIRING, "2022-10"),
        # full-width forms and odd spaces, as pasted from another keyboard layout
        ("\uff21sk HN\uff1a Who is hiring\uff1f\u3000\uff08May 2026\uff09", HIRING, "2026-05"),
        ("Ask\u00a0HN: Who\u2009is hiring?\n(June 2026)", HIRING, "2026-06"),
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
        # Month names in other languages are not guessed at (they collide across languages)
        "Ask HN: Who is hiring? (Mai 2027)",
        "Ask HN: Who is hiring? (Mayo 2027)",
        "Ask HN: Who is hiring? (listopad 2026)",
        "Ask HN: Who is hiring? (June \u0662\u0660\u0662\u0666)",  # Arabic-Indic digits
        "Ask HN: Who is hiring? (June 2023)" + " " * MAX_TITLE_CHARS,
    ],
)
def test_other_titles_are_ignored(title: str) -> None:
    assert parse_thread_title(title) is None


ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@pytest.mark.parametrize("number", range(1, 13))
def test_every_english_month_name_in_full_and_abbreviated(number: int) -> None:
    name = ENGLISH_MONTHS[number - 1]
    for written in (name, name[:3], f"{name[:3]}.", name.lower(), name.upper()):
        parsed = parse_thread_title(f"Ask HN: Who is hiring? ({written} 2024)")
        assert parsed == ThreadTitle(HIRING, f"2024-{number:02d}"), written


@pytest.mark.parametrize("title", [None, 42, 3.5, b"Ask HN: Who is hiring? (May 2026)", ["x"]])
def test_a_title_that_is_not_text_is_not_a_thread(title: object) -> None:
    assert parse_thread_title(title) is None


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(st.characters(exclude_categories=()), max_size=300),
        st.lists(
            st.sampled_from(["who", " is", " hiring", "?", " ", "(", "may", " 2026", ")", "\t"]),
            max_size=80,
        ).map("".join),
    )
)
def test_any_text_parses_without_raising(title: str) -> None:
    parsed = parse_thread_title(title)
    assert parsed is None or isinstance(parsed, ThreadTitle)


@pytest.mark.parametrize(
    "title",
    [
        "Ask HN: Who is hiring?" + " " * (MAX_TITLE_CHARS - 30) + "!",
        "Ask HN: Who is hiring? (" + "a" * (MAX_TITLE_CHARS - 30) + " 2026",
        "Ask HN: " + "freelancer? " * 15 + "x",
    ],
)
def test_the_worst_titles_within_the_length_bound_parse_quickly(title: str) -> None:
    started = time.perf_counter()
    for _ in range(100):
        parse_thread_title(title)
    assert time.perf_counter() - started < 1.0


def test_kind_values_are_the_stored_strings() -> None:
    assert [kind.value for kind in ThreadKind] == ["hiring", "wants_to_be_hired", "freelancer"]
    assert str(ThreadKind.HIRING) == "hiring"
