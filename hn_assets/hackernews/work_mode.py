"""Where a job is done: remote, hybrid or on site, and where remote workers may live.

The thread's rules ask posters to write REMOTE (or "REMOTE (US)") for remote work and ONSITE
when remote work is not an option, so the header is read first and trusted most.  When the
header names no mode, the body is read: its lines shaped like headers ("Backend | Remote |
Berlin"), and phrases that only ever describe the job itself ("fully remote", "remote-first",
"Remote: yes", "2 days a week in the office"), never a bare "remote": bodies talk about remote
sensing, remote controls and the remote teams of their customers.

Several modes may hold at once.  "Berlin or Remote" offers both, and so does "NYC, Remote
(US)": a place joined to "remote" in the same header field is an office one may work from,
while a country or region there ("US Remote", "Remote (EU)") only says where remote workers
may be (:attr:`WorkMode.remote_scope`).  "Remote OK" allows remote work beside an office.  A
post that names no mode at all is on site, the thread's own convention, unless the caller
says it names no place.

Each cue is a keyword ("remote", "hybrid", "on-site", "in office", "days"...) found by substring
search, then read with the few words before and after it: "no remote", "remote sensing",
"partially remote", "on-site interviews".  Searching for the keywords is far cheaper than
running case-insensitive patterns over every position of a post, and every pattern that reads
the words around a keyword is anchored and bounded, so any text is read in linear time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["WorkMode", "label_modes", "work_mode", "work_mode_agrees"]


@dataclass(frozen=True)
class WorkMode:
    remote: bool
    hybrid: bool
    onsite: bool
    # The phrases that say where remote workers may be, verbatim ("US only", "EU time zones").
    remote_scope: list[str] = field(default_factory=list)

    def modes(self) -> frozenset[str]:
        named = (("remote", self.remote), ("hybrid", self.hybrid), ("onsite", self.onsite))
        return frozenset(name for name, held in named if held)


def _lower(text: str) -> str:
    """``text`` in lower case, one character for one, so positions stay the same."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters lower to two ("İ"): keep those as they are.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _occurrences(lowered: str, word: str) -> Iterator[tuple[int, int]]:
    """Where ``word`` starts a word of ``lowered``: (start, end) of each."""
    start = lowered.find(word)
    while start >= 0:
        if start == 0 or not lowered[start - 1].isalnum():
            yield start, start + len(word)
        start = lowered.find(word, start + len(word))


# --- the words around a keyword (all on lower-cased text) -----------------------------------

_BEFORE = 40  # how far back the words before a keyword are read
_NOT_ALPHA = r"(?![a-z])"

