"""A deterministic, realistic archive of "Who is hiring?" months: the embedded default source.

The generator writes every post the way a person types it into HN (header line, paragraphs,
URLs, ``*italics*``, indented code) and stores it through HN's own formatter
(:mod:`hn_assets.hackernews.hn_format`), so the items carry exactly the HTML the Firebase API
serves.  The archive is built at first use instead of being shipped as a file; the same seed
always yields the same ids and texts.

Item ids and times follow HN's real rhythm: threads appear on the first weekday of the month
at 11:00 New York time, most posts arrive in the first day, and ids grow with time at HN's
pace (``_ITEMS_PER_SECOND``), so posts of a month sit between their thread and the next
month's.
"""

from __future__ import annotations

import calendar
import functools
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hn_assets.hackernews import _sample_vocab as vocab
from hn_assets.hackernews.hn_format import render_comment_html
from hn_assets.hackernews.titles import WHOISHIRING, ThreadKind

# HN's id counter against its clock, near the archive's months.
_ID_ORIGIN = 46_000_000
_TIME_ORIGIN = int(datetime(2026, 5, 1, tzinfo=UTC).timestamp())
_ITEMS_PER_SECOND = 0.16
# Before the origin HN was quieter; a long generated history (back to 2011) keeps positive ids.
_ITEMS_PER_SECOND_BEFORE = 0.09

_THREAD_TEXT = {
    ThreadKind.HIRING: (
        "Please state the location and include REMOTE for remote work, REMOTE (US) or similar if "
        "the country is restricted, and ONSITE when remote work is *not* an option.\n\n"
        "Please only post if you personally are part of the hiring company, no recruiting firms "
        "or job boards. One post per company. If it isn't a household name, explain what your "
        "company does.\n\n"
        "Please only post if you are actively filling a position and are committed to "
        "responding to applicants.\n\n"
        "Commenters: please don't reply to job posts to complain about something. It's off topic "
        "here.\n\n"
        "Readers: please only email if you are personally interested in the job.\n\n"
        "Searchers: try https://hn.algolia.com/?dateRange=pastMonth&type=comment&query=remote "
        "or one of the other tools people have built."
    ),
    ThreadKind.WANTS_TO_BE_HIRED: (
        "Share your information if you are looking for work. Please use this format:\n\n"
        "  Location:\n  Remote:\n  Willing to relocate:\n  Technologies:\n  Résumé/CV:\n  Email:\n\n"
        "Please only post if you are personally looking for a job. Readers: please only email "
        "these people about jobs, not anything else."
    ),
    ThreadKind.FREELANCER: (
        "Please lead with either SEEKING WORK or SEEKING FREELANCER, your location, and whether "
        "remote work is an option.\n\n"
        "Please only post if you are personally looking for freelance work or hiring a "
        "freelancer."
    ),
}
# The real account has varied its wording over the years; each month picks one variant.
_TITLE_VARIANTS = {
    ThreadKind.HIRING: (
        "Ask HN: Who is hiring? ({})",
        "Ask HN: Who Is Hiring? ({})",
        "Who Is Hiring? ({})",
    ),
    ThreadKind.WANTS_TO_BE_HIRED: (
        "Ask HN: Who wants to be hired? ({})",
        "Ask HN: Who Wants to Be Hired? ({})",
    ),
    ThreadKind.FREELANCER: (
        "Ask HN: Freelancer? Seeking freelancer? ({})",
        "Ask HN: Seeking Freelancers? ({})",
    ),
}

# Each currency the archive's cities pay in: (typical annual base in thousands, how it is written).
_PAY = {
    "USD": (130, "$"),
    "CAD": (120, "C$"),
    "GBP": (70, "£"),
    "EUR": (70, "€"),
    "CHF": (120, "CHF "),
    "SGD": (110, "S$"),
    "AUD": (130, "A$"),
}
# The ways posters write a range; each company keeps one (``_Company.salary_style``).
_SALARY_FORMS = (
    "{symbol}{low}k-{symbol}{high}k",
    "{symbol}{low},000 - {symbol}{high},000",
    "{symbol}{low}-{high}k",
    "{symbol}{low}K – {symbol}{high}K + equity",
    "{symbol}{low}k+",
    "{low}k-{high}k {currency}",
    "{symbol}{low}k to {symbol}{high}k",
    "{symbol}{low}k - {symbol}{high}k",
)


