"""Deterministic made-up job posts in the clean_posts contract, for tests and benchmarks.

The vocabulary is chosen so the blog post's queries have both matches and near misses: posts
mention "San Francisco", "the Bay Area", "machine learning" and "data analysis", but also
"San Jose", "learning about machines" and "data pipelines", in varied case and punctuation.
Roughly as often as real threads do: a few percent to a quarter of the posts each, within a
vocabulary of a few hundred words.
"""

from __future__ import annotations

import calendar
import math
import random
from collections.abc import Sequence
from typing import Any

from hn_assets.hackernews.hn_format import item_url
from hn_assets.search.query import validate_month

COMPANIES = (
    "Stripe", "Acme Robotics", "Northwind Labs", "Globex", "Initech", "Hooli", "Pied Piper",
    "Umbrella Health", "Soylent Foods", "Vandelay Industries", "Wayne Analytics", "Tyrell AI",
    "Cyberdyne Systems", "Stark Data", "Wonka Logistics", "Aperture Science", "Oscorp",
    "Massive Dynamic", "Monarch Bio", "Blue Sun", "Zürich Quant AG", "São Paulo Fintech",
)  # fmt: skip
ROLES = (
    "Senior Backend Engineer", "Machine Learning Engineer", "Data Scientist", "Data Analyst",
    "Frontend Engineer", "Site Reliability Engineer", "Full Stack Developer",
    "Engineering Manager", "Product Designer", "Security Engineer", "Mobile Engineer",
)  # fmt: skip
LOCATIONS = (
    "San Francisco Bay Area", "San Francisco", "New York", "Berlin", "London", "Austin, TX",
    "Seattle", "Zürich", "São Paulo", "Toronto", "San Jose", "Oakland", "Paris",
)  # fmt: skip
TECH = (
    "Python", "Rust", "Go", "TypeScript", "Kubernetes", "PostgreSQL", "React", "Kafka",
    "PyTorch", "Elixir", "C++", "Node.js", "Terraform", "Spark", "Java", "Kotlin", "Swift",
    "Ruby on Rails", "Django", "Haskell", "Scala", "Clojure", "OCaml", "Erlang", "GraphQL",
    "Redis", "ClickHouse", "Snowflake", "dbt", "Flutter", "Vue", "Svelte", "WebAssembly",
)  # fmt: skip
ROLE_FAMILY = {
    "Senior Backend Engineer": "backend", "Machine Learning Engineer": "ml",
    "Data Scientist": "data", "Data Analyst": "data", "Frontend Engineer": "frontend",
    "Site Reliability Engineer": "devops", "Full Stack Developer": "fullstack",
    "Engineering Manager": "management", "Product Designer": "design",
    "Security Engineer": "security", "Mobile Engineer": "mobile",
}  # fmt: skip
#: Each location's GeoNames city (None for a region) and ISO country.
PLACE = {
    "San Francisco Bay Area": (None, "US"), "San Francisco": ("San Francisco", "US"),
    "New York": ("New York City", "US"), "Berlin": ("Berlin", "DE"), "London": ("London", "GB"),
    "Austin, TX": ("Austin", "US"), "Seattle": ("Seattle", "US"), "Zürich": ("Zürich", "CH"),
    "São Paulo": ("São Paulo", "BR"), "Toronto": ("Toronto", "CA"), "San Jose": ("San Jose", "US"),
    "Oakland": ("Oakland", "US"), "Paris": ("Paris", "FR"),
}  # fmt: skip
CITIES = (
    "San Francisco", "New York", "Berlin", "London", "Austin", "Seattle", "Boston", "Chicago",
    "Denver", "Toronto", "Vancouver", "Montreal", "Amsterdam", "Stockholm", "Copenhagen",
    "Helsinki", "Lisbon", "Barcelona", "Madrid", "Munich", "Vienna", "Prague", "Warsaw",
    "Tel Aviv", "Bangalore", "Singapore", "Tokyo", "Sydney", "Melbourne", "Oakland",
)  # fmt: skip
PRODUCTS = (
    "billing software", "a time-series database", "observability tooling", "an EHR platform",
    "route planning", "a payroll API", "developer tooling", "a design tool", "tax software",
    "warehouse robots", "a compiler", "insurance claims automation", "a CRM for dentists",
    "satellite imagery pipelines", "a trading platform", "video infrastructure",
    "identity verification", "carbon accounting", "a learning management system for nurses",
    "open-source data tooling", "a no-code workflow builder", "fleet telematics",
)  # fmt: skip
CUSTOMERS = (
    "hospitals", "farmers", "small banks", "airlines", "game studios", "law firms",
    "municipalities", "retailers", "universities", "utilities", "freight brokers", "clinics",
    "restaurants", "insurers", "manufacturers", "newsrooms", "nonprofits", "schools",
)  # fmt: skip
THINGS = (
    "fraud detection", "supply chains", "medical imaging", "ad auctions", "payments",
    "search ranking", "energy markets", "genomics", "logistics", "customer support",
    "pricing", "scheduling", "document parsing", "forecasting", "recommendations",
    "compliance", "onboarding", "inventory", "routing", "underwriting",
)  # fmt: skip
SENTENCES = (
    "{company} builds {product} for {customers}.",
    "We are a {stage} company; {customers} rely on us for {thing}.",
    "You will build {tech} and {tech} services used by {customers} every day.",
    "Experience with {tech} is a plus, {tech} even more so.",
    "Most of the team lives near {city}, and we meet in person twice a year.",
    "We sponsor visas and help with relocation to {city}.",
    "Our {tech} monolith is being split into services; help us do it well.",
    "The interview is a take-home exercise in {tech} and a conversation with the team.",
    "Benefits: health insurance, a yearly education budget and generous parental leave.",
    "We care about code review, written design docs and shipping small changes often.",
    "You would own {thing} end to end, from the database schema to the dashboard.",
    "We are profitable, growing, and hiring our first engineers outside {city}.",
    "Our stack: {tech}, {tech} and {tech}, deployed on boring infrastructure.",
    "Tell us about something you built with {tech}; links welcome.",
    "Small team, big problems in {thing}, and real ownership from week one.",
    "Last year we grew revenue threefold while keeping on-call quiet.",
    "We rewrote our {thing} pipeline in {tech} and cut costs by half.",
    "Founders previously built {product} at a public company.",
    "Hiring managers reply to every application within a week.",
    "We value clear writing, kindness and curiosity over pedigree.",
    "Equity is meaningful and the vesting schedule is standard.",
    "Come help {customers} stop using spreadsheets for {thing}.",
    "Our office in {city} has a library, a quiet room and good coffee.",
    "We open-sourced our {tech} tooling; have a look on GitHub.",
)  # fmt: skip
#: Sentences behind the blog post's queries, and near misses that must not match them.
KEY_SENTENCES = (
    (0.025, "We apply machine learning to {thing}."),
    (0.015, "MACHINE-LEARNING infrastructure, data pipelines and {thing}."),
    (0.04, "Our analysts do data analysis on {thing} every day."),
    (0.04, "Offices in the Bay Area and in {city}; remote within the timezone works too."),
    (0.03, "Visit our San Francisco office or the one in San Jose."),
    (0.04, "We spend a lot of time learning about machines and {thing}."),
    (0.04, "Strong data skills and analysis of {thing} matter more than a degree."),
    (0.03, "Deep learning research meets product engineering here."),
)
STAGES = ("seed", "Series A", "Series B", "profitable", "public", "YC-backed")
EMPLOYMENT = ("full-time", "part-time", "contract", "internship")
CURRENCIES = ("USD", "USD", "USD", "EUR", "GBP")