_NEGATION_BEFORE = re.compile(
    r"(?:\bno|\bnot|\bnon)[\s-]+(?:(?:fully|100%|full)[\s-]+)?$"
    r"|\bnot\s+(?:open\s+to|hiring|considering|offering)\s+(?:fully\s+)?$"
    r"|\b(?:can(?:not|'t)|do(?:es)?\s*n[o']t|won't)\s+(?:support|offer|do|accept|hire)\s+"
    r"(?:fully\s+)?$"
)
_NEGATION_AFTER = re.compile(
    r"(?:ly)?\s*(?::|-|–|—)?\s*(?:no\b|not\s+(?:possible|available|an\s+option|offered|allowed))"
    r"|\s+(?:work\s+)?is\s+not\s+(?:possible|available|an\s+option|offered)"
)
# "remote" in senses that are not about where one works.
_OTHER_REMOTE_AFTER = re.compile(
    r"[\s-]+(?:sensing|control\w*|monitoring|patient|desktop|execution|access|server|"
    r"procedure|code|devices?|areas?|communities|locations|sites?|operations?|pilots?|"
    r"vehicles?|learning|healthcare|care|diagnos\w+|inspection|repositor\w+|apis?|state|"
    r"backends?|caching|builds?|teleoperation|medicine|techies|workers)" + _NOT_ALPHA
)
# Remote days of a partly remote job.
_PART_BEFORE = re.compile(r"(?:partial(?:ly)?|partly|part|mostly|some|occasional)[\s-]+$")
_PART_AFTER = re.compile(r"[\s-]+(?:hybrid|(?:working\s+)?days)" + _NOT_ALPHA)
# Words that only ever describe the job's own arrangement ("fully remote", "remote-first").
_STRONG_BEFORE = re.compile(
    r"(?:fully|100%|full|entirely|completely|all)[\s-]+$|\b(?:is|are|be|as)\s+(?:a\s+)?$"
    r"|\bor\s+$|\(\s*$|(?<![^\n])[ \t*•-]*(?:location|work\s+mode|workplace)\s*:\s*$"
)
_STRONG_AFTER = re.compile(
    r"[\s-]+(?:first|friendly|ok|okay|only|optional|possible|allowed|welcome|available|"
    r"company|team|position|role|job|opportunity|work(?:ing|force)?|employees?|engineers?|"
    r"developers?|candidates?|hires?|option|culture|flexibility)"
    + _NOT_ALPHA
    + r"|\s+or(?![a-z])|\s*\(|\s*:\s*(?:yes|available|ok|okay|possible|fully|100%|anywhere|y)"
    + _NOT_ALPHA
)
_REMOTELY_BEFORE = re.compile(r"\b(?:work|working|hire|hiring|live|based)\s+$")
# Remote work allowed beside an office rather than the rule.
_PERMISSIVE_AFTER = re.compile(
    r"[\s-]*(?:ok|okay|friendly|possible|considered|allowed|optional|welcome|flexibility|"
    r"option)" + _NOT_ALPHA
)
_PERMISSIVE_BEFORE = re.compile(r"\b(?:open\s+to|or)\s+$")
# Other words for remote work, each anchored on its first word.
_REMOTE_PHRASES = (
    ("wfh", re.compile(r"wfh" + _NOT_ALPHA)),
    ("from", re.compile(r"from\s+(?:home|anywhere)" + _NOT_ALPHA)),
    ("telecommut", re.compile(r"telecommut")),
    ("distributed", re.compile(r"distributed" + _NOT_ALPHA)),
    ("anywhere", re.compile(r"anywhere\s+in\s+the\s+world")),
)
_ANYWHERE = re.compile(r"anywhere(?:\s+in\s+the\s+world)?|world[\s-]?wide", re.IGNORECASE)
_DISTRIBUTED_BEFORE = re.compile(r"(?:fully|globally|100%)[\s-]+$")
_FROM_BEFORE = re.compile(r"\bwork(?:ing)?\s+$")
# Every remote cue names one of these.
_REMOTE_HINTS = ("remote", "wfh", "from ", "telecommut", "distributed", "anywhere")
# In a header, where a place is expected, these alone mean remote: "US Anywhere", "Worldwide".
_HEADER_ANYWHERE = ("anywhere", "worldwide", "world-wide", "world wide")

_HYBRID_AFTER_NOT = re.compile(
    r"[\s-]+(?:cloud|apps?|mobile|search|models?|vehicles?|systems?|approach|architecture|"
    r"infrastructure|quantum|work\s*loads?|deployments?|solutions?|databases?|storage|"
    r"retrieval|rendering|engines?|cars?)" + _NOT_ALPHA
)
# In a body, "hybrid" is about the job only next to these: "hybrid working", "is hybrid".
_BODY_HYBRID_AFTER = re.compile(
    r"[\s-]+(?:work(?:ing)?|schedule|setup|set-up|model|role|position|arrangement|policy|"
    r"environment|workplace|office)" + _NOT_ALPHA + r"|\s*:|\s*\)"
)
_BODY_HYBRID_BEFORE = re.compile(
    r"\b(?:is|we(?:'re|\s+are)|flexible,?|role:?|location:?)\s+$|\(\s*$"
)
_COUNT = r"(?:[1-4]|one|two|three|four)(?:\s*(?:-|to|or)\s*(?:[1-4]|two|three|four))?\+?\s*"
_DAYS_BEFORE = re.compile(rf"(?<![\w.]){_COUNT}$")
_IN_OFFICE = (
    r"(?:(?:in|at)\s*(?:the|our)?\s*(?:office|hq)|on[\s-]?site|in[\s-]office|in[\s-]person)"
)
_DAYS_AFTER = re.compile(
    rf"s?\s*(?:(?:a|per|/|each|every)\s*week\s*)?{_IN_OFFICE}{_NOT_ALPHA}"
    r"|s?\s*(?:/|a|per|each|every)\s*week\s+(?:in|at)\s"
)
_OFFICE_AFTER = re.compile(rf"\s*{_IN_OFFICE}{_NOT_ALPHA}")
_ONSITE_DAYS_BEFORE = re.compile(rf"on[\s-]?site\s*\(\s*{_COUNT}$")
_WEEK_BEFORE = re.compile(r"(?<![\w.])[1-4]\s*x\s*(?:/|a|per)\s*$")