@dataclass
class SampleArchive:
    """Firebase-shaped items and users, and the months whose threads they contain."""

    items: dict[int, dict]
    users: dict[str, dict]
    months: list[str]
    # (month, kind value) -> thread id; item id -> id of the whoishiring thread it belongs to
    threads: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    root_of: dict[int, int] = field(default_factory=dict, repr=False)

    def thread_id(self, month: str, kind: ThreadKind | str = ThreadKind.HIRING) -> int:
        try:
            return self.threads[(month, str(ThreadKind(kind)))]
        except KeyError:
            raise ValueError(
                f"The sample archive has no {ThreadKind(kind).value} thread for {month!r}; "
                f"its months are {', '.join(self.months)}."
            ) from None

    def hiring_thread_id(self, month: str) -> int:
        return self.thread_id(month, ThreadKind.HIRING)

    @property
    def max_item_id(self) -> int:
        return max(self.items, default=0)

    def visible(
        self, months: int | None = None, posts_in_last_month: int | None = None
    ) -> SampleArchive:
        """The archive as HN showed it earlier: only the first ``months`` months exist, and
        the last of them shows only its first ``posts_in_last_month`` top-level posts (by id,
        i.e. posting order) together with their replies."""
        month_count = len(self.months) if months is None else months
        if not 1 <= month_count <= len(self.months):
            raise ValueError(f"months must be between 1 and {len(self.months)}, got {months}")
        kept_months = self.months[:month_count]
        kept_threads = {tid for (month, _), tid in self.threads.items() if month in kept_months}
        hidden: set[int] = set()
        last_hiring = self.hiring_thread_id(kept_months[-1])
        if posts_in_last_month is not None:
            if posts_in_last_month < 0:
                raise ValueError("posts_in_last_month must be zero or more")
            kids = sorted(self.items[last_hiring].get("kids", []))
            hidden_posts = set(kids[posts_in_last_month:])
            hidden = {
                item_id
                for item_id in self._subtree_ids(hidden_posts)
                if self.root_of.get(item_id) == last_hiring
            }

        items: dict[int, dict] = {}
        for item_id, item in self.items.items():
            root = self.root_of.get(item_id)
            if root is not None and root not in kept_threads:
                continue
            if item_id in hidden:
                continue
            items[item_id] = item
        for thread_id in kept_threads:
            thread = self.items[thread_id]
            kids = [kid for kid in thread.get("kids", []) if kid in items]
            if len(kids) != len(thread.get("kids", [])):
                items[thread_id] = {
                    **thread,
                    "kids": kids,
                    "descendants": sum(1 for i in items if self.root_of.get(i) == thread_id) - 1,
                }
        users = {name: dict(user) for name, user in self.users.items()}
        users[WHOISHIRING]["submitted"] = [
            item_id for item_id in self.users[WHOISHIRING]["submitted"] if item_id in items
        ]
        return SampleArchive(
            items=items,
            users=users,
            months=kept_months,
            threads={key: tid for key, tid in self.threads.items() if tid in kept_threads},
            root_of={item_id: root for item_id, root in self.root_of.items() if item_id in items},
        )

    def _subtree_ids(self, roots: Iterable[int]) -> set[int]:
        found: set[int] = set()
        stack = list(roots)
        while stack:
            item_id = stack.pop()
            if item_id in found or item_id not in self.items:
                continue
            found.add(item_id)
            stack.extend(self.items[item_id].get("kids", []))
        return found


# --- generation ----------------------------------------------------------------------------


def _month_keys(last_month: str, months: int) -> list[str]:
    year, month = (int(part) for part in last_month.split("-"))
    keys = []
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return keys[::-1]


def _thread_time(month_key: str) -> int:
    """First weekday of the month, 11:00 in New York (15:00 UTC in summer, 16:00 in winter)."""
    year, month = (int(part) for part in month_key.split("-"))
    day = 1
    while calendar.weekday(year, month, day) >= 5:
        day += 1
    hour = 15 if 4 <= month <= 10 else 16
    return int(datetime(year, month, day, hour, 0, tzinfo=UTC).timestamp())


