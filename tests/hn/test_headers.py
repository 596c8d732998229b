"""Header lines of real-looking posts, parsed into fields."""

from __future__ import annotations

import math
import time

import pytest

from hn_assets.hackernews.headers import (
    PostHeader,
    find_emails,
    find_urls,
    parse_post_header,
    parse_salary,
)

SF, NYC = "San Francisco Bay Area", "New York City"
#: The header fields these examples pin; the newer fields have tests of their own modules.
CLASSIC_FIELDS = (
    "company", "roles", "locations", "remote", "onsite", "hybrid", "salary_min", "salary_max",
    "salary_currency", "visa", "employment_types",
)  # fmt: skip


def _header(**fields: object) -> PostHeader:
    return PostHeader(**{"company": None, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "Acme Robotics | Senior Backend Engineer | San Francisco, CA | ONSITE | Full-time | $150k-$200k",
            dict(
                company="Acme Robotics",
                roles=["Senior Backend Engineer"],
                locations=[SF],
                onsite=True,
                salary_min=150_000,
                salary_max=200_000,
                salary_currency="USD",
                employment_types=["full-time"],
            ),
        ),
        (
            "Lumen Labs (YC S21) | Backend Engineer, Frontend Engineer, ML Engineer | NYC or REMOTE (US) | $120,000 - $160,000 + equity",
            dict(
                company="Lumen Labs",
                roles=["Backend Engineer", "Frontend Engineer", "ML Engineer"],
                locations=[NYC, "United States"],
                remote=True,
                onsite=True,  # "NYC or REMOTE": in the NYC office, or remote
                salary_min=120_000,
                salary_max=160_000,
                salary_currency="USD",
            ),
        ),
        (
            "Quarry - Staff Data Scientist - Berlin - Hybrid - €70-90k - VISA",
            dict(
                company="Quarry",
                roles=["Staff Data Scientist"],
                locations=["Berlin"],
                hybrid=True,
                salary_min=70_000,
                salary_max=90_000,
                salary_currency="EUR",
                visa=True,
            ),
        ),
        (
            "Fathom Health • Product Designer • London • £60k+ • Full-time • No visa sponsorship",
            dict(
                company="Fathom Health",
                roles=["Product Designer"],
                locations=["London"],
                onsite=True,
                salary_min=60_000,
                salary_currency="GBP",
                visa=False,
                employment_types=["full-time"],
            ),
        ),
        (
            "Kivra | Data Engineer | Bay Area | Remote OK | Contract | $90-120/hr",
            dict(
                company="Kivra",
                roles=["Data Engineer"],
                locations=[SF],
                remote=True,
                onsite=True,  # "Remote OK" beside an office in the Bay Area
                salary_min=90,  # as stated, per hour; salary_yearly_min has 90 x 2080
                salary_max=120,
                salary_currency="USD",
                employment_types=["contract"],
            ),
        ),
        (
            "Zentro|SRE, DevOps Engineer|Remote (EU)|Full Time / Part Time|80k-100k EUR",
            dict(
                company="Zentro",
                roles=["SRE", "DevOps Engineer"],
                locations=["Europe"],
                remote=True,
                salary_min=80_000,
                salary_max=100_000,
                salary_currency="EUR",
                employment_types=["full-time", "part-time"],
            ),
        ),
        (
            "Boston Dynamo | Robotics Engineer Intern | Boston, MA | ONSITE | up to $180k",
            dict(
                company="Boston Dynamo",
                roles=["Robotics Engineer Intern"],
                locations=["Boston"],
                onsite=True,
                salary_max=180_000,
                salary_currency="USD",
                employment_types=["internship"],
            ),
        ),
        (
            "San Francisco, CA | Pinecone Pay | Founding Engineer | C$140k – C$170k",
            dict(
                company="Pinecone Pay",
                roles=["Founding Engineer"],
                locations=[SF],
                onsite=True,
                salary_min=140_000,
                salary_max=170_000,
                salary_currency="CAD",
            ),
        ),
        (
            "Helix Bio; Multiple roles: Research Scientist, Data Analyst; Montréal or Zürich; Hybrid (2 days in office)",
            dict(
                company="Helix Bio",
                roles=["Research Scientist", "Data Analyst"],
                locations=["Montreal", "Zurich"],
                hybrid=True,
            ),
        ),
        (
            "Nook / iOS Developer / LA / NOT REMOTE",
            dict(company="Nook", roles=["iOS Developer"], locations=["Los Angeles"], onsite=True),
        ),
        (
            "Northwind is hiring engineers in Seattle and remotely",
            dict(company="Northwind", locations=["Seattle"], remote=True, onsite=True),
        ),
        (
            "We are a small team building tools for teachers.",
            dict(),
        ),
    ],
)
def test_parse_header(header: str, expected: dict) -> None:
    parsed = parse_post_header(header + "\n\nSome body text.")
    wanted = _header(**expected)
    assert {name: getattr(parsed, name) for name in CLASSIC_FIELDS} == {
        name: getattr(wanted, name) for name in CLASSIC_FIELDS
    }