_ONSITE_WORDS = (
    "onsite",
    "on-site",
    "on site",
    "in-office",
    "in office",
    "in-person",
    "in person",
    "office-based",
    "office based",
)
# Onsite words that describe something other than where the job is done.
_OTHER_ONSITE_AFTER = re.compile(
    r"[\s-]+(?:interviews?|visits?|meet\w*|events?|offsites?|retreats?|summits?|gatherings?|"
    r"support|deployments?|installations?|customers?|clients?|lunch\w*|dinners?|perks?|gym|"
    r"chef|cafe\w*|kitchen|parking|childcare|amenities|training|onboarding)" + _NOT_ALPHA
)
_STRONG_ONSITE_BEFORE = re.compile(
    r"(?:fully|100%|full[\s-]time|strictly|5\s+days)[\s-]+$"
    r"|\b(?:role|position|job|this)\s+is\s+(?:an?\s+)?$"
    r"|\b(?:location|onsite|work\s+mode|workplace)\s*:\s*$|\(\s*$"
)
_STRONG_ONSITE_AFTER = re.compile(r"\s+(?:only|role|position|in)" + _NOT_ALPHA)

# The parts of a hybrid arrangement named right before or after the word ("on-site/remote
# hybrid", "Hybrid In-Person/WFH"), and its note ("Hybrid (2 days in office)").  Bounded:
# with no ")" after many "hybrid (", an unbounded [^)]* would rescan to the end each time.
_PART = r"(?:on[\s-]?site|office|remote|wfh|in[\s-]person)"
_PARTS_BEFORE = re.compile(rf"{_PART}\s*[/&+]\s*{_PART}\s*$")
_PARTS_AFTER = re.compile(rf"\s+{_PART}(?:\s*[/&+]\s*{_PART})?")
_NOTE_AFTER = re.compile(r"(?:\s+\w+)?\s*\([^()]{0,200}\)")


def _before(pattern: re.Pattern[str], lowered: str, start: int) -> bool:
    return pattern.search(lowered, max(0, start - _BEFORE), start) is not None


# --- cues -----------------------------------------------------------------------------------


@dataclass
class _Cues:
    """What a text says about work modes, with where it says it."""

    remote: list[tuple[int, int]] = field(default_factory=list)
    strong_remote: list[tuple[int, int]] = field(default_factory=list)
    permissive: list[bool] = field(default_factory=list)
    hybrid: list[tuple[int, int]] = field(default_factory=list)
    onsite: list[tuple[int, int]] = field(default_factory=list)
    strong_onsite: bool = False
    negated: bool = False


def _read_remote_word(lowered: str, start: int, end: int, cues: _Cues) -> None:
    """Files one "remote" or "remotely" as remote, a part of hybrid, a negation or nothing."""
    if _OTHER_REMOTE_AFTER.match(lowered, end):
        return
    if _before(_NEGATION_BEFORE, lowered, start) or _NEGATION_AFTER.match(lowered, end):
        cues.negated = True
    elif _before(_PART_BEFORE, lowered, start) or _PART_AFTER.match(lowered, end):
        cues.hybrid.append((start, end))
    else:
        cues.remote.append((start, end))
        strong = (
            _before(_STRONG_BEFORE, lowered, start)
            or _STRONG_AFTER.match(lowered, end) is not None
            or (lowered.startswith("ly", end) and _before(_REMOTELY_BEFORE, lowered, start))
        )
        if strong:
            cues.strong_remote.append((start, end))
        cues.permissive.append(
            _PERMISSIVE_AFTER.match(lowered, end) is not None
            or _before(_PERMISSIVE_BEFORE, lowered, start)
        )


def _remote_cues(lowered: str, cues: _Cues) -> None:
    for start, end in _occurrences(lowered, "remote"):
        # "remote" and "remotely", not "remoteness"
        if end == len(lowered) or not lowered[end].isalpha() or lowered.startswith("ly", end):
            _read_remote_word(lowered, start, end, cues)
    for word, pattern in _REMOTE_PHRASES:
        for start, _ in _occurrences(lowered, word):
            found = pattern.match(lowered, start)
            if found is None:
                continue
            if word == "distributed" and not _before(_DISTRIBUTED_BEFORE, lowered, start):
                continue
            if word == "from" and not _before(_FROM_BEFORE, lowered, start):
                continue
            cues.remote.append(found.span())
            cues.strong_remote.append(found.span())
            cues.permissive.append(False)