def _month_label(month_key: str) -> str:
    year, month = (int(part) for part in month_key.split("-"))
    return f"{calendar.month_name[month]} {year}"


@dataclass
class _Company:
    name: str
    domain: str
    industry: str
    role_families: tuple[str, ...]
    city: str | None  # canonical city, None for remote-only companies
    city_spelling: str
    arrangement: str  # "onsite", "remote", "hybrid", "remote_or_onsite"
    remote_region: str
    visa: bool | None
    yc_batch: str | None
    size: int
    founder: str
    separator: str
    salary_style: int
    blurb_product: str
    blurb_customers: str
    mission: str


class _Generator:
    def __init__(self, seed: int, post_scale: float = 1.0) -> None:
        self.rng = random.Random(seed)
        self.post_scale = post_scale
        self.items: dict[int, dict] = {}
        self.root_of: dict[int, int] = {}
        # Enough companies for a scaled month's posts (the default draws stay as they were).
        self.companies = self._companies(max(560, round(560 * post_scale)))
        self.regulars = self.companies[:170]

    # -- ids and people --------------------------------------------------------------------

    def new_id(self, time: int) -> int:
        elapsed = time - _TIME_ORIGIN
        rate = _ITEMS_PER_SECOND if elapsed >= 0 else _ITEMS_PER_SECOND_BEFORE
        item_id = _ID_ORIGIN + int(elapsed * rate)
        while item_id in self.items:
            item_id += 1
        return item_id

    def username(self, company: _Company | None = None) -> str:
        rng = self.rng
        first = rng.choice(vocab.FIRST_NAMES)
        if company is not None and rng.random() < 0.35:
            base = company.name.split()[0].lower()
            return rng.choice(
                (f"{base}_hiring", f"{first}_{base}", f"{base}jobs", f"{first}at{base}")
            )
        return rng.choice(
            (
                f"{first}{rng.randint(1, 99)}",
                f"{first}_{rng.choice('abcdefghjkmnprstw')}",
                f"the{first}",
                first + "dev",
            )
        )

    def _companies(self, count: int) -> list[_Company]:
        rng = self.rng
        names: set[str] = set()
        companies = []
        cities = list(vocab.CITY_WEIGHTS)
        weights = [vocab.CITY_WEIGHTS[c] for c in cities]
        while len(companies) < count:
            name = f"{rng.choice(vocab.NAME_FIRST)} {rng.choice(vocab.NAME_SECOND)}".strip()
            if name in names:
                continue
            names.add(name)
            industry = rng.choice(list(vocab.INDUSTRIES))
            info = vocab.INDUSTRIES[industry]
            arrangement = rng.choices(
                ("onsite", "remote", "hybrid", "remote_or_onsite"), (30, 30, 20, 20)
            )[0]
            city = (
                None
                if arrangement == "remote" and rng.random() < 0.6
                else rng.choices(cities, weights)[0]
            )
            companies.append(
                _Company(
                    name=name,
                    domain=name.lower().replace(" ", "") + rng.choice(vocab.TLDS),
                    industry=industry,
                    role_families=vocab.INDUSTRY_ROLES[industry],
                    city=city,
                    city_spelling=rng.choice(vocab.CITIES[city]) if city else "",
                    arrangement=arrangement if city else "remote",
                    remote_region=rng.choice(vocab.REMOTE_REGIONS),
                    visa=rng.choices((True, False, None), (25, 20, 55))[0],
                    yc_batch=(
                        f"YC {rng.choice('WSF')}{rng.randint(12, 26)}"
                        if rng.random() < 0.18
                        else None
                    ),
                    size=rng.choice((4, 7, 12, 18, 25, 40, 60, 90, 150, 400)),
                    founder=rng.choice(vocab.FIRST_NAMES),
                    separator=rng.choices(
                        (" | ", " | ", " | ", "|", " - ", " • ", " / ", "; "),
                        (40, 20, 10, 5, 10, 6, 5, 4),
                    )[0],
                    salary_style=rng.randrange(len(_SALARY_FORMS)),
                    blurb_product=rng.choice(info["product"]),
                    blurb_customers=rng.choice(info["customers"]),
                    mission=rng.choice(info["mission"]),
                )
            )
        return companies

    # -- post text -------------------------------------------------------------------------

    def salary_text(self, company: _Company, family: str) -> tuple[str, str]:
        """(header form, body sentence) of a salary range in the company's local currency."""
        rng = self.rng
        currency = vocab.CITY_CURRENCY.get(company.city or "", "USD")
        base, symbol = _PAY[currency]
        if family in ("research", "ml", "infra", "em", "systems"):
            base = int(base * 1.3)
        low = base + rng.randrange(-3, 8) * 10
        high = low + rng.choice((20, 30, 40, 50, 60, 80))
        style = company.salary_style
        if family == "solutions" and style == len(_SALARY_FORMS) - 1:
            forms = f"${rng.choice((80, 90, 100))}-{rng.choice((120, 140, 150))}/hr"
        else:
            forms = _SALARY_FORMS[style].format(
                symbol=symbol, low=low, high=high, currency=currency
            )
        sentence = rng.choice(
            (
                f"Salary: {forms}.",
                f"Compensation: {forms} base depending on level, plus meaningful equity.",
                f"The salary range for this role is {forms}.",
            )
        )
        return forms, sentence

    def location_field(self, company: _Company) -> list[str]:
        rng = self.rng
        region = company.remote_region
        remote_word = rng.choice(("REMOTE", "Remote", "REMOTE", "Remote OK"))
        if company.arrangement == "remote":
            return [
                f"{remote_word} ({region})"
                if region != "worldwide"
                else f"{remote_word} (worldwide)"
            ]
        place = company.city_spelling
        if company.arrangement == "onsite":
            return (
                [place, rng.choice(("ONSITE", "Onsite", "On-site", "ONSITE"))]
                if rng.random() < 0.8
                else [place]
            )
        if company.arrangement == "hybrid":
            return [
                place,
                rng.choice(
                    (
                        "Hybrid",
                        "HYBRID",
                        "Hybrid (3 days/week in office)",
                        "Hybrid (2 days in office)",
                    )
                ),
            ]
        return [
            rng.choice(
                (
                    f"{place} or {remote_word} ({region})",
                    f"{place} / {remote_word}",
                    f"ONSITE in {place} or REMOTE",
                )
            )
        ]

    def header(
        self, company: _Company, titles: list[str], salary: str | None, employment: str
    ) -> str:
        rng = self.rng
        name = f"{company.name} ({company.yc_batch})" if company.yc_batch else company.name
        role_field = (
            ", ".join(titles)
            if len(titles) < 3 or rng.random() < 0.5
            else f"Multiple roles: {', '.join(titles)}"
        )
        fields = [name, role_field, *self.location_field(company)]
        if employment:
            fields.append(employment)
        if salary:
            fields.append(salary)
        if company.visa is True and rng.random() < 0.5:
            fields.append(rng.choice(("VISA", "Visa sponsorship", "Visa sponsorship available")))
        if rng.random() < 0.45:
            fields.append(
                f"https://{company.domain}/{rng.choice(('careers', 'jobs', 'join', 'about/jobs'))}"
            )
        if rng.random() < 0.2:
            # Location before role, as plenty of posters write it.
            fields[1], fields[2] = fields[2], fields[1]
        return company.separator.join(fields)

    def roles(self, company: _Company) -> tuple[list[str], list[str], str]:
        """(role families, job titles, employment field) of one post."""
        rng = self.rng
        role_count = rng.choices((1, 2, 3, 4), (45, 30, 17, 8))[0]
        families = rng.sample(company.role_families, min(role_count, len(company.role_families)))
        titles = [rng.choice(vocab.ROLES[f]["title"]) for f in families]
        employment = rng.choices(
            (
                "",
                "Full-time",
                "Full Time",
                "FULL-TIME",
                "Full-time, Contract",
                "Contract",
                "Intern",
                "Full-time / Part-time",
            ),
            (30, 30, 8, 6, 8, 7, 6, 5),
        )[0]
        if employment == "Intern":
            families, titles = families[:2], [f"{t} Intern" for t in titles[:2]]
        return families, titles, employment

    def intro(self, company: _Company) -> str:
        """What the company does, and where the office is."""
        rng = self.rng
        info = vocab.INDUSTRIES[company.industry]
        intro = rng.choice(
            (
                f"{company.name} builds {company.blurb_product} for {company.blurb_customers}.",
                f"At {company.name} we're building {company.blurb_product} for {company.blurb_customers}.",
                f"{company.name} is {company.blurb_product} for {company.blurb_customers}.",
                f"We make {company.blurb_product} used by {company.blurb_customers}.",
            )
        )
        extra = rng.sample(info["mission"], min(len(info["mission"]), rng.choice((1, 1, 2))))
        if company.city and rng.random() < 0.4:
            extra.append(
                rng.choice(
                    (
                        f"Our office is in {company.city_spelling}, close to public transit.",
                        f"Most of the team works from our {company.city_spelling} office.",
                        f"We are based in the {company.city} area.",
                    )
                )
            )
        return " ".join([intro, *extra])

    def duties(self, families: list[str], titles: list[str]) -> list[str]:
        """Each role's duties, as a sentence, an italic title with a list, or prose."""
        rng = self.rng
        paragraphs = []
        for family, title in zip(families, titles, strict=True):
            role = vocab.ROLES[family]
            duties = rng.sample(role["duty"], min(len(role["duty"]), rng.choice((1, 2, 3))))
            style = rng.randrange(3)
            if style == 0:
                paragraphs.append(
                    f"{title}: you will {duties[0]}"
                    + "".join(f", {d}" for d in duties[1:-1])
                    + (f" and {duties[-1]}" if len(duties) > 1 else "")
                    + "."
                )
            elif style == 1:
                paragraphs.append(f"*{title}*")
                paragraphs.extend(f"- {d[0].upper()}{d[1:]}" for d in duties)
            else:
                paragraphs.append(
                    f"We're looking for a {title.lower()} to {duties[0]}. "
                    + " ".join(f"You'll also {d}." for d in duties[1:])
                )
        return paragraphs

    def requirements(self, family: str) -> list[str]:
        """What the first role asks for, as a list or a sentence; most posts say it."""
        rng = self.rng
        if rng.random() >= 0.7:
            return []
        reqs = rng.sample(
            vocab.ROLES[family]["req"], min(len(vocab.ROLES[family]["req"]), rng.choice((2, 3)))
        )
        if rng.random() >= 0.5:
            return ["A few things we look for: " + "; ".join(reqs) + "."]
        lead = rng.choice(
            ("What we're looking for:", "You might be a fit if you have:", "Requirements:")
        )
        return [lead, *(f"- {r[0].upper()}{r[1:]}" for r in reqs)]

    def team_notes(self) -> list[str]:
        """A few sentences on the team, its challenges and a new hire's first months."""
        rng = self.rng
        feature = rng.choice(vocab.FEATURES)
        fill = {
            "n": rng.randint(3, 60),
            "lead": rng.choice(("CTO", "VP of Engineering", "head of platform", "co-founder")),
            "past": rng.choice(
                (
                    "the payments platform",
                    "the search infrastructure",
                    "the data platform",
                    "the mobile app",
                )
            ),
            "ex1": rng.choice(vocab.EX_COMPANIES),
            "ex2": rng.choice(vocab.EX_COMPANIES),
            "tz": rng.choice(("three", "four", "five", "six")),
            "feature": feature,
        }
        paragraphs = []
        for pool, chance in (
            (vocab.TEAM_NOTES, 0.75),
            (vocab.CHALLENGES, 0.6),
            (vocab.FIRST_MONTHS, 0.4),
        ):
            if rng.random() < chance:
                paragraphs.append(" ".join(rng.sample(pool, rng.choice((1, 1, 2)))).format(**fill))
        return paragraphs

    def stack(self, families: list[str]) -> str:
        rng = self.rng
        stack = sorted(
            {
                s
                for f in families
                for s in rng.sample(vocab.ROLES[f]["stack"], min(4, len(vocab.ROLES[f]["stack"])))
            }
        )
        rng.shuffle(stack)
        return (
            rng.choice(("Stack: ", "Tech stack: ", "Our stack: ", "We use "))
            + ", ".join(stack)
            + "."
        )

    def perks(self, company: _Company) -> str:
        rng = self.rng
        perks = rng.sample(vocab.PERKS, rng.choice((1, 2, 3)))
        return " ".join(perks).format(
            size=company.size,
            growth=rng.choice(("2x", "3x", "80%", "150%")),
            series=rng.choice("ABC"),
            investors=rng.choice(vocab.INVESTORS),
        )

    def visa_note(self, company: _Company) -> list[str]:
        if company.visa is None or self.rng.random() >= 0.6:
            return []
        country = {"GBP": "UK", "EUR": "EU", "CAD": "Canada"}.get(
            vocab.CITY_CURRENCY.get(company.city or "", "USD"), "US"
        )
        notes = vocab.VISA_NOTES_YES if company.visa else vocab.VISA_NOTES_NO
        return [self.rng.choice(notes).format(country=country)]

    def puzzle(self, company: _Company) -> list[str]:
        """Now and then, a code block for applicants to run (kept verbatim by HN)."""
        if self.rng.random() >= 0.035:
            return []
        puzzle = self.rng.choice(vocab.CODE_PUZZLES).replace("{domain}", company.domain)
        return ["Bonus points if you run this and tell us what it prints:", puzzle]

    def how_to_apply(self, company: _Company, first_title: str) -> str:
        rng = self.rng
        email_user = rng.choice(("jobs", "careers", "hiring", company.founder, "talent"))
        url = f"https://{company.domain}/{rng.choice(('careers', 'jobs', 'jobs/' + first_title.lower().replace(' ', '-').replace(',', '')))}"
        if rng.random() < 0.08:
            url += f"?utm_source=hackernews&utm_medium=whoishiring&utm_campaign={rng.randint(2024, 2026)}-{rng.randint(1, 12):02d}"
        return rng.choice(vocab.APPLY).format(
            url=url,
            email=f"{email_user}@{company.domain}",
            obfuscated=f"{email_user} [at] {company.domain.replace('.', ' [dot] ')}",
            founder_role=rng.choice(("CTO", "CEO", "co-founder", "hiring manager", "eng lead")),
        )

    def job_post(self, company: _Company) -> str:
        """One post in the order posters write it: header, what the company does, the roles,
        the team, stack and perks, then how to apply."""
        rng = self.rng
        families, titles, employment = self.roles(company)
        salary_header, salary_sentence = self.salary_text(company, families[0])
        salary_in_header = rng.random() < 0.55
        paragraphs = [
            self.header(company, titles, salary_header if salary_in_header else None, employment),
            self.intro(company),
            *self.duties(families, titles),
            *self.requirements(families[0]),
            *self.team_notes(),
            self.stack(families),
            self.perks(company),
        ]
        if not salary_in_header and rng.random() < 0.5:
            paragraphs.append(salary_sentence)
        paragraphs.extend(self.visa_note(company))
        paragraphs.extend(self.puzzle(company))
        paragraphs.append(self.how_to_apply(company, titles[0]))
        return "\n\n".join(paragraphs)

    # -- items -----------------------------------------------------------------------------

    def add(self, item: dict, root: int) -> dict:
        self.items[item["id"]] = item
        self.root_of[item["id"]] = root
        return item

    def comment(
        self, parent: int, root: int, time: int, by: str, text: str, **extra: object
    ) -> dict:
        item = {
            "by": by,
            "id": self.new_id(time),
            "parent": parent,
            "text": render_comment_html(text),
            "time": time,
            "type": "comment",
        }
        item.update(extra)
        return self.add(item, root)

    def deleted(self, parent: int, root: int, time: int) -> dict:
        return self.add(
            {
                "deleted": True,
                "id": self.new_id(time),
                "parent": parent,
                "time": time,
                "type": "comment",
            },
            root,
        )

    def post_times(self, start: int, count: int) -> list[int]:
        rng = self.rng
        offsets = []
        for _ in range(count):
            bucket = rng.random()
            if bucket < 0.62:
                offsets.append(int(rng.expovariate(1 / (5 * 3600))) % 86400 + 60)
            elif bucket < 0.9:
                offsets.append(rng.randint(86400, 7 * 86400))
            else:
                offsets.append(rng.randint(7 * 86400, 26 * 86400))
        return sorted(start + o for o in offsets)

    def replies(self, post: dict, root: int, company: _Company | None) -> None:
        rng = self.rng
        time = post["time"]
        kids = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            time += rng.randint(300, 36000)
            if rng.random() < 0.08:
                kids.append(self.deleted(post["id"], root, time)["id"])
                continue
            question = rng.choice(vocab.REPLIES_QUESTION).format(
                place=rng.choice(("Canada", "Europe", "the UK", "Mexico", "India"))
            )
            reply = self.comment(post["id"], root, time, self.username(), question)
            kids.append(reply["id"])
            if company is not None and rng.random() < 0.6:
                answer_time = time + rng.randint(600, 20000)
                answer = self.comment(
                    reply["id"],
                    root,
                    answer_time,
                    post["by"],
                    f"> {question}\n\n{rng.choice(vocab.REPLIES_ANSWER)}",
                )
                reply["kids"] = [answer["id"]]
        post["kids"] = kids

    def hiring_thread(self, thread: dict) -> None:
        rng = self.rng
        count = round(rng.randint(200, 320) * self.post_scale)
        regulars = [c for c in self.regulars if rng.random() < 0.75]
        others = rng.sample(self.companies[len(self.regulars) :], max(0, count - len(regulars)))
        posting = (regulars + others)[:count]
        rng.shuffle(posting)
        kids = []
        for company, time in zip(
            posting, self.post_times(thread["time"], len(posting)), strict=True
        ):
            roll = rng.random()
            if roll < 0.03:
                kids.append(self.deleted(thread["id"], thread["id"], time)["id"])
                continue
            if roll < 0.045:
                text = rng.choice(vocab.SPAM_POSTS).format(
                    email=f"cv@{company.domain}", url=f"https://{company.domain}/offer"
                )
                post = self.comment(
                    thread["id"], thread["id"], time, self.username(), text, dead=True
                )
            elif roll < 0.055:
                text = rng.choice(vocab.META_POSTS).format(
                    url=f"https://docs.example.com/spreadsheets/d/{rng.randrange(10**8):08d}"
                )
                post = self.comment(thread["id"], thread["id"], time, self.username(), text)
            else:
                post = self.comment(
                    thread["id"],
                    thread["id"],
                    time,
                    self.username(company),
                    self.job_post(company),
                )
                if rng.random() < 0.12:
                    self.replies(post, thread["id"], company)
            kids.append(post["id"])
        thread["kids"] = kids

    def seeker_thread(self, thread: dict, kind: ThreadKind) -> None:
        rng = self.rng
        kids = []
        for time in self.post_times(thread["time"], rng.randint(40, 90)):
            if rng.random() < 0.03:
                kids.append(self.deleted(thread["id"], thread["id"], time)["id"])
                continue
            city = rng.choice(list(vocab.CITIES))
            name = rng.choice(vocab.FIRST_NAMES)
            if kind is ThreadKind.WANTS_TO_BE_HIRED:
                bio = rng.choice(vocab.WTBH_BIOS).format(
                    years=rng.randint(2, 15),
                    lang=rng.choice(("Python", "Go", "Java", "Ruby", "Elixir")),
                )
                text = "\n\n".join(
                    (
                        f"Location: {rng.choice(vocab.CITIES[city])}",
                        f"Remote: {rng.choice(('Yes', 'Yes, preferred', 'Hybrid ok', 'No'))}",
                        f"Willing to relocate: {rng.choice(('Yes', 'No', 'Within Europe', 'For the right role'))}",
                        f"Technologies: {rng.choice(vocab.FREELANCE_SKILLS)}, {rng.choice(vocab.FREELANCE_SKILLS)}",
                        f"Résumé/CV: https://{name}{rng.randint(1, 99)}.dev/cv.pdf",
                        f"Email: {name}.{rng.choice('abcdefghkmnprstw')}@example.com",
                        bio,
                    )
                )
            else:
                seeking = rng.random() < 0.75
                head = "SEEKING WORK" if seeking else "SEEKING FREELANCER"
                where = rng.choice(
                    (
                        f"{rng.choice(vocab.CITIES[city])}",
                        "Remote",
                        f"{rng.choice(vocab.CITIES[city])} or Remote",
                    )
                )
                text = (
                    f"{head} | {where} | {rng.choice(vocab.FREELANCE_SKILLS)}\n\n"
                    + (
                        f"I'm a freelance developer with {rng.randint(3, 20)} years of experience. Recent work: "
                        f"{rng.choice(('a booking system for a chain of clinics', 'data pipelines for a retailer', 'an iOS app for a startup', 'a migration from Heroku to AWS'))}."
                        if seeking
                        else f"We need help with {rng.choice(('a React dashboard', 'a Django API', 'data analysis of sales data', 'a Shopify store', 'an ML prototype'))} for about {rng.randint(2, 12)} weeks."
                    )
                    + f"\n\nContact: {name}@example.com"
                )
            post = self.comment(thread["id"], thread["id"], time, self.username(), text)
            kids.append(post["id"])
        thread["kids"] = kids