def default_months(count: int, first: str = "2019-01") -> list[str]:
    """``count`` consecutive ``YYYY-MM`` months starting at ``first``."""
    year, month = (int(part) for part in validate_month(first).split("-"))
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_start(month: str) -> int:
    """Epoch seconds of 15:00 UTC on the first day of ``month`` (threads go up mid-morning ET)."""
    year, number = (int(part) for part in validate_month(month).split("-"))
    return calendar.timegm((year, number, 1, 15, 0, 0, 0, 0, 0))


def synthetic_posts(
    n: int,
    *,
    months: Sequence[str] = ("2026-10", "2026-11"),
    seed: int = 0,
    first_id: int = 40_000_000,
) -> list[dict[str, Any]]:
    """``n`` posts spread evenly over ``months`` in order, ids and times increasing."""
    rng = random.Random(seed)
    months = [validate_month(month) for month in months]
    posts: list[dict[str, Any]] = []
    month_first = 0
    for i in range(n):
        month_index = i * len(months) // n
        if posts and posts[-1]["month"] != months[month_index]:
            month_first = i
        posts.append(_post(rng, first_id + i, months[month_index], month_index, i - month_first))
    return posts


def _post(rng: random.Random, post_id: int, month: str, month_index: int, rank: int) -> dict:
    """One post; ``rank`` is its position in the month's thread (fixes a unique time)."""
    company = rng.choice(COMPANIES) if rng.random() > 0.06 else None
    roles = rng.sample(ROLES, rng.choice((1, 1, 2)))
    locations = rng.sample(LOCATIONS, rng.choice((0, 1, 1, 2, 2, 3)))
    remote, onsite = rng.random() < 0.45, rng.random() < 0.55
    hybrid = not remote and onsite and rng.random() < 0.3
    if rng.random() < 0.6:
        low = rng.randrange(60, 220) * 1000.0
        salary = (low, low + rng.randrange(10, 80) * 1000.0, rng.choice(CURRENCIES))
    else:
        salary = (math.nan, math.nan, None)
    visa = rng.choice((True, False, None, None, None))
    employment = rng.sample(EMPLOYMENT, rng.choice((1, 1, 1, 2)))
    header = " | ".join(
        part
        for part in (
            company or "Stealth startup",
            ", ".join(roles),
            "; ".join(locations),
            "REMOTE" if remote else "",
            "ONSITE" if onsite else "",
            f"{salary[2]} {salary[0]:,.0f}-{salary[1]:,.0f}" if salary[2] else "",
        )
        if part
    )
    home = rng.choice(CITIES)

    def fill(template: str) -> str:
        return template.format(
            company=company or "We",
            product=rng.choice(PRODUCTS),
            customers=rng.choice(CUSTOMERS),
            thing=rng.choice(THINGS),
            tech=rng.choice(TECH),
            city=home if rng.random() < 0.5 else rng.choice(CITIES),
            stage=rng.choice(STAGES),
        )

    paragraphs = [header]
    for _ in range(rng.randrange(2, 5)):
        sentences = [fill(rng.choice(SENTENCES)) for _ in range(rng.randrange(1, 4))]
        sentences += [fill(key) for weight, key in KEY_SENTENCES if rng.random() < weight]
        rng.shuffle(sentences)
        paragraphs.append(" ".join(sentences))
    slug = (company or "stealth").lower().replace(" ", "")
    urls = [f"https://{slug}.example.com/jobs"]
    emails = [f"jobs@{slug}.example.com"] if rng.random() < 0.5 else []
    paragraphs.append(f"Apply: {urls[0]}" + (f" or {emails[0]}" if emails else ""))
    text = "\n\n".join(paragraphs)
    repost = post_id % 4 == 0
    return {
        "id": post_id,
        "thread_id": 30_000_000 + month_index,
        "month": month,
        "by": f"user{rng.randrange(10_000)}",
        "time": month_start(month) + 60 * rank + rng.randrange(60),
        "text": text,
        "company": company,
        "roles": roles,
        # The newer fields follow from what was drawn above (no more random draws, so every
        # earlier field of every post stays as it was).
        "role_families": [ROLE_FAMILY[role] for role in roles],
        "seniority": ["senior"] if any(role.startswith("Senior") for role in roles) else [],
        "locations": locations,
        "location_cities": [PLACE[place][0] for place in locations if PLACE[place][0]],
        "location_countries": list(dict.fromkeys(PLACE[place][1] for place in locations)),
        "remote_regions": list(dict.fromkeys(PLACE[p][1] for p in locations)) if remote else [],
        "remote": remote,
        "onsite": onsite,
        "hybrid": hybrid,
        "salary_min": salary[0],
        "salary_max": salary[1],
        "salary_currency": salary[2],
        "salary_period": "year" if salary[2] else None,
        "salary_yearly_min": salary[0],
        "salary_yearly_max": salary[1],
        "equity": post_id % 3 == 0,
        "visa": visa,
        "employment_types": employment,
        "technologies": [tech for tech in TECH if tech in text],
        "urls": urls,
        "emails": emails,
        "hn_url": item_url(post_id),
        # Every fourth post repeats a posting of the month before.
        "first_seen_month": _month_before(month) if repost else month,
        "reposted_from": post_id - 1_000 if repost else None,
        "months_posted": 2 if repost else 1,
        "repost": repost,
    }


def _month_before(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