def _hybrid_cues(lowered: str, cues: _Cues) -> None:
    for start, end in _occurrences(lowered, "hybrid"):
        if not _HYBRID_AFTER_NOT.match(lowered, end):
            cues.hybrid.append(_hybrid_span(lowered, start, end))
    _office_day_cues(lowered, cues)


def _office_day_cues(lowered: str, cues: _Cues) -> None:
    if "day" in lowered:
        for start, end in _occurrences(lowered, "day"):
            office = _DAYS_AFTER.match(lowered, end)
            if office and _before(_DAYS_BEFORE, lowered, start):
                cues.hybrid.append((start, office.end()))  # "3 days/week in office"
            elif _before(_ONSITE_DAYS_BEFORE, lowered, start):
                cues.hybrid.append((start, end))  # "ONSITE (4 days/week)"
    if "week" in lowered:
        for start, end in _occurrences(lowered, "week"):
            if _before(_WEEK_BEFORE, lowered, start):
                office = _OFFICE_AFTER.match(lowered, end)  # "3x/week in office"
                cues.hybrid.append((start, office.end() if office else end))


def _hybrid_span(lowered: str, start: int, end: int) -> tuple[int, int]:
    """The word with its parts or note, or the brackets it opens ("ONSITE (hybrid, remote
    Fridays)"): its own remote and on-site words are no separate mode."""
    before = _PARTS_BEFORE.search(lowered, max(0, start - 30), start)
    if before is not None:
        start = before.start()
    after = _PARTS_AFTER.match(lowered, end) or _NOTE_AFTER.match(lowered, end)
    if after is not None:
        end = after.end()
    # Only a bracket that opens with the word is its note: in "(onsite/hybrid)" the other
    # word is another choice.
    opened = start - 1
    while opened >= max(0, start - 5) and lowered[opened] in " \t":
        opened -= 1
    if opened >= 0 and lowered[opened] == "(":
        closed = lowered.find(")", end, end + 200)
        start, end = opened, (closed + 1 if closed >= 0 else end)
    return start, end


def _onsite_cues(lowered: str, cues: _Cues) -> None:
    for word in _ONSITE_WORDS:
        if word not in lowered:
            continue
        for start, end in _occurrences(lowered, word):
            if end < len(lowered) and lowered[end].isalpha():
                continue
            if _OTHER_ONSITE_AFTER.match(lowered, end):
                continue
            if _before(_PART_BEFORE, lowered, start):
                cues.hybrid.append((start, end))  # "partially on-site"
                continue
            cues.onsite.append((start, end))
            cues.strong_onsite = cues.strong_onsite or bool(
                _before(_STRONG_ONSITE_BEFORE, lowered, start)
                or _STRONG_ONSITE_AFTER.match(lowered, end)
            )


