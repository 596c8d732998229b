"""Parse a "Who is hiring?" post into structured fields.

Posters are asked to start with a line like
``Company | Role | Location | REMOTE / ONSITE | Salary | URL`` but separators, order and
spelling vary.  This module reads that header for the company and the job titles (and the
company from the body when the header names none); each other field has a module of its own,
which reads the header first and the body where the header is silent:

* places (:mod:`~hn_assets.hackernews.places`): display names, GeoNames cities, ISO countries,
  and the regions a remote role is open to;
* work mode (:mod:`~hn_assets.hackernews.work_mode`): remote, hybrid, onsite, any of them;
* salary (:mod:`~hn_assets.hackernews.salary`): the figures as stated, their currency and
  period, the same per year, and whether equity is offered;
* technologies (:mod:`~hn_assets.hackernews.technologies`), role families and stated
  seniority (:mod:`~hn_assets.hackernews.roles`);
* visa notes, employment types, URLs and e-mail addresses here.

Any text parses, and in time linear in its length: posts are untrusted, and one crafted post
must not stall a month's run.  Patterns are written so that no run of characters is rescanned
from each position inside it (see _LEADING_SPACE); tests/hn/test_headers.py times hostile input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from hn_assets.hackernews.patterns import starting_with
from hn_assets.hackernews.places import (
    find_post_places,
    has_place,
    only_places,
    remote_regions,
)
from hn_assets.hackernews.roles import role_families, seniority
from hn_assets.hackernews.salary import Salary, mentions_equity, parse_salary
from hn_assets.hackernews.technologies import find_technologies
from hn_assets.hackernews.text_caches import text_cache
from hn_assets.hackernews.work_mode import work_mode


@dataclass
class PostHeader:
    company: str | None
    roles: list[str] = field(default_factory=list)
    role_families: list[str] = field(default_factory=list)
    seniority: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    location_cities: list[str] = field(default_factory=list)
    location_countries: list[str] = field(default_factory=list)
    remote_regions: list[str] = field(default_factory=list)
    remote: bool = False
    onsite: bool = False
    hybrid: bool = False
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    salary_yearly_min: float | None = None
    salary_yearly_max: float | None = None
    equity: bool = False
    visa: bool | None = None
    employment_types: list[str] = field(default_factory=list)
    technologies: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


# --- employment type, visa -----------------------------------------------------------------

_EMPLOYMENT_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("full-time", starting_with("fp", r"\bfull[\s-]?time\b|\bFTE?\b|\bpermanent\b", re.I)),
    ("part-time", starting_with("p", r"\bpart[\s-]?time\b", re.IGNORECASE)),
    (
        "contract",
        starting_with("cf", r"\bcontract(?:or|ors|-to-hire)?\b|\bfreelance\b|\bC2H\b", re.I),
    ),
    ("internship", starting_with("ic", r"\bintern(?:s|ship|ships)?\b|\bco-?op\b", re.I)),
)

_VISA_NO = starting_with(
    "nwcudsvai",
    r"\bno\s+(?:visa\s+)?sponsorship\b|\bno\s+visas?\b|\b(?:can(?:not|'t)|unable\s+to|"
    r"(?:are|is)\s+not\s+able\s+to|do(?:es)?\s+not|don't|won't|will\s+not)\s+sponsor\b|"
    r"\bwithout\s+(?:visa\s+)?sponsorship\b|\bsponsorship\s+(?:is\s+)?not\s+(?:available|offered|possible)\b|"
    r"\bvisa\s*:\s*no\b|\bno\s+H-?1B\b",
    re.IGNORECASE,
)
_VISA_YES = starting_with(
    "vswhr",
    r"\bvisa\s+sponsorship\b|\bsponsor(?:s|ing)?\s+(?:work\s+)?visas?\b|\bwill\s+sponsor\b|"
    r"\bvisas?\s+(?:ok|okay|welcome|sponsored|provided|available)\b|\bH-?1B\s+(?:transfers?|sponsorship)\b|"
    r"\bvisa\s*:\s*yes\b|\brelocation\s+(?:and|&|\+)\s+visa\b|(?-i:(?<![\w-])VISA(?![\w-]))",
    re.IGNORECASE,
)


# Every visa pattern names one of these words; most posts name none, and checking for them is
# far cheaper than running the patterns, which must try their alternatives at every position.
_VISA_WORDS = ("visa", "sponsor", "h1b", "h-1b")


def _visa(text: str) -> bool | None:
    lowered = text.lower()
    if not any(word in lowered for word in _VISA_WORDS):
        return None
    if _VISA_NO.search(text):
        return False
    if _VISA_YES.search(text):
        return True
    return None


# --- urls, e-mails ---------------------------------------------------------------------

_URL_RE = starting_with("h", r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
# Both look-behinds hold every character a local part may contain: a match then starts only at
# the beginning of a run of them, never inside it (which made long runs quadratic).
_EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)
# "jobs [at] acme [dot] com", "jobs (at) acme.com", "jobs at acme dot com".  Whitespace is
# matched by one quantifier at a time: "\s*" next to "\s+" would try every way of sharing a
# long run of spaces between them.
_OBFUSCATED_EMAIL_RE = re.compile(
    r"(?<![\w.%+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]*)"
    r"(?:\s*(?:\[at\]|\(at\)|\{at\})\s*|\s+at\s+)"
    r"(?P<domain>[A-Za-z0-9-]+(?:(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|\.)\s*|\s+dot\s+)[A-Za-z0-9-]+)+)",
    re.IGNORECASE,
)
# Leading whitespace is written _LEADING_SPACE (or "(?<!\s)\s+"): taken whole from the start of
# its run, never from inside it.  A plain "\s*" before a separator is tried from every position
# in a run of spaces and rescans the run from each, which makes a long run quadratic; the
# matches found are the same, since a match that starts inside a run could start at its start.
_LEADING_SPACE = r"(?:(?<!\s)\s+)?"
_DOT_RE = re.compile(
    rf"{_LEADING_SPACE}(?:\[dot\]|\(dot\)|\{{dot\}})\s*|(?<!\s)\s+dot\s+", re.IGNORECASE
)


# The "at" of an obfuscated address: the word, in brackets ("[at]") or between whitespace,
# which _obfuscated_emails tells apart.  Found by its letters first: the engine then skips
# ahead to the next "a", where a pattern opening with whitespace was tried at every space.
_AT_WORD = re.compile(r"[aA][tT](?<=[\s\[({]..)(?=[\s\])}])")
# What the local part's [A-Za-z0-9._%+-] matches under IGNORECASE: the ASCII ones, plus "İ",
# "ı", "ſ" and the Kelvin sign, which case-fold to ASCII letters (a test checks every character).
_LOCAL_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-\u0130\u0131\u017f\u212a"
)


def _obfuscated_emails(text: str) -> list[re.Match[str]]:
    """``list(_OBFUSCATED_EMAIL_RE.finditer(text))``, trying the pattern only where it can start.

    A match is a run of local-part characters, optional whitespace, then its "at": so it can
    only start where that run starts, found by walking back from each "at".  Running the
    pattern from every position of a long post costs far more than these few tries.
    """
    matches: list[re.Match[str]] = []
    end = 0  # where the previous match ended: finditer never starts one before it
    at = _AT_WORD.search(text)
    while at is not None:
        start = at.start() - 1
        if text[start].isspace() != text[at.end()].isspace():  # "[at " and " at]" are neither
            at = _AT_WORD.search(text, at.end())
            continue
        while start > 0 and text[start - 1].isspace():
            start -= 1
        while start > 0 and text[start - 1] in _LOCAL_CHARS:
            start -= 1
        # Inside the run every position follows a local-part character, which the pattern's
        # look-behind rejects; so does the position right after a match (a domain character).
        match = _OBFUSCATED_EMAIL_RE.match(text, start) if start >= end else None
        if match is not None:
            matches.append(match)
            end = match.end()
            at = _AT_WORD.search(text, end)
        else:
            at = _AT_WORD.search(text, at.end())
    return matches


def find_urls(text: str) -> list[str]:
    if "://" not in text:  # every URL the pattern takes has one
        return []
    urls: list[str] = []
    # "[https://a.example](https://a.example/)" is markdown, which HN shows as typed; "](" is
    # never part of a URL, so it holds two.
    for found in _URL_RE.finditer(text):
        whole = found.group(0)
        urls += _url_pieces(whole) if "](" in whole else (whole,)
    return _unique([_trimmed_url(url) for url in urls])


def _url_pieces(text: str) -> list[str]:
    return [piece for piece in text.split("](") if _URL_RE.match(piece)]


def _trimmed_url(candidate: str) -> str:
    url = candidate.rstrip(".,;:!?")
    # Keep a closing bracket only when the URL itself opened one ("...wiki/Foo_(bar)").
    # Counted once, not per stripped character: a URL may end in thousands of them.
    unmatched = {")": url.count(")") - url.count("("), "]": url.count("]") - url.count("[")}
    end = len(url)
    while end and url[end - 1] in unmatched and unmatched[url[end - 1]] > 0:
        unmatched[url[end - 1]] -= 1
        end -= 1
    return url[:end]


def find_emails(text: str) -> list[str]:
    """Addresses in order of appearance, including "jobs [at] acme [dot] com" spellings."""
    found = (
        [(m.start(), m.group(0).rstrip(".")) for m in _EMAIL_RE.finditer(text)]
        if "@" in text
        else []
    )
    for match in _obfuscated_emails(text):
        domain = _DOT_RE.sub(".", match["domain"]).replace(" ", "")
        tld = domain.rsplit(".", 1)[-1]
        # "at" is an ordinary word: only accept it when the result looks like a domain.
        if "." in domain and tld.isalpha() and 2 <= len(tld) <= 6 and tld.lower() == tld:
            found.append((match.start(), f"{match['local']}@{domain}".lower()))
    return _unique([email for _, email in sorted(found)])


# --- header fields ---------------------------------------------------------------------

_FIELD_SPLIT = starting_with(
    r"\s|•·¦‖;/", rf"{_LEADING_SPACE}(?:\||•|·|¦|‖|;|\s/\s|(?<=[^\s/])/\s|\s-\s|\s–\s|\s—\s)\s*"
)
# Nouns that name a job: a piece of a role field without one only qualifies its neighbour.
_JOB_NOUNS = (
    r"engineers?|developers?|scientists?|designers?|managers?|architects?|analysts?|"
    r"researchers?|SREs?|programmers?|interns?|recruiters?|writers?|head\s+of|director|"
    r"VP|CTO|devops|positions|roles|artists?|technicians?|specialists?|"
    r"consultants?|administrators?|SWEs?|PMs?"
)
_ROLE_NOUNS = re.compile(rf"\b(?:{_JOB_NOUNS}|advocates?)\b", re.IGNORECASE)
# A field that names any of these is about the role: the job nouns, and the words that
# qualify one ("Senior Backend", "Founding", "Data").  Only the singular "advocate": a header
# line run into its prose says "we are advocates for ...", which is no role.
_ROLE_WORDS = re.compile(
    rf"\b(?:{_JOB_NOUNS}|advocate|engineering|devs?|leads?|CEO|COO|product|marketing|sales|"
    r"support|operations|ops|QA|full[\s-]?stack|front[\s-]?end|back[\s-]?end|mobile|iOS|"
    r"Android|ML|data|staff|founding|principal|hiring|roles?|positions?|associate|"
    r"coordinator|accountant|counsel|partner)\b",
    re.IGNORECASE,
)
_ROLE_PREFIX = re.compile(
    r"^(?:(?:we\s+are\s+|we're\s+)?hiring\s*:?|roles?\s*:|positions?\s*:|multiple\s+roles?\s*:?|"
    r"open\s+roles?\s*:|several\s+roles?\s*:?)\s*",
    re.IGNORECASE,
)
_ROLE_SPLIT = re.compile(rf"{_LEADING_SPACE}(?:,\s*(?:and\s+)?|\+\s*)|(?<!\s)\s+(?:and|&)\s+")
# Bounded: many "(YC" with no ")" after them would each rescan to the end otherwise.
_COMPANY_SUFFIX = re.compile(
    rf"{_LEADING_SPACE}\((?:YC|Y\s?Combinator)[^)]{{0,200}}\)\s*$", re.IGNORECASE
)
_COMPANY_PREFIX = re.compile(r"^(?:company|employer)\s*:\s*", re.IGNORECASE)
# "Acme is hiring", "Acme (acme.com) is still looking for", "Acme just raised": a header that
# is a sentence names the company as its subject. The subject must start with a capital and
# be short; a pronoun or a greeting is no company.
# Possessive quantifiers: a long run of spaces must not be split every possible way.
_SENTENCE_COMPANY = re.compile(
    r"^(?P<company>[A-Z0-9][\w.&'’-]*+(?:[ \t]++[\w.&'’-]++){0,4}?)(?:[ \t]*+\([^()]{0,80}\))?"
    r"[ \t]*+[,-]?[ \t]*+(?<=[\s,-])(?:is|are|just|has|have|seeks|builds|makes|helps|was)\b"
)
_NOT_A_SUBJECT = re.compile(
    r"^(?:we|our|i|this|it|there|that|here|hiring|hi|hello|hey|everyone|remote|who|what|if|"
    r"when|as|you|your|my|all|careers?|apply|join|please|note|also|about|location|salary|"
    r"compensation|benefits|tl|tldr)\b",
    re.IGNORECASE,
)
_THE = re.compile(r"^the\s+", re.IGNORECASE)
# "Founding Engineer @ Acme", "Senior Engineer at Acme": a role field that names its company.
_ROLE_AT_COMPANY = re.compile(
    r"^(?P<role>.*\S)\s++(?:@|at)\s++"
    r"(?P<company>[A-Z0-9][\w.&'’-]*+(?:[ \t]++[A-Z0-9][\w.&'’-]*+){0,3})\s*+$"
)
# "Acme:" or "Company: Acme (acme.com)" as the whole first line.
_LABEL_COMPANY = re.compile(
    r"^(?P<company>[A-Z0-9][\w.&'’-]*+(?:[ \t]++[\w.&'’-]++){0,3})[ \t]*+:\s*+$"
)
_ARRANGEMENT_ONLY = re.compile(
    r"^(?:(?:full|part)[\s-]?time|remote|onsite|on[\s-]site|hybrid|contract(?:or)?|intern(?:ship)?s?|"
    r"visa|relocation|equity|salary|[\s,/&()+-]|us|eu|ok|only|friendly|first|fully|full|100%|"
    r"hiring|seeking|work|freelancers?)+$",
    re.IGNORECASE,
)


_BARE_DOMAIN = re.compile(r"(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?")
_SYMBOL_AMOUNT = re.compile(r"[$€£]\s?\d")
_DIGIT = re.compile(r"\d")
# Every alternative of _VISA_YES and _VISA_NO names one of these (matched the same way, with
# IGNORECASE); searching for them first spares running both patterns on most fields.
_VISA_WORD = re.compile(r"visa|sponsor|h-?1b", re.IGNORECASE)


# A header's first field is classified twice when it is not the company's name (once to
# ask whether it is, once as any other field), and a month's posts share many fields
# ("Remote", "Full-time"); the answer depends on the text alone.
@text_cache(maxsize=4096)
def _field_kind(text: str) -> str:
    # The cheap checks in front only skip patterns that need what they look for: "://" for a
    # URL, "." for a bare domain, "@" for an address, a digit for any amount.
    if ("://" in text and _URL_RE.search(text)) or ("." in text and _BARE_DOMAIN.fullmatch(text)):
        return "url"
    if "@" in text and _EMAIL_RE.search(text):
        return "email"
    if _DIGIT.search(text) and (parse_salary(text) is not None or _SYMBOL_AMOUNT.search(text)):
        return "salary"
    if _ARRANGEMENT_ONLY.fullmatch(text) or (
        _VISA_WORD.search(text) and (_VISA_YES.search(text) or _VISA_NO.search(text))
    ):
        return "flags"
    has_role_word = _ROLE_WORDS.search(text) is not None
    if not has_role_word and has_place(text, company_first=False):
        return "location"
    if has_role_word:
        return "role"
    return "other"


_ROLE_COUNT = re.compile(
    rf"{_LEADING_SPACE}\((?:multiple|several|many|\d+)\s*(?:roles|positions|openings)?\)\s*$",
    re.IGNORECASE,
)


def _split_roles(text: str) -> list[str]:
    text = _ROLE_PREFIX.sub("", text).strip(" :-")
    text = _ROLE_COUNT.sub("", text)
    pieces = [piece.strip(" .:") for piece in _ROLE_SPLIT.split(text) if piece.strip(" .:")]
    # "Senior, Staff Engineer" shares its noun with the next piece and "Software Engineer,
    # Backend" qualifies the previous one: a piece without a job noun is not a role of its own.
    if not all(_ROLE_WORDS.search(piece) for piece in pieces):
        return [text] if text else []
    roles: list[str] = []
    for piece in pieces:
        if roles and not _ROLE_NOUNS.search(piece) and _ROLE_NOUNS.search(roles[-1]):
            roles[-1] = f"{roles[-1]}, {piece}"
        else:
            roles.append(piece)
    if len(roles) > 1 and not _ROLE_NOUNS.search(roles[0]):
        return [text]  # "Backend, Frontend Engineer"
    return roles


def _could_be_company(first: str) -> bool:
    return (
        _field_kind(first) not in ("salary", "flags")
        and not only_places(first)
        and not _ROLE_NOUNS.search(first)
    )


def _read_fields(fields: list[str]) -> tuple[str | None, list[str], list[str]]:
    """(company, roles, location-like fields) of a header of several fields."""
    company: str | None = None
    rest = fields
    if _could_be_company(fields[0]):
        company, rest = fields[0], fields[1:]
    roles: list[str] = []
    location_fields: list[str] = []
    for item in rest:
        kind = _field_kind(item)
        if kind == "role":
            roles.extend(_split_roles(item))
        elif kind == "other" and company is None and rest is fields and not only_places(item):
            company = item  # "San Francisco | Acme | Engineer"
        elif kind in ("location", "flags", "other"):
            location_fields.append(item)
    return company, roles, location_fields


def _sentence_company(text: str) -> str | None:
    """The subject of a header that is a sentence ("Acme is hiring ..."), if it is one."""
    found = _SENTENCE_COMPANY.match(text)
    if found is None or _NOT_A_SUBJECT.match(found["company"]):
        return None
    return _THE.sub("", found["company"]).strip() or None


def _single_field_company(header: str) -> str | None:
    labelled = _LABEL_COMPANY.match(_COMPANY_PREFIX.sub("", header))
    if labelled is not None and not _ROLE_NOUNS.search(labelled["company"]):
        return labelled["company"]
    if _COMPANY_PREFIX.match(header):
        return _COMPANY_PREFIX.sub("", header).split("(")[0].strip() or None
    return _sentence_company(header)


def _role_at_company(roles: list[str]) -> tuple[str | None, list[str]]:
    """The company named by a role ("Engineer @ Acme"), and the roles without it."""
    for index, role in enumerate(roles):
        found = _ROLE_AT_COMPANY.match(role)
        if found is not None:
            return found["company"], [*roles[:index], found["role"], *roles[index + 1 :]]
    return None, roles


_BARE_URL = re.compile(r"(?:https?://)?(?:www\.)?(?P<domain>[\w-]+(?:\.[\w-]+)+)/?", re.IGNORECASE)


def _domain_company(fields: list[str]) -> str | None:
    """A header that names its company only by its site ("acme.com | Engineer"): the domain."""
    for text in fields:
        site = _BARE_URL.fullmatch(text)
        if site is not None:
            return site["domain"]
    return None


def _header_fields(header: str) -> tuple[str | None, list[str], list[str]]:
    """(company, roles, location-like fields) of the header line."""
    fields = [f.strip() for f in _FIELD_SPLIT.split(header) if f.strip(" -")]
    if len(fields) > 1:
        company, roles, location_fields = _read_fields(fields)
        company = _sentence_company(fields[0]) or company
    else:
        # One field: "Acme is hiring engineers in Berlin", "Acme:", "Company: Acme".
        company = _single_field_company(header)
        roles, location_fields = [], [header]
    if company is None:
        company, roles = _role_at_company(roles)
    if company is None or _BARE_URL.fullmatch(company):
        company = _domain_company(fields) or company
    if company is not None:
        company = _COMPANY_SUFFIX.sub("", _COMPANY_PREFIX.sub("", company)).strip() or None
    return company, roles, location_fields


# Hosts that carry other companies' job pages (the company is the first path segment) or
# anyone's mail: neither names the poster's company by its domain.
_JOB_BOARDS = re.compile(
    r"^(?:jobs\.lever\.co|(?:job-)?boards\.greenhouse\.io|jobs\.ashbyhq\.com|apply\.workable\.com|"
    r"jobs\.gem\.com|wellfound\.com|angel\.co|(?:www\.)?ycombinator\.com|"
    r"[\w-]+\.recruitee\.com|jobs\.smartrecruiters\.com|[\w-]+\.breezy\.hr|[\w-]+\.bamboohr\.com)$",
    re.IGNORECASE,
)
_NOT_A_COMPANY_HOST = re.compile(
    r"(?:^|\.)(?:gmail|googlemail|yahoo|hotmail|outlook|live|icloud|proton(?:mail)?|pm|fastmail|"
    r"github|gitlab|linkedin|twitter|x|google|docs\.google|forms\.gle|bit|youtube|medium|"
    r"notion|airtable|typeform|calendly|news\.ycombinator|ycombinator|workatastartup|"
    r"wikipedia|arxiv)\.",
    re.IGNORECASE,
)
_HOST_PREFIX = re.compile(r"^(?:www|careers?|jobs|apply|join|work|hiring)\.", re.IGNORECASE)
_BOARD_PATH = re.compile(r"^/(?:companies/|company/)?(?P<name>[\w-]{2,60})", re.IGNORECASE)


def _company_of_address(address: str) -> str | None:
    """The company a job link or an e-mail address names: its domain, or the company's part
    of a job board's path."""
    try:
        url = urlsplit(address if "://" in address else f"mailto://{address.rpartition('@')[2]}")
    except ValueError:  # "https://[acme.example": a broken link names no company
        return None
    host = (url.hostname or "").lower()
    if _JOB_BOARDS.match(host):
        board = _BOARD_PATH.match(url.path)
        return board["name"] if board else None
    if not host or _NOT_A_COMPANY_HOST.search(host + "."):
        return None
    return _HOST_PREFIX.sub("", host)