def _rank_order(kids: list[int], rng: random.Random) -> list[int]:
    """HN lists kids by rank, not by id: mostly oldest first, with local reshuffles."""
    return [kid for _, kid in sorted((i + rng.gauss(0, 15), kid) for i, kid in enumerate(kids))]


def _count_descendants(items: dict[int, dict], item_id: int) -> int:
    return sum(1 + _count_descendants(items, kid) for kid in items[item_id].get("kids", []))


def build_sample_archive(
    months: int = 6, last_month: str = "2026-11", seed: int = 2026, post_scale: float = 1.0
) -> SampleArchive:
    """Generate ``months`` consecutive months ending with ``last_month``, deterministically;
    ``post_scale`` multiplies the posts of each hiring thread (for benchmarks of a long
    history)."""
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    if post_scale <= 0:
        raise ValueError(f"post_scale must be positive, got {post_scale}")
    generator = _Generator(seed, post_scale)
    month_keys = _month_keys(last_month, months)
    threads: dict[tuple[str, str], int] = {}
    submitted: list[int] = []
    for month_index, month in enumerate(month_keys):
        posted_at = _thread_time(month)
        label = _month_label(month)
        order = (ThreadKind.HIRING, ThreadKind.FREELANCER, ThreadKind.WANTS_TO_BE_HIRED)
        for offset, kind in enumerate(order):
            variants = _TITLE_VARIANTS[kind]
            title = variants[(month_index + seed) % len(variants)].format(label)
            time = posted_at + offset
            thread = {
                "by": WHOISHIRING,
                "id": generator.new_id(time),
                "score": generator.rng.randint(150, 700),
                "text": render_comment_html(_THREAD_TEXT[kind]),
                "time": time,
                "title": title,
                "type": "story",
            }
            generator.add(thread, thread["id"])
            threads[(month, kind.value)] = thread["id"]
            submitted.append(thread["id"])
            if kind is ThreadKind.HIRING:
                generator.hiring_thread(thread)
            else:
                generator.seeker_thread(thread, kind)
            thread["kids"] = _rank_order(thread["kids"], generator.rng)
            thread["descendants"] = _count_descendants(generator.items, thread["id"])
        if month_index == months // 2:
            # whoishiring's submissions also hold the odd comment; discovery must skip it.
            hiring_id = threads[(month, ThreadKind.HIRING.value)]
            note_time = posted_at + 7200
            note = generator.comment(
                hiring_id,
                hiring_id,
                note_time,
                WHOISHIRING,
                "Please keep replies on topic. Off-topic replies and recruiter posts are removed.",
            )
            generator.items[hiring_id]["kids"].append(note["id"])
            generator.items[hiring_id]["descendants"] += 1
            submitted.append(note["id"])

    users = {
        WHOISHIRING: {
            "about": "This account posts the monthly Who is hiring? threads. Questions: hn@ycombinator.com",
            "created": 1301590800,
            "id": WHOISHIRING,
            "karma": 41234,
            "submitted": sorted(submitted, reverse=True),
        }
    }
    return SampleArchive(
        items=generator.items,
        users=users,
        months=month_keys,
        threads=threads,
        root_of=generator.root_of,
    )


@functools.cache
def load_sample_archive() -> SampleArchive:
    """The default archive (six months ending 2026-11), built once per process.

    Treat it as read-only: the sample client hands out copies of its items.
    """
    return build_sample_archive()