def _cues(lowered: str) -> _Cues:
    cues = _Cues()
    if any(word in lowered for word in _REMOTE_HINTS):
        _remote_cues(lowered, cues)
    if "hybrid" in lowered or "day" in lowered or "week" in lowered:
        _hybrid_cues(lowered, cues)
    if "site" in lowered or "office" in lowered or "person" in lowered:
        _onsite_cues(lowered, cues)
    if cues.hybrid:
        cues.hybrid = _merged(cues.hybrid)
        cues.remote, cues.strong_remote, cues.permissive = _outside_hybrid(cues)
        cues.onsite = [span for span in cues.onsite if not _inside(span[0], cues.hybrid)]
    return cues


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``position`` lies in one of ``spans``, which are sorted and do not overlap."""
    index = bisect_right(spans, (position, _FAR)) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


_FAR = 1 << 62


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` sorted, with those that overlap joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _outside_hybrid(
    cues: _Cues,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[bool]]:
    kept = [
        (span, allowed)
        for span, allowed in zip(cues.remote, cues.permissive, strict=True)
        if not _inside(span[0], cues.hybrid)
    ]
    strong = [span for span in cues.strong_remote if not _inside(span[0], cues.hybrid)]
    return [span for span, _ in kept], strong, [allowed for _, allowed in kept]


# --- places around "remote" ------------------------------------------------------------------

_REGION_WORDS = [
    "us",
    "usa",
    "u.s.",
    "u.s.a.",
    "united states",
    "america",
    "americas",
    "uk",
    "u.k.",
    "britain",
    "great britain",
    "england",
    "scotland",
    "wales",
    "eu",
    "e.u.",
    "europe",
    "european union",
    "emea",
    "apac",
    "latam",
    "latin america",
    "north america",
    "south america",
    "central america",
    "asia",
    "africa",
    "oceania",
    "nordics",
    "scandinavia",
    "dach",
    "benelux",
    "balkans",
    "cee",
    "eastern europe",
    "western europe",
    "central europe",
    "middle east",
    "mena",
    "anz",
    "can",
    "worldwide",
    "world-wide",
    "world wide",
    "global",
    "globally",
    "anywhere",
    "international",
    "timezones",
    "timezone",
    "time zones",
    "time zone",
    "tz",
    "pst",
    "pt",
    "pdt",
    "est",
    "et",
    "edt",
    "cst",
    "ct",
    "mst",
    "mt",
    "utc",
    "gmt",
    "cet",
    "cest",
    "eet",
    "bst",
    "ist",
    "aest",
    "jst",
    "sgt",
    "us-based",
    "eu-based",
    "uk-based",
    "us-only",
    "eu-only",
    "uk-only",
]
# Words that qualify a region ("US only", "EU time zones preferred"): neither place nor office.
_QUALIFIERS = frozenset(
    [
        "based",
        "only",
        "friendly",
        "ok",
        "okay",
        "first",
        "possible",
        "preferred",
        "welcome",
        "fully",
        "full",
        "100%",
        "considered",
        "hours",
        "overlap",
        "within",
        "in",
        "the",
        "and",
        "or",
        "of",
        "to",
        "from",
        "with",
        "hour",
        "h",
        "ideally",
        "ideal",
        "compatible",
        "residents",
        "resident",
        "citizens",
        "citizen",
    ]
)


@lru_cache(maxsize=1)
def _regions() -> frozenset[str]:
    """Countries, regions, time zones and the words that qualify them, in lower case: a phrase
    made only of these says where remote workers may be, not where an office is."""
    import pycountry  # the database loads once, when the first remote mention is read

    names = set(_REGION_WORDS)
    for country in pycountry.countries:
        names.add(country.name.lower())
        names.update(
            getattr(country, attr).lower()
            for attr in ("common_name", "official_name")
            if hasattr(country, attr)
        )
    return frozenset(name for name in names if "," not in name)


_LONGEST_REGION = 4  # words
# Words beside "remote" that name the job, not a place.
_JOB_WORDS = frozenset(
    [
        "full",
        "part",
        "time",
        "full-time",
        "part-time",
        "contract",
        "contractor",
        "contractors",
        "freelance",
        "permanent",
        "intern",
        "interns",
        "internship",
        "engineer",
        "engineers",
        "developer",
        "developers",
        "designer",
        "designers",
        "manager",
        "managers",
        "scientist",
        "scientists",
        "senior",
        "junior",
        "staff",
        "lead",
        "role",
        "roles",
        "position",
        "positions",
        "job",
        "jobs",
        "multiple",
        "hiring",
        "work",
        "working",
        "team",
        "company",
        "also",
        "open",
        "we",
        "our",
        "are",
        "is",
        "a",
        "an",
        "with",
        "onsite",
        "on-site",
        "hybrid",
        "office",
        "flexible",
        "optional",
        "equity",
        "salary",
        "visa",
        "sponsorship",
        "or",
        "and",
        "remote",
        "remotely",
        "wfh",
        "distributed",
        "flex",
    ]
)
_WORD = re.compile(r"[^\W\d_][\w.'’&-]*")


def _region_length(words: list[str], index: int) -> int:
    """How many of ``words`` from ``index`` on make a region's name (0 when none do)."""
    regions = _regions()
    for length in range(min(_LONGEST_REGION, len(words) - index), 0, -1):
        name = " ".join(words[index : index + length]).lower()
        if name in regions or name.rstrip(".") in regions:
            return length
    return 0