def _company_from_body(text: str, urls: list[str], emails: list[str]) -> str | None:
    """For a header that names no company: the subject of a sentence near the start ("...!
    Acme is hiring"), else the first link or address that names one."""
    for sentence in _SENTENCE_START.finditer(text[:_BODY_COMPANY_CHARS]):
        company = _sentence_company(sentence["rest"])
        # In running text only a proper name counts: "If you are ..." has no company.
        if company is not None and all(
            word[0].isupper() or word[0].isdigit() for word in company.split()
        ):
            return company
    for address in sorted([*urls, *emails], key=lambda a: text.find(a) if a in text else len(text)):
        company = _company_of_address(address)
        if company:
            return company
    return None


# A lookahead, so that sentences inside one already read are still found.
_SENTENCE_START = re.compile(r"(?:^|(?<=[.!?:]\s))(?=(?P<rest>[A-Z0-9][^\n]{0,120}))")
_BODY_COMPANY_CHARS = 400


def _salary_fields(salary: Salary | None) -> dict[str, object]:
    if salary is None:
        return {}
    yearly_min, yearly_max = salary.yearly()
    return {
        "salary_min": salary.minimum,
        "salary_max": salary.maximum,
        "salary_currency": salary.currency,
        "salary_period": salary.period,
        "salary_yearly_min": yearly_min,
        "salary_yearly_max": yearly_max,
    }