def test_body_supplies_salary_visa_urls_and_emails() -> None:
    text = (
        "Orchard | Analytics Engineer | Denver, CO\n\n"
        "We raised a $20M Series B led by people you know and grew 10k customers.\n\n"
        "Compensation: $140,000 - $170,000 base plus equity.\n\n"
        "We sponsor visas. Apply at https://orchard.io/jobs/analytics-engineer?src=hn. or write to "
        "jobs [at] orchard [dot] io or sam@orchard.io, not via https://example.com/a_(b)."
    )
    parsed = parse_post_header(text)
    assert (parsed.salary_min, parsed.salary_max, parsed.salary_currency) == (
        140_000,
        170_000,
        "USD",
    )
    assert parsed.visa is True
    assert parsed.urls == [
        "https://orchard.io/jobs/analytics-engineer?src=hn",
        "https://example.com/a_(b)",
    ]
    assert parsed.emails == ["jobs@orchard.io", "sam@orchard.io"]
    assert parsed.locations == ["Denver"] and parsed.onsite


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$150k-$200k", (150_000, 200_000, "USD")),
        ("$150K - $200K", (150_000, 200_000, "USD")),
        ("$120,000 - $160,000", (120_000, 160_000, "USD")),
        ("€70-90k", (70_000, 90_000, "EUR")),
        ("£60k+", (60_000, None, "GBP")),
        ("CHF 120k-150k", (120_000, 150_000, "CHF")),
        ("USD 150-200k", (150_000, 200_000, "USD")),
        ("150k to 180k EUR", (150_000, 180_000, "EUR")),
        ("€65.000 - €80.000", (65_000, 80_000, "EUR")),
        ("$75/hr", (75, 75, "USD")),  # as stated; Salary.yearly() has 75 x 2080
        ("up to £95k", (None, 95_000, "GBP")),
        ("Series A ($12M)", None),
        ("10k users and 5 people", None),
        ("401(k) matching", None),
    ],
)
def test_parse_salary(text: str, expected: tuple | None) -> None:
    salary = parse_salary(text)
    if expected is None:
        assert salary is None
    else:
        assert salary is not None
        assert (salary.minimum, salary.maximum, salary.currency) == expected


@pytest.mark.parametrize(
    ("text", "visa"),
    [
        ("Visa sponsorship available", True),
        ("We can sponsor work visas for strong candidates.", True),
        ("H1B transfers welcome", True),
        ("Unfortunately we cannot sponsor visas at this time.", False),
        ("No visa sponsorship, sorry.", False),
        ("We are not able to sponsor visas for this role.", False),
        ("We use Visa and Mastercard APIs", None),
        ("Remote within the US", None),
    ],
)
def test_visa_notes(text: str, visa: bool | None) -> None:
    assert parse_post_header(f"Acme | Engineer | Remote\n\n{text}").visa is visa