def _place_words(piece: str) -> tuple[int, int]:
    """(words that belong to regions, capitalised words that belong to none and qualify
    nothing) in ``piece``."""
    words = _WORD.findall(piece)
    regional = others = index = 0
    while index < len(words):
        length = _region_length(words, index)
        if length:
            regional += length
            index += length
            continue
        word = words[index].lower().rstrip(".")
        if words[index][0].isupper() and word not in _JOB_WORDS and word not in _QUALIFIERS:
            others += 1
        index += 1
    return regional, others


def _only_regions(piece: str) -> bool:
    regional, others = _place_words(piece)
    return regional > 0 and others == 0


_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z.]*")
_JOINER = re.compile(r",|/|&|\+|\(|;|\bor\b|\band\b", re.IGNORECASE)
_JOINER_AT_END = re.compile(r"(?:,|/|&|\+|\(|;|\bor|\band)\s*$", re.IGNORECASE)
_JOINER_AFTER = re.compile(r"\s*(?:/|&|\+|\bor\b|\band\b)\s*", re.IGNORECASE)
_COMMA = re.compile(r"\s*,\s*")
_HEADQUARTERS = re.compile(r"\b(?:HQ|headquarter\w*|head\s+office)\b", re.IGNORECASE)
_LEADING_REGION = re.compile(r"(?:[A-Z][\w.&/-]*[\s-]+){1,3}$")
_FIELD_BREAK = re.compile(r"[|\n•]")

# "Remote (US only)", "REMOTE: US-only", "Remote - EU", "remote in Canada", "Remote EU".
_SCOPE_AFTER = re.compile(
    r"(?:[\s-]+(?:only|ok|okay|friendly|first|possible))?"
    r"(?:\s*\((?P<paren>[^()|\n]{1,80})\)"
    r"|\s*(?::|-|–|—|,|/)\s*(?P<dash>[^|()\n,;:/]{1,60})"
    r"|\s+(?:in|within|across|from|throughout)\s+(?:the\s+)?(?P<within>[^|()\n,;:/]{1,60})"
    r"|\s+(?P<bare>[^|()\n,;:/]{1,40}))?",
    re.IGNORECASE,
)
_SCOPE_END = re.compile(
    r"\s+(?:or|and|with|but|is|are|we|our|for|if|as|preferred|considered|ok|okay|possible|"
    r"friendly|welcome|positions?|roles?|jobs?)\b.*$|\s[-–—]\s.*$|\s+[^\w\s+±&/-].*$",
    re.IGNORECASE | re.DOTALL,
)


def _names_office(piece: str) -> bool:
    """Whether a piece of a header field names a place that is not a country or region, nor
    one of a hybrid job ("Remote or Hybrid (NYC)")."""
    if "hybrid" in piece.lower() or not _CAPITALISED.search(piece):
        return False
    return _place_words(piece)[1] > 0


# How far a header field reaches on either side of a mention: real fields are short, and the
# bound keeps a long line without separators linear to read.
_FIELD_REACH = 200


def _field_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    # " - " also separates fields before a mention ("Acme - Engineer - Remote"); after one it
    # leads to its scope ("Remote - EU").
    reach = max(0, start - _FIELD_REACH)
    before = max(
        reach,
        max(text.rfind(mark, reach, start) + 1 for mark in "|\n•"),
        max(text.rfind(mark, reach, start) + 3 for mark in (" - ", " – ", " — ")),
    )
    limit = min(len(text), end + _FIELD_REACH)
    after = _FIELD_BREAK.search(text, end, limit)
    return before, after.start() if after else limit


def _scope_phrase(after: re.Match[str]) -> str | None:
    """The scope a mention's following words state, if they state one."""
    if after["paren"]:
        phrase = after["paren"].strip(" -–—:,.")
        regional, others = _place_words(phrase)
        # "Lausanne, Switzerland, EU" is a scope; "Atlanta" or "(Remote OK)" is none.
        if regional and not (others and not _place_words(phrase.split(",")[-1])[0]):
            return phrase
        return None
    raw = after["dash"] or after["within"] or after["bare"]
    if not raw:
        return None
    phrase = _SCOPE_END.sub("", raw.strip()).strip(" -–—:,.")
    return phrase if phrase and _only_regions(phrase) else None


@dataclass
class _Remote:
    scope: list[str] = field(default_factory=list)
    office: bool = False