def _remote_regions(header: str, scope: list[str]) -> list[str]:
    """Where a remote role is open to: as the header says, else as the phrases about remote
    work elsewhere in the post do (read by work_mode, so the body is not scanned twice)."""
    return remote_regions(header) or remote_regions(" ; ".join(f"remote {s}" for s in scope))


def parse_post_header(text: str) -> PostHeader:
    """Structured fields of a post; ``text`` is the clean text from :func:`html_to_text`."""
    stripped = text.strip()
    header, _, body = stripped.partition("\n")
    header = header.strip()
    company, roles, _ = _header_fields(header)
    urls, emails = find_urls(stripped), find_emails(stripped)
    if company is None:
        company = _company_from_body(stripped, urls, emails)
    roles = _unique(roles)
    places = find_post_places(stripped)
    mode = work_mode(header, body, names_place=bool(places.locations))
    salary = parse_salary(header, body)
    return PostHeader(
        company=company,
        roles=roles,
        role_families=role_families(roles, stripped),
        seniority=seniority(roles, stripped),
        locations=places.locations,
        location_cities=places.cities,
        location_countries=places.countries,
        remote_regions=_remote_regions(header, mode.remote_scope) if mode.remote else [],
        remote=mode.remote,
        onsite=mode.onsite,
        hybrid=mode.hybrid,
        **_salary_fields(salary),  # type: ignore[arg-type]
        equity=bool(salary and salary.equity) or mentions_equity(stripped),
        visa=_visa(stripped),
        employment_types=[name for name, pattern in _EMPLOYMENT_TYPES if pattern.search(header)],
        technologies=find_technologies(stripped),
        urls=urls,
        emails=emails,
    )
