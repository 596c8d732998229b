"""Role families and seniority levels of a "Who is hiring?" post.

Both are read from the role titles the header names (``PostHeader.roles`` from
:mod:`hn_assets.hackernews.headers`), and from the text only where the titles say nothing:
the title is where posters state what they hire for, while the body also talks about the
people a hire would work with ("you'll pair with our designers").

* A family is what the job does: "Senior Backend Engineer (Go)" is ``backend``, "Head of
  Engineering" is ``management``, "Founding Engineer" is plain ``software``.  A title may name
  several ("iOS & Backend").  ``other`` is a job outside software (sales, hardware, support)
  or a post that names no job at all.
* A level is only what the post states: "Sr.", "Staff", "New grad", "Head of", or a required
  experience ("5+ years of experience" is senior, "2+ years" mid).  A post that states none
  has no level: "mid" is never assumed.

Any text is read in time linear in its length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hn_assets.hackernews.patterns import starting_with
from hn_assets.hackernews.technologies import (
    find_technologies,
    technology_category,
    trie_alternation,
    without_links,
)
from hn_assets.hackernews.text_caches import text_cache

ROLE_FAMILIES = (
    "software",
    "frontend",
    "backend",
    "fullstack",
    "mobile",
    "data",
    "ml",
    "devops",
    "security",
    "product",
    "design",
    "management",
    "other",
)
#: ``staff`` is staff, principal and distinguished engineers; ``lead`` is tech leads and people
#: who lead people (engineering managers, heads, directors, VPs, CTOs).
SENIORITY = ("intern", "junior", "mid", "senior", "staff", "lead")


def _words(pattern: str) -> re.Pattern[str]:
    """A pattern of lower-case words, matched against lower-cased text: far quicker than a
    case-insensitive pattern, which folds the case of each character it tries."""
    return re.compile(pattern)


# --- families ------------------------------------------------------------------------------

# A job matching one of these is about that kind of work; checked in this order, all kept.
_FAMILY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "management",
        _words(
            r"\b(?:engineering|eng|(?<!business\s)development|dev|software|technical|team|"
            r"delivery)\s+managers?\b|"
            r"\bmanagers?,?\s+(?:of\s+)?(?:software\s+)?engineering\b|"
            r"\b(?:head|director|vp|vice\s+president)\s+(?:of\s+)?(?:engineering|eng|technology|"
            r"tech|software|development|r&d)\b|\b(?:engineering|technical)\s+director\b|"
            r"\bcto\b|\bchief\s+(?:technology|technical)\s+officer\b|\bvpe\b"
        ),
    ),
    (
        "product",
        _words(
            r"\bproduct\s+(?:manager|management|owner|lead|director|ops)s?\b|\bpms?\b|\bapm\b|"
            r"\b(?:head|director|vp|vice\s+president)\s+(?:of\s+)?product\b|\bchief\s+product\b|"
            r"\b(?:technical\s+)?program\s+managers?\b|\btpms?\b|^\s*product\s*$"
        ),
    ),
    (
        "design",
        _words(
            r"\bdesign(?:er|ers)?\b(?!\s+(?:system\s+)?engineer)|\bux\b|\buser\s+research|"
            r"\billustrat|\bdesign\s+(?:system\s+)?engineers?\b"
        ),
    ),
    (
        "security",
        _words(
            r"\bsecurity\b|\bsecops\b|\bappsec\b|\bdevsecops\b|\bpen(?:etration)?\s*test|"
            r"\bcryptograph|\bred\s+team|\bthreat\b|\bvulnerabilit"
        ),
    ),
    (
        "devops",
        _words(
            r"\bdev[\s-]*ops\b|\bdevsecops\b|\bsres?\b|\bsite\s+reliability\b|\binfra(?:structure)?\b|"
            r"\bplatform\s+engineer|\bplatforms?\s+engineering\b|\bcloud\s+(?:engineer|architect|"
            r"infrastructure|ops|operations)|\bsys(?:tems?)?\s*admin|\bdevex\b|\bdx\s+engineer|"
            r"\bdeveloper\s+(?:productivity|experience)\b|\b(?:build|release|reliability|network|"
            r"kubernetes|observability)\s+engineer"
        ),
    ),
    (
        "ml",
        _words(
            r"\bmachine\s+learning\b|\bml\b|\bmlops\b|\bdeep\s+learning\b|\bcomputer\s+vision\b|"
            r"\bnlp\b|\bllms?\b|\bapplied\s+(?:ai|scien)|\bresearch\s+(?:scientist|engineer)|"
            r"\bai\s*(?:/\s*ml\s*)?(?:engineers?|developers?|researchers?|scientists?|specialists?)\b|"
            r"\b(?:engineers?|swes?|developers?)\s*[,(–-]\s*(?:generative\s+|applied\s+)?ai\b|"
            r"\b(?:gen|generative)\s*ai\b|\bai\s+(?:research|infrastructure|platform)\b|"
            r"\bperception\b|\binference\b"
        ),
    ),
    (
        "data",
        _words(
            r"\bdata\b(?!\s+cent(?:er|re))|\banalytics\b|\banalysts?\b|\bbusiness\s+intelligence\b|"
            r"\bbi\s+(?:engineer|developer)|\betl\b|\bquant(?:itative)?\b"
        ),
    ),
    ("mobile", _words(r"\bmobile\b|\bios\b|\bandroid\b|\breact\s+native\b|\bflutter\b")),
    (
        "fullstack",
        _words(r"\bfull[\s-]?stack\b|\bjack[\s-]of[\s-]all[\s-]trades\b"),
    ),
    (
        "frontend",
        _words(
            r"\bfront[\s-]?end\b|\bui\s+(?:engineer|developer)s?\b|\bweb\s+ui\b|\bfe\s+engineer|"
            r"\bui\b(?!\s*/\s*ux)"
        ),
    ),
    (
        "backend",
        _words(
            r"\bback[\s-]?end\b|\bbe\s+engineer|\bserver[\s-]side\b|\bapi\s+(?:engineer|developer)|"
            r"\bdistributed\s+systems\b|\bsystems\s+(?:engineer|programmer)"
        ),
    ),
)
# Jobs outside software, checked before "engineer" makes a title ``software``.
_OUTSIDE_SOFTWARE = _words(
    r"\b(?:hardware|mechanical|electrical|electronics?|manufacturing|process|chemical|civil|"
    r"rf|analog|asic|fpga|optical|mechatronics|test\s+and\s+measurement|field|sales|solutions?|"
    r"support|customer|implementation)\s+engineers?\b|\bsales\b|\bmarketing\b|\bmarketer\b|"
    r"\brecruit|\btalent\b|\baccount\s+(?:executive|manager)|\bcustomer\b|\bsuccess\b|"
    r"\boperations\b|\bops\s+(?:lead|manager|associate)|\bgtm\b|\bgo[\s-]to[\s-]market\b|"
    r"\bfinance\b|\baccountant\b|\blegal\b|\bcounsel\b|\bwriter\b|\bcontent\b|\bcommunity\b|"
    r"\bpartnerships?\b|\bbusiness\s+development\b|\bchief\s+of\s+staff\b|\bexecutive\s+assistant|"
    r"\bhr\b|\bpeople\s+(?:ops|operations|partner)|\boffice\s+manager|\bcoordinator\b|"
    r"\btechnician\b|\bscientist\b|\bresearcher\b|\bbiolog|\bchemist|\bphysicist|\bclinical\b|"
    r"\bgrowth\b(?!\s+(?:engineer|developer))"
)
_SOFTWARE = _words(
    r"\bsoftware\b|\bswes?\b|\bsdes?\b|\bdevelopers?\b|\bengineers?\b|\bengineering\b|\beng\b|"
    r"\bprogrammers?\b|\bdevs?\b|\bcoders?\b|\bhackers?\b|\bmembers?\s+of\s+technical\s+staff\b|"
    r"\bmts\b|\bfirmware\b|\bembedded\b|\bqa\b|\bsdets?\b|\btesters?\b|\bquality\s+assurance\b|"
    r"\btech\s+lead\b|\bteam\s+lead\b|\barchitects?\b|\bcompiler|\bkernel\b|"
    r"\bgame\s+(?:programmer|developer|engineer)"
)
_MOBILE_LANGUAGES = frozenset({"Swift", "Objective-C", "Kotlin", "Dart", "SwiftUI", "UIKit"})
_TECH_FAMILIES = {
    "frontend": "frontend",
    "mobile": "mobile",
    "backend": "backend",
    "database": "backend",
    "messaging": "backend",
    "data": "data",
    "ml": "ml",
    "infrastructure": "devops",
    "cloud": "devops",
    "observability": "devops",
}


def _technology_families(title: str) -> list[str]:
    """Families a title states through the technologies it names ("React Developer")."""
    families = []
    for name in find_technologies(title):
        family = (
            "mobile"
            if name in _MOBILE_LANGUAGES
            else _TECH_FAMILIES.get(technology_category(name) or "")
        )
        if family is not None:
            families.append(family)
    if "frontend" in families and "backend" in families:
        families.append("fullstack")
        families = [f for f in families if f not in ("frontend", "backend")]
    return families


def _group_families(title: str) -> list[str]:
    """Families of one job ("Software Engineer, Backend"), or [] when it names none."""
    lowered = title.lower()
    families = [family for family, pattern in _FAMILY_PATTERNS if pattern.search(lowered)]
    if families:
        # "Full-stack" already says front end and back end.
        if "fullstack" in families:
            families = [f for f in families if f not in ("frontend", "backend")]
        return families
    if _OUTSIDE_SOFTWARE.search(lowered):
        return ["other"]
    if _SOFTWARE.search(lowered):
        return _technology_families(title) or ["software"]
    return []


# "Eng, Product, GTM", "iOS & Backend", "Senior/Staff Engineer": the parts of one title.
# Spaces before a separator are taken from the start of their run only ("(?<!\s)"): a "\s*"
# there is tried from every position of a long run, rescanning the rest of it each time.
_TITLE_PARTS = re.compile(r"(?:(?<!\s)\s+)?(?:[,/&+]|\band\b|\bor\b)\s*", re.IGNORECASE)
# A part of a title that names a job; a part that names none qualifies the job before it
# ("Software Engineer, Backend").
_JOB_WORD = _words(
    r"\b(?:engineers?|developers?|devs?|swes?|sdes?|sres?|programmers?|designers?|"
    r"managers?|pms?|tpms?|ems?|scientists?|analysts?|researchers?|architects?|leads?|heads?|"
    r"directors?|vp|cto|interns?|specialists?|consultants?|administrators?|writers?|"
    r"recruiters?|marketers?|executives?|associates?|officers?|advocates?|technicians?|"
    r"hackers?|testers?|sdets?|owners?)\b"
)


def _job_groups(title: str) -> list[str]:
    parts = [part for part in _TITLE_PARTS.split(title) if part.strip()]
    if not any(_JOB_WORD.search(part.lower()) for part in parts):
        return parts  # a list of departments: "Eng, Product, GTM"
    groups: list[str] = []
    for part in parts:
        if groups and not _JOB_WORD.search(part.lower()):
            groups[-1] = f"{groups[-1]}, {part}"
        else:
            groups.append(part)
    return groups


@text_cache(maxsize=4096)
def _title_families(title: str) -> tuple[str, ...]:
    """Families one role title names, or () when it names no job.  Cached: the same titles
    come back in every month."""
    families = [family for group in _job_groups(title) for family in _group_families(group)]
    return tuple(dict.fromkeys(families))


def _ordered(values: Iterable[str], order: tuple[str, ...]) -> list[str]:
    found = set(values)
    return [value for value in order if value in found]


def _alternation(words: str) -> str:
    """One pattern for lower-case ``words`` that is quick to scan a post with."""
    return rf"(?<!\w)(?:{trie_alternation(words.split(','))})(?!\w)"


# Job nouns, for finding the roles a post's text names when its header names none.  Not "CTO"
# or "head of": in the body those are mostly the founders introducing themselves.  Patterns
# on the lower-cased text are tries: far quicker than case-insensitive alternations.
_JOB_NOUN = re.compile(
    _alternation(
        "engineer,engineers,developer,developers,dev,devs,designer,designers,scientist,"
        "scientists,analyst,analysts,manager,managers,architect,architects,researcher,"
        "researchers,programmer,programmers,swe,swes,sre,sres,devops,intern,interns,tech lead,"
        "team lead,recruiter,recruiters,marketer,marketers"
    )
)
# Words of a sentence that says whom the company hires, rather than whom a hire would work with.
_HIRING_CUE = re.compile(
    _alternation(
        "hiring,looking for,seeking,searching for,we need,join,open role,open roles,"
        "open position,open positions,role,roles,position,positions,opening,openings,"
        "opportunity,opportunities,apply,wanted,to hire,recruiting,as a,as an,we want"
    )
)
# The last break in a window before a noun: the end of the previous sentence or clause.
_SENTENCE_BREAK = re.compile(r"[.!?;:|()\[\]\n•][^.!?;:|()\[\]\n•]*$")
_SENTENCE_WINDOW = 200
_PHRASE_BREAK = re.compile(r"[.,\n(:;!?|][^.,\n(:;!?|]*$")
_PHRASE_WINDOW = 48
_PHRASE_WORDS = 4
_SHORT_LINE = 80
# What may stand before a role that starts a line of a list: "- ", "* ", "2) ", "• ".
_BULLET = re.compile(r"\s*(?:(?:[-*•·>]+|\d{1,2}[.)]|\[\d{1,2}\])\s*)?")
# Words that end a role phrase going backwards: "looking for [a] senior engineer", "you will
# [lead] engineers" (a verb there, not a title).
_PHRASE_STOP = frozenset(
    {
        *("a", "an", "the", "our", "your", "their", "my", "we", "you", "they", "who"),
        *("to", "for", "of", "with", "and", "or", "as", "at", "in", "on", "by", "from"),
        *("will", "can", "is", "are", "be", "help", "work", "join", "hire", "hiring"),
        *("lead", "leads", "leading", "manage", "manages", "managing", "mentor"),
        *("other", "more", "great", "talented"),
    }
)
_WORD = re.compile(r"\S+")


def _phrase_start(lowered: str, start: int) -> int:
    """Where the words that qualify the job noun at ``start`` begin, within its clause."""
    window_start = max(0, start - _PHRASE_WINDOW)
    before = lowered[window_start:start]
    last_break = _PHRASE_BREAK.search(before)
    clause = last_break.start() + 1 if last_break else 0
    words = list(_WORD.finditer(before, clause))[-_PHRASE_WORDS:]
    first = start
    for word in reversed(words):
        if word.group().strip("\"'“”*") in _PHRASE_STOP:
            break
        first = window_start + word.start()
    return first


def _listed(lowered: str, phrase_start: int, end: int) -> bool:
    """Whether a role phrase is an item of a list of openings: a short line, or a bullet."""
    # Only a short line or a bullet counts, so the line's ends are looked for nearby only: a
    # post of one long line must not be rescanned for each noun in it.
    newline = lowered.rfind("\n", max(0, phrase_start - _SHORT_LINE), phrase_start)
    if newline < 0 and phrase_start > _SHORT_LINE:
        return False
    line_start = newline + 1
    line_end = lowered.find("\n", end, line_start + _SHORT_LINE + 1)
    if line_end >= 0 or len(lowered) - line_start <= _SHORT_LINE:
        return True
    return _BULLET.fullmatch(lowered, line_start, phrase_start) is not None


def _after_cue(lowered: str, start: int) -> bool:
    """Whether a hiring cue stands in the sentence before ``start``."""
    window = lowered[max(0, start - _SENTENCE_WINDOW) : start]
    last_break = _SENTENCE_BREAK.search(window)
    sentence_start = start - len(window) + (last_break.start() + 1 if last_break else 0)
    # Only the sentence is searched: most of a post is no job noun's sentence.
    return _HIRING_CUE.search(lowered, sentence_start, start) is not None


@text_cache(maxsize=64)
def _text_roles(text: str) -> tuple[str, ...]:
    """Role phrases ("senior backend engineer") of ``text``: those on a line of their own (a
    list of openings) or in a sentence about hiring; every one when there are none such.

    Cached: :func:`role_families` and :func:`seniority` both read the same post."""
    text = without_links(text)
    lowered = text.lower()
    # Lower-casing keeps positions unless the text has letters such as "İ"; then the phrases
    # come from the lower-cased text, which the case-insensitive rules read the same.
    source = text if len(lowered) == len(text) else lowered
    chosen, others = [], []
    for noun in _JOB_NOUN.finditer(lowered):
        start = _phrase_start(lowered, noun.start())
        phrase = " ".join(source[start : noun.end()].split())
        if _listed(lowered, start, noun.end()) or _after_cue(lowered, noun.start()):
            chosen.append(phrase)
        else:
            others.append(phrase)
    return tuple(chosen or others)


def role_families(roles: list[str], text: str = "") -> list[str]:
    """The families of the jobs a post offers, each once, in order of first mention.

    Read from the role titles of the header; from the role phrases of ``text`` when no title
    names a job; ``["other"]`` when nothing names one."""
    families = [family for title in roles for family in _title_families(title)]
    if not families and text:
        families = [family for phrase in _text_roles(text) for family in _title_families(phrase)]
    return list(dict.fromkeys(families)) or ["other"]


# --- seniority ---------------------------------------------------------------------------

# One pattern, a named group per level ("all" is "all levels"): a title is read in one scan.
# Every level's words start at a word boundary; the "\b" in front says so once, so that the
# engine tries no level inside a word.
_LEVEL_WORDS = _words(
    r"\b(?:"
    + "|".join(
        f"(?P<{level}>{pattern})"
        for level, pattern in (
            ("intern", r"\binterns?\b|\binternships?\b|\bco-?op\b|\bwerkstudent"),
            (
                "junior",
                r"\bjunior\b|\bjr\b\.?|\bentry[\s-]level\b|\bnew[\s-]grads?\b|\bgraduates?\b|"
                r"\bearly[\s-]career\b|\b(?:engineer|swe|sde|developer)\s+(?:i|1)\b(?!\s*[/-])|"
                r"\bassociate\s+(?:software\s+)?(?:engineer|developer|product\s+manager)\b",
            ),
            (
                "mid",
                r"\bmid(?:dle)?(?:[\s-]?level)?\b(?!-(?:size|stage|market|term|west|town))|"
                r"\bintermediate\b|"
                r"\b(?:engineer|swe|sde|developer)\s+(?:ii|2)\b",
            ),
            (
                "senior",
                r"\bsenior\b|\bsr\b\.?|\bsnr\b|\b(?:engineer|swe|sde|developer)\s+(?:iii|3)\b|"
                r"\bexperienced\b",
            ),
            (
                "staff",
                r"(?<!technical\s)\bstaff\b(?!\s+(?:accountant|scientist))|\bprincipal\b|"
                r"\bdistinguished\b",
            ),
            (
                "lead",
                r"\blead\b(?!\s+(?:generation|gen))|\bleads\b|\btech\s*lead|\bteam\s+lead|"
                r"\bhead\s+of\b|\bdirector\b|\bvp\b|\bvice\s+president\b|\bcto\b|"
                r"\bchief\s+\w+\s+officer\b|"
                r"\b(?:engineering|(?<!business\s)development|software|team|eng)\s+managers?\b|"
                r"\bmanager,?\s+(?:of\s+)?(?:software\s+)?engineering\b",
            ),
            ("all", r"\ball\s+(?:experience\s+)?levels\b|\bany\s+level\b|\bevery\s+level\b"),
        )
    )
    + ")"
)
_ALL_LEVELS_MEANS = ("junior", "mid", "senior")
# Required experience: "5+ years", "at least 3 years", "3-5 years", "4 years of experience",
# "7+ YOE".  Found from the word "years", then read backwards: scanning a post for the word is
# far quicker than trying the whole pattern at every position.
_YEAR_WORD = starting_with("y", r"(?<![a-z])(?:years?|yrs?|yoe)(?![a-z])")
_YEARS_BEFORE = re.compile(
    r"(?:(?:at\s+least|minimum(?:\s+of)?|min\.?|over|more\s+than)\s+(?P<least>\d{1,2})|"
    r"(?<![\d.$€£])(?P<plus>\d{1,2})\s*\+|(?<![\d.$€£])(?P<low>\d{1,2})\s*(?:-|–|to)\s*\d{1,2}|"
    r"(?<![\d.$€£])(?P<bare>\d{1,2}))\s*$"
)
_EXPERIENCE_AFTER = re.compile(r"\s+(?:of\s+)?(?:[a-z-]+\s+){0,2}?(?:experience|exp)\b")
_YEARS_WINDOW = 24
SENIOR_YEARS = 5
MID_YEARS = 2


def _years_level(years: int) -> str:
    if years >= SENIOR_YEARS:
        return "senior"
    if years >= MID_YEARS:
        return "mid"
    return "junior"


@text_cache(maxsize=4096)
def _title_levels(title: str) -> tuple[str, ...]:
    levels: list[str] = []
    for word in _LEVEL_WORDS.finditer(title.lower()):
        levels.extend(_ALL_LEVELS_MEANS if word.lastgroup == "all" else (word.lastgroup or "",))
    return tuple(dict.fromkeys(levels))


def _experience_levels(text: str) -> list[str]:
    """Levels stated as required years of experience."""
    lowered = text.lower()
    levels = []
    for word in _YEAR_WORD.finditer(lowered):
        number = _YEARS_BEFORE.search(lowered[max(0, word.start() - _YEARS_WINDOW) : word.start()])
        if number is None:
            continue
        # A bare "10 years" may be the company's age: only "N years of experience" counts.
        if number["bare"] and not _EXPERIENCE_AFTER.match(lowered, word.end()):
            continue
        years = number["least"] or number["plus"] or number["low"] or number["bare"]
        levels.append(_years_level(int(years)))
    return levels


# A field that only states levels is short ("Mid-Level & Senior"); longer ones are skipped
# unread, and the short ones repeat from post to post, so their levels come from the cache.
_LONGEST_LEVEL_FIELD = 40
_HEADER_FIELD_SPLIT = starting_with(r"\s|•·", r"(?:(?<!\s)\s+)?[|•·]\s*|(?<!\s)\s+[-–—]\s+")
# What a header field that only states levels ("Mid-Level & Senior", "Senior+") may hold
# besides them.
_LEVEL_FIELD_FILLER = _words(
    r"\b(?:levels?|roles?|positions?|engineers?|and|or|all)\b|[\s&/,+().-]"
)


def _header_levels(text: str) -> list[str]:
    """Levels stated by a header field of their own: "Acme | Engineer | Mid-Level & Senior"."""
    header = text.lstrip().split("\n", 1)[0]
    levels = []
    for field in _HEADER_FIELD_SPLIT.split(header):
        if len(field) > _LONGEST_LEVEL_FIELD:
            continue
        found = _title_levels(field)
        if found and not _LEVEL_FIELD_FILLER.sub("", _LEVEL_WORDS.sub("", field.lower())):
            levels.extend(found)
    return levels


def seniority(roles: list[str], text: str = "") -> list[str]:
    """The levels a post states, in :data:`SENIORITY` order; [] when it states none.

    Read from the role titles; where they state no level, from the role phrases of ``text``
    ("we're looking for a senior engineer") and from the experience it asks for."""
    levels = [level for title in roles for level in _title_levels(title)]
    if not levels and text:
        levels = _header_levels(text)
    if not levels and text:
        levels = [level for phrase in _text_roles(text) for level in _title_levels(phrase)]
        if not levels:
            levels = _experience_levels(text)
    return _ordered(levels, SENIORITY)


# --- comparing with reference labels ----------------------------------------------------------

#: Gemini Flash Lite's ``role`` values (../shared/real-hn) as our families.
GEMINI_ROLE_FAMILIES = {
    "Software Engineer": "software",
    "Senior Software Engineer": "software",
    "Staff Engineer": "software",
    "Principal Engineer": "software",
    "Product Engineer": "software",
    "Full Stack Engineer": "fullstack",
    "Backend Engineer": "backend",
    "Frontend Engineer": "frontend",
    "Mobile Engineer": "mobile",
    "DevOps / SRE": "devops",
    "AI Engineer": "ml",
    "ML Engineer": "ml",
    "Data Scientist": "data",
    "Data Engineer": "data",
    "Product Manager": "product",
    "Designer": "design",
    "Engineering Manager": "management",
    "Other": "other",
}
#: Gemini Flash Lite's ``experience_level`` values as our levels (None: not stated).
GEMINI_LEVELS: dict[str, str | None] = {
    "Junior": "junior",
    "Mid": "mid",
    "Senior": "senior",
    "Not specified": None,
}


def gemini_role_family(role: str | None) -> str:
    """Our family for a Gemini ``role`` label; ``other`` for a label it does not list."""
    return GEMINI_ROLE_FAMILIES.get((role or "").strip(), "other")


def gemini_seniority(level: str | None) -> str | None:
    """Our level for a Gemini ``experience_level`` label; None for "Not specified"."""
    return GEMINI_LEVELS.get((level or "").strip())


def as_gemini_level(levels: list[str]) -> str | None:
    """Our levels read the way Gemini's single label is: the highest of junior, mid and
    senior, where interns count as junior and staff and lead as senior; None for none."""
    collapsed = {"intern": "junior", "staff": "senior", "lead": "senior"}
    ranked = [collapsed.get(level, level) for level in levels]
    for level in ("senior", "mid", "junior"):
        if level in ranked:
            return level
    return None


def reference_levels(values: Iterable[str]) -> list[str]:
    """Our levels for free-text seniority labels such as gpt-4o-mini's ("Sr.", "Mid-Level",
    "5+ years", "Principal"), read with the same rules as a title."""
    levels: list[str] = []
    for value in values:
        levels.extend(_title_levels(value) or _experience_levels(value))
    return _ordered(levels, SENIORITY)