def _read_after(text: str, mention_end: int, end: int, found: _Remote) -> int:
    """Reads the scope after a mention into ``found``; returns where the scope ends."""
    after = _SCOPE_AFTER.match(text, mention_end, end)
    if after is None or after.end() == mention_end:
        return mention_end
    phrase = _scope_phrase(after)
    if phrase:
        found.scope.append(phrase)
        return after.end()
    raw = after["dash"] or ""
    if text[mention_end:end].lstrip().startswith(",") and _names_office(raw):
        found.office = not _HEADQUARTERS.search(raw)  # "Remote, Atlanta", not "Remote, HQ in X"
    return after.end() if after["paren"] else mention_end


def _neighbour_scope(text: str, field_start: int, field_end: int) -> list[str]:
    """Header fields right beside the remote one that only name regions: "Remote | Europe"."""
    scopes = []
    if field_end < len(text) and text[field_end] == "|":
        following = text[field_end + 1 : field_end + 1 + _FIELD_REACH].split("|", 1)[0].strip()
        if following and len(following) <= 60 and _only_regions(following):
            scopes.append(following)
    if field_start > 0 and text[field_start - 1] == "|":
        window = text[max(0, field_start - 1 - _FIELD_REACH) : field_start - 1]
        preceding = window.rsplit("|", 1)[-1].strip()
        if preceding and len(preceding) <= 60 and _only_regions(preceding):
            scopes.append(preceding)
    return scopes


def _read_remote(text: str, start: int, end: int) -> _Remote:
    """The scope of the remote mention at ``text[start:end]``, and whether its header field
    also names an office ("NYC or Remote")."""
    field_start, field_end = _field_bounds(text, start, end)
    found = _Remote()
    scope_end = _read_after(text, end, field_end, found)
    left = text[field_start:start]
    # "US Remote", "LATAM REMOTE": region words right before the mention are its scope.
    leading = _LEADING_REGION.search(left)
    if leading and _only_regions(leading.group(0)) and not _JOINER_AT_END.search(left):
        found.scope.append(leading.group(0).strip(" -"))
        left = left[: leading.start()]
    if _JOINER.search(left) and _names_office(left):
        found.office = True
    joined = _JOINER_AFTER.match(text, scope_end, field_end)
    if joined is None and text.endswith(")", 0, scope_end):
        joined = _COMMA.match(text, scope_end, field_end)  # "Remote (US), Atlanta, London"
    if joined is not None and _names_office(text[joined.end() : field_end]):
        found.office = True
    if not found.scope:
        found.scope = _neighbour_scope(text, field_start, field_end)
    return found


# --- the post -------------------------------------------------------------------------------


@dataclass
class _Flags:
    remote: bool = False
    hybrid: bool = False
    onsite: bool = False
    # Remote is allowed rather than the rule ("Remote OK"): the place named is an office.
    permissive: bool = False
    scope: list[str] = field(default_factory=list)

    def any(self) -> bool:
        return self.remote or self.hybrid or self.onsite


def _header_anywhere(lowered: str) -> list[tuple[int, int]]:
    return [
        span for word in _HEADER_ANYWHERE if word in lowered for span in _occurrences(lowered, word)
    ]


# A header names remote work a few times at most; reading more of a hostile line's mentions
# would only repeat the same scopes.
_MENTIONS_READ = 8


def _header_flags(header: str) -> _Flags:
    """The modes a header-shaped line states."""
    lowered = _lower(header)
    cues = _cues(lowered)
    flags = _Flags(hybrid=bool(cues.hybrid), onsite=bool(cues.onsite) or cues.negated)
    if cues.negated:
        return flags
    mentions = cues.remote or _header_anywhere(lowered)
    for start, end in mentions[:_MENTIONS_READ]:
        read = _read_remote(header, start, end)
        flags.scope.extend(read.scope)
        flags.onsite = flags.onsite or read.office
        anywhere = _ANYWHERE.search(header, start, end)
        if anywhere is not None:
            flags.scope.append(anywhere.group(0))  # "anywhere in the world", "Worldwide"
    flags.remote = bool(mentions)
    # "Remote (US) | Remote OK" makes remote the rule all the same.
    flags.permissive = bool(cues.permissive) and all(cues.permissive)
    return flags