def test_urls_and_emails_are_unique_and_in_order() -> None:
    text = "https://a.com/x, https://b.com/y. https://a.com/x and a@b.co / A (at) example (dot) org"
    assert find_urls(text) == ["https://a.com/x", "https://b.com/y"]
    assert find_emails(text) == ["a@b.co", "a@example.org"]
    assert find_emails("meet us at the office at noon") == []


def test_sample_posts_mostly_parse() -> None:
    from hn_assets.hackernews.cleaning import html_to_text
    from hn_assets.hackernews.sample_archive import load_sample_archive

    archive = load_sample_archive()
    thread = archive.items[archive.hiring_thread_id(archive.months[0])]
    headers = [
        parse_post_header(html_to_text(archive.items[kid]["text"]))
        for kid in thread["kids"]
        if archive.items[kid].get("text") and not archive.items[kid].get("dead")
    ]
    share = lambda f: sum(map(f, headers)) / len(headers)  # noqa: E731
    assert share(lambda h: h.company is not None) > 0.95
    assert share(lambda h: bool(h.roles)) > 0.9
    assert share(lambda h: bool(h.locations) or h.remote) > 0.95
    assert 0.4 < share(lambda h: h.salary_min is not None or h.salary_max is not None) < 0.95
    assert all(h.salary_min is None or not math.isnan(h.salary_min) for h in headers)
    assert (
        share(lambda h: h.remote) > 0.2
        and share(lambda h: h.onsite) > 0.2
        and share(lambda h: h.hybrid) > 0.05
    )
    assert share(lambda h: h.visa is True) > 0.05 and share(lambda h: h.visa is False) > 0.05


@pytest.mark.parametrize(
    ("field", "roles"),
    [
        ("Software Engineer, Backend", ["Software Engineer, Backend"]),
        ("Senior, Staff Engineer", ["Senior, Staff Engineer"]),
        ("Backend, Frontend Engineer", ["Backend, Frontend Engineer"]),
        (
            "Software Engineer, Backend, Data Scientist",
            ["Software Engineer, Backend", "Data Scientist"],
        ),
        (
            "Backend Engineer, ML Engineer & Designer",
            ["Backend Engineer", "ML Engineer", "Designer"],
        ),
        ("Hiring: SRE and Technical Artist", ["SRE", "Technical Artist"]),
        ("Multiple roles: Product Manager, iOS Developer", ["Product Manager", "iOS Developer"]),
    ],
)
def test_role_lists(field: str, roles: list[str]) -> None:
    assert parse_post_header(f"Acme | {field} | Remote").roles == roles


def test_markdown_links_are_two_urls() -> None:
    # HN shows "[url](url)" as typed and links all of it; "](" is never part of a URL.
    text = "Site: [https://acme.example](https://acme.example/jobs) and https://b.example/x_(y)."
    assert find_urls(text) == [
        "https://acme.example",
        "https://acme.example/jobs",
        "https://b.example/x_(y)",
    ]


# Inputs built to make a regex or a loop super-linear: most once took seconds to minutes (a
# regex rescanned a long run from every position in it, or a loop recounted the string per
# character stripped).
PATHOLOGICAL = {
    "short-places": "SF " * 34_000,
    "hyphen-runs": "www." + "a-" * 50_000,
    "percent-runs": "%a" * 50_000,
    "unclosed-hybrid-notes": "hybrid (" * 40_000,
    "closing-brackets": "https://x" + ")" * 100_000,
    "space-run-in-header": "a" + " " * 100_000 + "b | c",
    "tab-run-in-header": "Acme" + "\t" * 100_000 + "(3)",
    "space-run-after-at": "jobs at" + " " * 100_000 + "acme.io",
    "space-run-in-domain": "jobs [at] acme" + " " * 100_000 + ".io",
    "dot-runs": "jobs [at] acme" + " [dot] " * 14_000,
    "separators": " | - / • ; " * 9_000,
    "unclosed-yc-notes": "(YC a " * 16_000,
    "letters": "a" * 100_000,
    "dollars": "$" * 100_000,
    "pipes": "|" * 100_000,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_long_hostile_text_parses_in_linear_time(text: str) -> None:
    # Linear work on this size takes a small fraction of a second; the bound leaves room for a
    # busy machine and still fails by far for anything quadratic.
    started = time.perf_counter()
    parse_post_header(text)
    assert time.perf_counter() - started < 1.0


def test_obfuscated_email_shortcut_matches_full_scan():
    import random
    import re
    import sys

    from hn_assets.hackernews import headers

    # The walk back from each "at" must cover every character the local part can hold,
    # including those [A-Za-z] matches only under IGNORECASE ("ı", "ſ", Kelvin sign...).
    local = re.compile(r"[A-Za-z0-9._%+-]", re.IGNORECASE)
    extra = {chr(c) for c in range(128, sys.maxunicode + 1) if local.fullmatch(chr(c))}
    ascii_ = {chr(c) for c in range(128) if local.fullmatch(chr(c))}
    assert frozenset(ascii_ | extra) == headers._LOCAL_CHARS

    rng = random.Random(7)
    pieces = ["a", "jo", "x.y", "_", "é", "-", "+", ".", " ", "  ", "\n", "at", "AT", " at ",
              "[at]", "(at)", "{at}", "[at)", "dot", " dot ", "[dot]", "com", "io", "@", "(",
              "ı", "ſ", "\u00a0"]  # fmt: skip
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))
        expected = [m.span() for m in headers._OBFUSCATED_EMAIL_RE.finditer(text)]
        assert [m.span() for m in headers._obfuscated_emails(text)] == expected, text


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("Acme is still looking for a technical writer: https://acme.org/job", "Acme"),
        ("Acme Health (acme.health/careers) is hiring engineers in NYC", "Acme Health"),
        ("Acme just raised $58M and is hiring across eng", "Acme"),
        ("The Example Digital Service is a team of technologists", "Example Digital Service"),
        ("Acme is hiring- Backend (Go) & Solutions Engineers | Remote", "Acme"),
        ("Founding Backend Engineer @ Acme AI | San Francisco | https://acme.ai", "Acme AI"),
        (
            "Acme Technology/ Software engineer (m/f/d)/ Dresden, Germany/ Full-Time",
            "Acme Technology",
        ),
        ("Acme:\nWe build things.", "Acme"),
        ("Company: Acme Publishing Inc. (https://acme.pub/)", "Acme Publishing Inc."),
        ("https://acmemachines.com - Software-driven automation", "acmemachines.com"),
        # No company in the header: the first sentence that names one, then the first address.
        ("Good morning, everyone! Acme Double is hiring Senior Engineers.", "Acme Double"),
        (
            "Director of Software Engineering\nApply at https://jobs.lever.co/AcmeHealth/123",
            "AcmeHealth",
        ),
        (
            "Senior Engineer | Remote\nMail jobs@acme-robotics.com or see github.com/x",
            "acme-robotics.com",
        ),
    ],
)
def test_company_is_read_the_ways_posts_name_it(text, company):
    assert parse_post_header(text).company == company


@pytest.mark.parametrize(
    "text",
    [
        "We are hiring engineers in Berlin",
        "Hi, we are hiring for a Solution Engineer in the USA",
        "100% Remote | Full-time | Head of Product",
        "SEEKING WORK | USA | Remote",
        "Senior Engineer | Remote\nIf you are interested, mail me at jo@gmail.com",
        "Senior Engineer | Remote\nApply: https://[acme.example/jobs",
    ],
)
def test_no_company_is_made_up_from_pronouns_arrangements_or_personal_mail(text):
    assert parse_post_header(text).company is None