def _body_flags(body: str) -> _Flags:
    """The modes the body states: its header-shaped lines first, then its telling phrases."""
    flags = _Flags()
    if "|" in body:
        for line in body.split("\n"):
            if line.count("|") >= 2:
                found = _header_flags(line)
                flags.remote |= found.remote
                flags.hybrid |= found.hybrid
                flags.onsite |= found.onsite
                flags.scope.extend(found.scope)
        if flags.any():
            return flags
    lowered = _lower(body)
    cues = _cues(lowered)
    flags.hybrid = bool(cues.hybrid)
    flags.onsite = cues.strong_onsite or cues.negated
    if cues.strong_remote and not cues.negated:
        start, end = cues.strong_remote[0]
        flags.remote = True
        flags.permissive = cues.permissive[cues.remote.index((start, end))]
        line_start = body.rfind("\n", max(0, start - _FIELD_REACH), start) + 1
        line_end = body.find("\n", end, end + _FIELD_REACH)
        line = body[line_start : line_end if line_end >= 0 else end + _FIELD_REACH]
        flags.scope.extend(_read_remote(line, start - line_start, end - line_start).scope)
    return flags


def _body_hybrid(body: str) -> bool:
    """Whether the body says the job is partly remote ("Hybrid working", "three days in the
    office"), which an on-site header leaves out."""
    lowered = _lower(body)
    if not any(word in lowered for word in ("hybrid", "day", "week", "part")):
        return False
    if any(
        _BODY_HYBRID_AFTER.match(lowered, end) or _before(_BODY_HYBRID_BEFORE, lowered, start)
        for start, end in _occurrences(lowered, "hybrid")
    ):
        return True
    cues = _Cues()
    _office_day_cues(lowered, cues)
    if "remote" in lowered:
        _remote_cues(lowered, cues)  # "partially remote"
    return bool(cues.hybrid)


def work_mode(header: str, body: str = "", *, names_place: bool = True) -> WorkMode:
    """The work modes a post offers.

    ``header`` is the post's first line and ``body`` the rest; ``names_place`` says whether
    the post names a place of work, which makes a post that names no mode an on-site one.
    """
    flags = _header_flags(header)
    if not flags.any():
        flags = _body_flags(body)
        if not flags.any():
            flags.onsite = names_place
    elif flags.onsite and not flags.hybrid and _body_hybrid(body):
        flags.hybrid = True  # "ONSITE" with "three days in the office" in the body
    if flags.permissive and names_place:
        flags.onsite = True
    scope = list(dict.fromkeys(flags.scope)) if flags.remote else []
    return WorkMode(flags.remote, flags.hybrid, flags.onsite, scope)


# --- agreement with another reading --------------------------------------------------------

_LABEL_REMOTE = re.compile(r"remote|work from home|wfh|distributed|anywhere", re.IGNORECASE)
_LABEL_HYBRID = re.compile(r"hybrid|part(?:ial(?:ly)?|ly)?[\s-]+remote", re.IGNORECASE)
_LABEL_ONSITE = re.compile(r"on[\s_-]?site|in[\s-]?office|in[\s-]person", re.IGNORECASE)


def label_modes(label: str | None) -> frozenset[str]:
    """The modes a free-text label names: "Onsite/Remote (US)" -> {"onsite", "remote"};
    "fully_remote" -> {"remote"}; "not_mentioned" or "US-only" -> none."""
    if not label:
        return frozenset()
    modes: set[str] = set()
    if _LABEL_HYBRID.search(label):
        modes.add("hybrid")
    if _LABEL_REMOTE.search(_LABEL_HYBRID.sub("", label)):
        modes.add("remote")
    if _LABEL_ONSITE.search(label):
        modes.add("onsite")
    return frozenset(modes)


def work_mode_agrees(label: str | None, ours: WorkMode) -> bool | None:
    """Whether ``ours`` agrees with another reader's label; ``None`` when the label names no mode.

    A reader that names one mode for a post offering two ("Remote or NYC") picks one of them,
    so the label's modes need only be among ours, where remote and on site together make
    hybrid (and a hybrid job is partly both).  Ours may name at most one mode the label leaves
    out, so that claiming every mode never agrees with a one-mode label.
    """
    wanted = label_modes(label)
    if not wanted:
        return None
    have = set(ours.modes())
    if {"remote", "onsite"} <= have:
        have.add("hybrid")
    if "hybrid" in have and {"remote", "onsite"} <= wanted:
        have.update(wanted)
    allowed = set(wanted) | ({"remote", "onsite"} if "hybrid" in wanted else set())
    return wanted <= have and len(ours.modes() - allowed) <= 1
