"""Pay stated in a "Who is hiring?" post: its range, currency, period, and whether equity is on
offer.

Posters write pay in many ways: "$150k-$200k", "150-200k", "€80.000–95.000", "CHF 120'000",
"$90/hr", "£5k/month", "₹40L–₹70L", "12 LPA", "up to $180k", "$200k+".  Posts also name sums
that are no pay at all (funding rounds, revenue, valuations, user counts, years), so a figure
counts only when it is shaped like pay or sits next to a word about pay:

* a figure with a currency and a range ("$150k - $200k"), a period ("$90/hr") or an open end
  ("up to $180k", "$200k+") is pay, unless a word beside it says what else it is ("raised
  $20M", "$20M Series A", "$5k signing bonus", "£100K options");
* so is, in a header or a body line shaped like one ("Engineer | Remote | ..."), a figure in
  thousands with a currency ("$150k") or a range in thousands without one ("150-200k");
* any other figure needs a pay word near it on its line ("Base: $140k"); without a currency it
  needs thousands and a word that leaves no doubt ("Salary range (120-180K)");
* every figure must be plausible pay for its period and currency.

The header is read first; the body only when the header names no pay.  Where a post names
several figures (one per role), the result spans the lowest and highest of those that share the
most common period and currency, so one odd figure in another currency does not stretch it.

Any text is read in time linear in its length: the figure pattern starts only at a digit (the
regex engine skips to those cheaply), every repetition in it is bounded, the context around a
figure is read from slices of fixed size, and a text naming hundreds of sums is read no further.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

__all__ = [
    "PERIODS_PER_YEAR",
    "Salary",
    "mentions_equity",
    "parse_salary",
    "salary_agrees",
    "salary_band_agrees",
]

# How many of each period make a year: 40 hours a week, 5 days a week, 52 weeks.
PERIODS_PER_YEAR: dict[str, int] = {"year": 1, "month": 12, "week": 52, "day": 260, "hour": 2080}


@dataclass(frozen=True)
class Salary:
    minimum: float | None
    maximum: float | None
    # ISO 4217 code, or None when the post names no currency ("150-200k").
    currency: str | None
    period: str = "year"
    # Equity (stock options, RSUs, ESOP...) is mentioned: kept apart from the figures.
    equity: bool = False

    def yearly(self) -> tuple[float | None, float | None]:
        """(minimum, maximum) for a year's work, in the stated currency."""
        factor = PERIODS_PER_YEAR[self.period]
        low = self.minimum * factor if self.minimum is not None else None
        high = self.maximum * factor if self.maximum is not None else None
        return low, high


# --- currencies -----------------------------------------------------------------------------

_SYMBOLS: dict[str, str] = {
    "US$": "USD",
    "USD$": "USD",
    "CA$": "CAD",
    "CAD$": "CAD",
    "C$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "AUD$": "AUD",
    "NZ$": "NZD",
    "S$": "SGD",
    "SG$": "SGD",
    "HK$": "HKD",
    "R$": "BRL",
    "MX$": "MXN",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₪": "ILS",
    "₩": "KRW",
    "₱": "PHP",
    "₴": "UAH",
    "₺": "TRY",
    "zł": "PLN",
    "Rs.": "INR",
    "Rs": "INR",
}
_CODES = [
    "USD",
    "EUR",
    "GBP",
    "CAD",
    "AUD",
    "NZD",
    "CHF",
    "SEK",
    "NOK",
    "DKK",
    "ISK",
    "PLN",
    "CZK",
    "HUF",
    "RON",
    "BGN",
    "INR",
    "JPY",
    "CNY",
    "RMB",
    "SGD",
    "HKD",
    "ILS",
    "BRL",
    "MXN",
    "ZAR",
    "AED",
    "TRY",
    "UAH",
    "KRW",
    "TWD",
    "NGN",
    "KES",
    "ARS",
    "COP",
    "CLP",
    "IDR",
    "MYR",
    "THB",
    "VND",
    "EGP",
]
_CODE_ALIASES = {"RMB": "CNY", "CDN": "CAD"}
_NAMES: dict[str, str] = {
    "dollars": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "pounds": "GBP",
    "francs": "CHF",
    "rupees": "INR",
    "yen": "JPY",
    "kronor": "SEK",
    "zloty": "PLN",
}
# Rough units per US dollar, to scale what is plausible pay; an order of magnitude is enough.
_SCALE: dict[str, float] = {
    "SEK": 10,
    "NOK": 10,
    "DKK": 7,
    "ISK": 130,
    "PLN": 4,
    "CZK": 23,
    "HUF": 350,
    "RON": 4.5,
    "BGN": 1.8,
    "INR": 80,
    "JPY": 150,
    "CNY": 7,
    "HKD": 8,
    "ILS": 3.7,
    "BRL": 5,
    "MXN": 18,
    "ZAR": 18,
    "AED": 3.7,
    "TRY": 30,
    "UAH": 40,
    "KRW": 1300,
    "TWD": 30,
    "NGN": 1500,
    "KES": 130,
    "ARS": 900,
    "COP": 4000,
    "CLP": 900,
    "IDR": 15000,
    "MYR": 4.5,
    "THB": 35,
    "VND": 24000,
    "EGP": 48,
    "PHP": 56,
}


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_SYMBOL_RE = _alternation(list(_SYMBOLS))
_CODE_RE = _alternation(_CODES + list(_CODE_ALIASES))
_NAME_RE = _alternation(list(_NAMES))

# --- the figure pattern ---------------------------------------------------------------------

# A number: "150", "1.5", "150,000", "80.000", "120'000", "120 000".  The first digit comes
# first and alone so the engine can skip to digits; the look-behind makes it a number's first.
_NUMBER_REST = (
    r"(?:\d{0,2}(?:[,.'’\u00a0\u202f ]\d{3}){1,4}(?!\d)(?:\.\d{1,2})?|\d{0,6}(?:[.,]\d{1,2})?)"
)
_MULTIPLIER = r"(?:[kK]|mm|MM|[mM]|L|LPA|lakhs?|lacs?|Cr|crores?)(?![A-Za-z])"
_CURRENCY_AFTER = rf"(?:{_CODE_RE})(?![A-Za-z])|{_SYMBOL_RE}|(?i:{_NAME_RE})\b"
_UNIT = r"(?P<unit>hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mos?|mth|m|years?|yrs?|y|annum)\b"
_ADVERB = r"(?P<adverb>hourly|daily|weekly|monthly|annually|annual|yearly|p\.a\.|pa|LPA)\b"
# Most numbers in a post are no money ("2023", "5 years", "3 roles"); the first digit passes
# this gate only after a currency or before what money is written with, so the engine drops
# the others at once.
_SYMBOL_CHARS = "$€£¥₹₪₩₱₴₺"
_GATE = rf"""
    (?:
        (?<=[{_SYMBOL_CHARS}(~]\d)|(?<=[{_SYMBOL_CHARS}(~]\s\d)|(?<=[A-Z]{{3}}\d)|(?<=[A-Z]{{3}}\s\d)
        |(?<=Rs\d)|(?<=Rs\s\d)|(?<=Rs\.\d)|(?<=Rs\.\s\d)|(?<=zł\s\d)
        |(?=\d{{4}}|\d{{0,2}}[,.'’\u00a0\u202f\ ]\d{{3}})
        |(?={_NUMBER_REST}\s?(?:[kKmMLC]|l(?:akh|ac)|cr|[-–—~/+)({_SYMBOL_CHARS}]|to\s|[A-Z]{{3}}
            |(?i:euros?|dollars|pounds|francs|rupees|yen|kronor|zloty)
            |(?i:per|an?|each)\s|(?i:hourly|daily|weekly|monthly|annually|annual|yearly|pa\b|p\.a\.)))
    )
"""
_FIGURE = re.compile(
    rf"""
    (?P<n1>\d(?<![a-z\d_.,'’]\d){_GATE}{_NUMBER_REST})
    (?:\s?(?P<m1>{_MULTIPLIER}))?(?P<cur1>{_SYMBOL_RE})?
    (?P<open_q>\s?-\s?\?+)?
    (?:
        \s?(?:-|–|—|~|to)\s?
        (?:(?P<cur2>{_SYMBOL_RE}|(?:{_CODE_RE})\s)\s?)?[(~]?
        (?P<n2>\d{_NUMBER_REST})\)?
        (?:\s?(?P<m2>{_MULTIPLIER}))?
    )?
    (?P<plus>\+(?!\s?\d))?
    (?:\s?\(?(?P<cur_after>{_CURRENCY_AFTER})\)?)?
    (?P<period>
        \s?(?:/\s?|(?i:per|an?|each)\s)(?i:{_UNIT})
        |\s?(?i:{_ADVERB})
    )?
    (?:\s?\((?P<cur_last>{_CODE_RE})\))?
    """,
    re.VERBOSE,
)
# What may stand right before a figure: a currency, "up to", "from".
_BEFORE = re.compile(
    rf"(?:(?<![A-Za-z])(?P<code>{_CODE_RE})\s?)?(?P<symbol>{_SYMBOL_RE})?\s?(?:[(~±]|\+/-)?\s?$"
)
_UP_TO = re.compile(
    r"(?:\bup\s?to|\bmax(?:imum)?|\bunder|\bbelow|\bless\s+than|\bno\s+more\s+than|\bcapped\s+at)"
    r"\s*:?\s*(?:of\s+)?~?$",
    re.IGNORECASE,
)
_FROM = re.compile(
    r"(?:\bfrom|\bstart(?:s|ing)?\s+(?:at|from)|\bat\s+least|\bmin(?:imum)?|\bnorth\s+of|"
    r"\bover|\babove|\bupwards\s+of|\bmore\s+than|\bbeginning\s+at)\s*:?\s*~?$",
    re.IGNORECASE,
)

# Words about pay; a figure with a currency near one is pay if it is plausible.
_PAY_WORDS = re.compile(
    r"\b(?:salar(?:y|ies)|compensation|comp|pay(?:s|ing)?|paid|(?<!user\s)(?<!customer\s)base|"
    r"OTE|rates?|range|wages?|TC|package|earn(?:s|ing)?|gross|RAL|CTC|LPA|stipend|"
    r"remuneration|income)\b",
    re.IGNORECASE,
)
# Words about pay that leave no doubt: a figure without a currency near one is pay too.
_SALARY_WORDS = re.compile(
    r"\b(?:salar(?:y|ies)|compensation|comp|pay\s+range|base\s+(?:pay|salary)|OTE|TC|wages?|"
    r"RAL|CTC|LPA|stipend|remuneration)\b",
    re.IGNORECASE,
)
# Words that say a sum is something other than pay: before it ("raised $20M") and after it
# ("$20M Series A", "10k users", "£100K options").
_NOT_PAY_BEFORE = re.compile(
    r"\b(?:rais(?:e|ed|es|ing)|fund(?:ing|ed|s)?|revenues?|valuation|valued|worth|GMV|ARR|"
    r"MRR|AUM|invest\w*|grants?|prizes?|budgets?|allowance|bonus(?:es)?|credits?|"
    r"gifts?|donations?|spen[dt]|costs?|prices?|fees?|loans?|debt|sales|exits?|"
    r"acquired|sold|backed|seed|series|turnover|brings?\s+in|generat(?:e|es|ed|ing))\b",
    re.IGNORECASE,
)
_NOT_PAY_AFTER = re.compile(
    r"\b(?:rais(?:e|ed|es|ing)|fund(?:ing|ed|s)?|series|seed|rounds?|valuation|valued|worth|"
    r"revenues?|ARR|MRR|GMV|AUM|sales|profits?|users|customers|clients|members|downloads|"
    r"installs|stars|market|industry|invest\w*|backed|grants?|prizes?|budgets?|allowance|"
    r"bonus(?:es)?|signing|sign-on|referral|relocation|reimburs\w*|credits?|gifts?|"
    r"donations?|options|equity|stock|RSUs?|shares|tokens|exits?|acquired|acquisition|sold|"
    r"spen[dt]|costs?|prices?|pricing|fees?|loans?|debt|capital|assets|transactions|"
    r"payments|volume|processed|tracked|managed|trillion|billion|million|bn|mn|requests|"
    r"events|messages|rows|records|employees|people|companies|businesses|patients|students|"
    r"lives|hours|runway|deals?|contracts?|orders?|ebitda|insurance|premiums?|benefits?|"
    r"perks?|401k|pto|vacation|holidays?|equipment|stipends?|learning|education|wellness|"
    r"home\s+office|per\s+employee|commissions?|groceries|meals?|lunch|food|gym|phone|"
    r"internet|commut\w*|travel|books?|conferences?|"
    r"in\s+(?:annual|yearly|monthly|recurring|funding|"
    r"revenue|sales|financing|seed|venture|capital|assets|claims|loans|transactions))\b",
    re.IGNORECASE,
)
# What ends the clause a figure stands in, for the words said of it.
# A clause ends at a separator, a joining word, a sentence's end or a new "Label:".
_CLAUSE_BREAK = r"[|;+&\n()•·]|\b(?i:and|plus|with)\b|\s[-–—]\s|[,.]\s|\s[A-Z][A-Za-z]{1,20}:"
_CLAUSE_END = re.compile(_CLAUSE_BREAK)
_CLAUSE_START = re.compile(rf".*(?:{_CLAUSE_BREAK})", re.DOTALL)
_WINDOW_BEFORE = 60
_WINDOW_AFTER = 40
_CLAUSE_BEFORE = 30
_CLAUSE_AFTER = 30
# Calendar years, which are never pay without a currency.
_YEAR = re.compile(r"(?:19|20)\d\d$")

_MULTIPLIERS: dict[str, float] = {
    "k": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "l": 1e5,
    "lpa": 1e5,
    "lakh": 1e5,
    "lakhs": 1e5,
    "lac": 1e5,
    "lacs": 1e5,
    "cr": 1e7,
    "crore": 1e7,
    "crores": 1e7,
}
_INDIAN = frozenset({"l", "lpa", "lakh", "lakhs", "lac", "lacs", "cr", "crore", "crores"})
_UNIT_PERIODS = {"h": "hour", "d": "day", "w": "week", "m": "month", "y": "year", "a": "year"}
_ADVERBS = {
    "hourly": "hour",
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "annually": "year",
    "annual": "year",
    "yearly": "year",
    "p.a.": "year",
    "pa": "year",
    "lpa": "year",
}
# Plausible pay per period, in US dollars or as many units of another currency as buy one.
_BOUNDS: dict[str, tuple[float, float]] = {
    "hour": (7, 1_500),
    "day": (50, 10_000),
    "week": (250, 40_000),
    "month": (300, 150_000),
    "year": (8_000, 1_500_000),
}


@dataclass(frozen=True)
class _Figure:
    low: float | None
    high: float | None
    currency: str | None
    period: str
    position: int


@dataclass(frozen=True)
class _Reading:
    """A matched figure with what the words around it say of it."""

    match: re.Match[str]
    currency: str | None
    period: str | None
    open_end: str | None  # "min" ("from 100k", "$200k+"), "max" ("up to $180k") or None
    in_header: bool
    context: _Context


_GROUPED_NUMBER = re.compile(r"\d{1,3}(?:[,.'’\u00a0\u202f ]\d{3})+(?:\.\d{1,2})?")
_CENTS = re.compile(r"\.\d{1,2}$")


def _number(text: str) -> float:
    """ "150,000", "80.000", "120'000" and "1,234.50" as thousands; "1.5" and "1,5" as
    decimals."""
    if _GROUPED_NUMBER.fullmatch(text):
        whole, cents = (
            (text[: -len(c.group(0))], c.group(0)) if (c := _CENTS.search(text)) else (text, "")
        )
        return float("".join(ch for ch in whole if ch.isdigit()) + cents)
    return float(text.replace(",", "."))


def _multiplier(word: str | None) -> float:
    return _MULTIPLIERS.get(word.lower(), 1.0) if word else 1.0


def _period(match: re.Match[str]) -> str | None:
    # Every unit the pattern allows starts with its period's letter: "hrs", "mth", "annum".
    if match["unit"]:
        return _UNIT_PERIODS[match["unit"][0].lower()]
    if match["adverb"]:
        return _ADVERBS[match["adverb"].lower()]
    if match["m1"] and match["m1"].lower() == "lpa":
        return "year"
    return None


def _currency(match: re.Match[str], before: re.Match[str] | None) -> str | None:
    """The figure's currency: a code or name first, then a symbol other than "$", then "$"."""
    named = [match["cur_last"], match["cur_after"], match["cur1"], match["cur2"]]
    if before is not None:
        named += [before["code"], before["symbol"]]
    found = [_currency_code(text.strip()) for text in named if text]
    for wanted in (_is_code, _is_specific_symbol, None):
        for code, written in found:
            if wanted is None or wanted(written):
                return code
    multipliers = {(match["m1"] or "").lower(), (match["m2"] or "").lower()}
    return "INR" if multipliers & _INDIAN else None


def _currency_code(text: str) -> tuple[str, str]:
    """(ISO code, as written) of a currency symbol, code or name."""
    if text in _SYMBOLS:
        return _SYMBOLS[text], text
    if text.lower() in _NAMES:
        return _NAMES[text.lower()], text
    return _CODE_ALIASES.get(text, text), text


def _is_code(written: str) -> bool:
    return written not in _SYMBOLS


def _is_specific_symbol(written: str) -> bool:
    return written != "$"


_SYMBOL_ENDS = frozenset(symbol[-1] for symbol in _SYMBOLS)


def _currency_before(text: str, start: int) -> re.Match[str] | None:
    """The currency written right before a figure ("US$", "CHF ", "AUD $"), if any."""
    window = text[max(0, start - 10) : start].rstrip(" (~±+/-")
    if not window or not (window[-1].isalpha() or window[-1] in _SYMBOL_ENDS):
        return None
    found = _BEFORE.search(text, max(0, start - 10), start)
    if found is None or not (found["code"] or found["symbol"]):
        return None
    return found


@dataclass(frozen=True)
class _Context:
    pay_word: bool
    salary_word: bool
    not_pay: bool


def _context(text: str, start: int, end: int) -> _Context:
    """What the words on the figure's line say: a pay word near it, and whether its own
    clause says it is something else."""
    line_start = text.rfind("\n", max(0, start - _WINDOW_BEFORE), start) + 1
    line_end = text.find("\n", end, end + _WINDOW_AFTER)
    line_end = min(len(text), end + _WINDOW_AFTER) if line_end < 0 else line_end
    around = (
        text[max(line_start, start - _WINDOW_BEFORE) : start]
        + " "
        + text[end : min(line_end, end + _WINDOW_AFTER)]
    )
    clause_before = text[max(line_start, start - _CLAUSE_BEFORE) : start]
    cut = _CLAUSE_START.match(clause_before)
    if cut is not None:
        clause_before = clause_before[cut.end() :]
    clause_after = text[end : min(line_end, end + _CLAUSE_AFTER)]
    stop = _CLAUSE_END.search(clause_after)
    if stop is not None:
        clause_after = clause_after[: stop.start()]
    pay_word = bool(_PAY_WORDS.search(around))
    return _Context(
        pay_word=pay_word,
        salary_word=pay_word and bool(_SALARY_WORDS.search(around)),
        not_pay=bool(_NOT_PAY_BEFORE.search(clause_before) or _NOT_PAY_AFTER.search(clause_after)),
    )


def _read(text: str, match: re.Match[str], in_header: bool) -> _Reading | None:
    """The figure with its currency, period and context; None for numbers that are no money."""
    start = match.start()
    before = _currency_before(text, start)
    if start > 0 and text[start - 1].isalpha() and (before is None or not before["code"]):
        return None  # "IR35", "W15": letters run into the number, unless a code ("AUD140K")
    currency = _currency(match, before)
    if currency is None and not _bare_pay(match):
        return None  # most numbers in a post: "2023", "5+ years", "10 people"
    if currency is None and match.group(0).lower().startswith("401k"):
        return None  # a retirement plan
    prefix_start = before.start() if before is not None else start
    open_end = _open_end(text, prefix_start, match)
    # A "+" before something else ("+ equity") ends the figure's clause.
    clause_end = match.start("plus") if match["plus"] and open_end != "min" else match.end()
    context = _context(text, prefix_start, clause_end)
    if context.not_pay:
        return None
    in_header = in_header or _header_like_line(text, start)
    return _Reading(match, currency, _period(match), open_end, in_header, context)


def _reads_as_pay(reading: _Reading, low: float) -> bool:
    """Whether the figure is shaped like pay, or a pay word beside it says it is."""
    match, currency, context = reading.match, reading.currency, reading.context
    if currency is None:
        thousands_range = bool(match["n2"]) and (match["m2"] or "").lower() == "k"
        # A bare range in a body must be large: "10-20k" is too often a count.
        if thousands_range and (reading.in_header or low >= _BARE_RANGE_MINIMUM):
            return True
        thousands = (match["m1"] or "").lower() == "k"
        if thousands and reading.in_header and reading.open_end is not None:
            return True  # "120K+", "from 100k"
        return context.salary_word
    if match["n2"] or reading.period is not None or reading.open_end is not None:
        return True
    if reading.in_header and (match["m1"] or match["plus"] or len(match["n1"]) >= 5):
        return True
    # "Profit share $140k CAD": a currency and thousands enough for a year are pay-shaped.
    if (match["m1"] or "").lower() == "k" and low >= _BARE_RANGE_MINIMUM:
        return True
    return context.pay_word


def _figure(text: str, match: re.Match[str], *, in_header: bool) -> _Figure | None:
    """The pay ``match`` names, or None when it is no plausible pay."""
    reading = _read(text, match, in_header)
    if reading is None:
        return None
    low, high = _amounts(match)
    if not _reads_as_pay(reading, low):
        return None
    period = reading.period or "year"
    if reading.period is None and _in_thousands(match, low, high):
        if low < 30 or reading.currency is None or (high is None and not match["open_q"]):
            return None
        low, high = low * 1_000, (high * 1_000 if high is not None else None)  # "$150-200"
    if not _plausible(low, high, reading.currency, period):
        return None
    if _millions(match) and not reading.context.pay_word and reading.currency not in _SCALE:
        return None  # "$1.5M" is pay only when the post says so
    if high is None and reading.open_end == "max":
        return _Figure(None, low, reading.currency, period, match.start())
    if high is None and reading.open_end == "min":
        return _Figure(low, None, reading.currency, period, match.start())
    return _Figure(low, high if high is not None else low, reading.currency, period, match.start())


def _in_thousands(match: re.Match[str], low: float, high: float | None) -> bool:
    """ "$150-200" with no period: posters mean thousands a year."""
    small = low < 1_000 and (high is None or high < 1_000)
    return small and not (match["m1"] or match["m2"])


def _plausible(low: float, high: float | None, currency: str | None, period: str) -> bool:
    smallest, largest = _BOUNDS[period]
    scale = _SCALE.get(currency or "", 1.0)
    if not smallest * scale <= low <= largest * scale:
        return False
    return high is None or low <= high <= largest * scale


# A bare range in a body ("100k-180k") must start here to be pay.
_BARE_RANGE_MINIMUM = 20_000


# How far along its line a figure looks for the "|" of a header-shaped line.
_FIELD_REACH = 200


def _header_like_line(text: str, start: int) -> bool:
    """Whether the figure's line is shaped like a header: "Engineer | Remote | $150k"."""
    line_start = text.rfind("\n", max(0, start - _FIELD_REACH), start) + 1
    line_end = text.find("\n", start, start + _FIELD_REACH)
    if line_end < 0:
        line_end = min(len(text), start + _FIELD_REACH)
    return text.count("|", line_start, line_end) >= 2


def _millions(match: re.Match[str]) -> bool:
    return any((match[name] or "").lower() in ("m", "mm") for name in ("m1", "m2"))


def _bare_pay(match: re.Match[str]) -> bool:
    """A figure without a currency that may be pay: in thousands, or of five digits or more
    ("Salary: 120000"), but never a year."""
    if match["m1"] or match["m2"]:
        return True
    number = match["n1"]
    return sum(c.isdigit() for c in number) >= 5 and not _YEAR.match(number)


def _amounts(match: re.Match[str]) -> tuple[float, float | None]:
    low = _number(match["n1"])
    high = _number(match["n2"]) if match["n2"] else None
    m1, m2 = match["m1"], match["m2"]
    if high is not None and m2 and not m1 and low <= high:
        m1 = m2  # "150-200k", "€70-90k"
    low *= _multiplier(m1)
    if high is not None:
        high *= _multiplier(m2 or m1)
    return low, high


def _open_end(text: str, prefix_start: int, match: re.Match[str]) -> str | None:
    """ "max" for "up to $180k", "min" for "from 100k" or "$200k+", else None."""
    if match["n2"]:
        return None
    before = text[max(0, prefix_start - 25) : prefix_start]
    if _UP_TO.search(before):
        return "max"
    if _FROM.search(before) or _open_plus(text, match) or match["open_q"]:
        return "min"
    return None


_AFTER_PLUS = re.compile(
    r"\s*(?:equity|options|stock|bonus|benefits|commission|RSUs?|shares|perks|"
    r"\d|generous|meaningful|significant)",
    re.IGNORECASE,
)


def _open_plus(text: str, match: re.Match[str]) -> bool:
    """ "$200k+" opens the range upwards; "$200k + equity" adds something else."""
    if not match["plus"]:
        return False
    plus_end = match.start("plus") + 1
    return _AFTER_PLUS.match(text, plus_end) is None


# --- the post -------------------------------------------------------------------------------


# Real posts name a few dozen sums at most; a hostile text of thousands is read no further, so
# its cost stays bounded whatever it holds.
_FIGURES_READ = 200


def _figures(text: str, *, in_header: bool) -> list[_Figure]:
    found = []
    for match in islice(_FIGURE.finditer(text), _FIGURES_READ):
        figure = _figure(text, match, in_header=in_header)
        if figure is not None:
            found.append(figure)
    return found


def _dominant(figures: list[_Figure]) -> list[_Figure]:
    """The figures of the most common period, then of its most common currency; a figure
    without a currency goes with any.  Ties go to a yearly period, then to the first named."""
    periods: dict[str, int] = {}
    for figure in figures:
        periods[figure.period] = periods.get(figure.period, 0) + 1
    period = max(periods, key=lambda p: (periods[p], p == "year", -_first(figures, p)))
    same_period = [f for f in figures if f.period == period]
    currencies: dict[str, int] = {}
    for figure in same_period:
        if figure.currency is not None:
            currencies[figure.currency] = currencies.get(figure.currency, 0) + 1
    if not currencies:
        return same_period
    currency = max(currencies, key=lambda c: (currencies[c], -_first_currency(same_period, c)))
    return [f for f in same_period if f.currency in (currency, None)]


def _first(figures: list[_Figure], period: str) -> int:
    return min(f.position for f in figures if f.period == period)


def _first_currency(figures: list[_Figure], currency: str) -> int:
    return min(f.position for f in figures if f.currency == currency)


def _combine(figures: list[_Figure], equity: bool) -> Salary:
    chosen = _dominant(figures)
    lows = [f.low for f in chosen if f.low is not None]
    highs = [f.high for f in chosen if f.high is not None]
    low = min(lows) if lows else None
    high = max(highs) if highs else None
    # "$150k-$200k, $250k+ for staff": the top is open.
    if high is not None and any(
        f.high is None and f.low is not None and f.low >= high for f in chosen
    ):
        high = None
    if low is not None and any(
        f.low is None and f.high is not None and f.high <= low for f in chosen
    ):
        low = None
    currency = next((f.currency for f in chosen if f.currency is not None), None)
    return Salary(low, high, currency, chosen[0].period, equity)


def parse_salary(header: str, body: str = "") -> Salary | None:
    """The pay a post states: from its header, else from its body; ``None`` when neither
    states any."""
    figures = _figures(header, in_header=True)
    if not figures and body:
        figures = _figures(body, in_header=False)
    if not figures:
        return None
    return _combine(figures, mentions_equity(header) or mentions_equity(body))


# --- equity ---------------------------------------------------------------------------------

# Each cue is a keyword of the lower-cased text, read with the words around it: searching for
# a few words is far cheaper than running a case-insensitive pattern over every position.
_OTHER_EQUITY_BEFORE = re.compile(
    r"\b(?:private|public|home|health|racial|social|pay|brand|gender|educational|digital|"
    r"diversity,?|inclusion,?)\s+(?:and\s+|&\s+)?$"
)
_OTHER_EQUITY_AFTER = re.compile(
    r"[\s-]+(?:research|funds?|firms?|partners?|investors?|investments?|markets?|analysts?|"
    r"trading|derivatives?|capital|crowdfunding|(?:and|&)\s+(?:inclusion|belonging))(?![a-z])"
)
_OPTIONS_BEFORE = re.compile(
    r"(?:\b(?:stock|share)[\s-]+|(?:\+|&|\band)\s*(?:(?:generous|meaningful|early|"
    r"significant|competitive)\s+)?|\d\s*[km]?\s+)$"
)
_EQUITY_WORDS = ("esop", "vsop", "espp", "rsu")
_EQUITY_PHRASES = (
    ("stock", re.compile(r"stock\s+(?:grants?|awards?|units?|compensation|package|plan)\b")),
    ("shares", re.compile(r"(?:phantom|early|founder)\s+shares\b")),
    ("ownership", re.compile(r"ownership\s+stake\b")),
)
# "Meaningful ownership" is a stake; "real ownership" of a product is a kind of work.
_OWNERSHIP_BEFORE = re.compile(r"\b(?:meaningful|founder[\s-]level|equity)\s+$")


def _words(lowered: str, word: str) -> Iterator[tuple[int, int]]:
    """Where ``word`` stands as a word (or a word's start) in ``lowered``."""
    start = lowered.find(word)
    while start >= 0:
        if start == 0 or not lowered[start - 1].isalnum():
            yield start, start + len(word)
        start = lowered.find(word, start + len(word))


def _whole_word(lowered: str, end: int) -> bool:
    """Whether the word ending at ``end``, or its plural, ends there: "option(s)", not
    "optionally"."""
    if lowered.startswith("s", end):
        end += 1
    return end == len(lowered) or not lowered[end].isalpha()


def _equity_word(lowered: str) -> bool:
    for start, end in _words(lowered, "equity"):
        if _OTHER_EQUITY_AFTER.match(lowered, end):
            continue
        if not _OTHER_EQUITY_BEFORE.search(lowered, max(0, start - 30), start):
            return True
    return False


def mentions_equity(text: str) -> bool:
    """Whether ``text`` offers equity: "+ equity", "stock options", "ESOP", "RSUs"..."""
    lowered = text.lower()
    if "equity" in lowered and _equity_word(lowered):
        return True
    if "option" in lowered:
        for start, end in _words(lowered, "option"):
            if _whole_word(lowered, end) and _OPTIONS_BEFORE.search(
                lowered, max(0, start - 30), start
            ):
                return True
    for word in _EQUITY_WORDS:
        if word in lowered and any(_whole_word(lowered, end) for _, end in _words(lowered, word)):
            return True
    for word, pattern in _EQUITY_PHRASES:
        if word in lowered and pattern.search(lowered):
            return True
    return "ownership" in lowered and any(
        _OWNERSHIP_BEFORE.search(lowered, max(0, start - 30), start)
        for start, _ in _words(lowered, "ownership")
    )


# --- agreement with another reading --------------------------------------------------------

# A reading's round figure may sit just outside a range it took from the same words.
_TOLERANCE = 0.01


def _currency_matches(reference: str | None, ours: str | None) -> bool:
    if reference is None or ours is None:
        return True
    reference = reference.strip().upper()
    code = _SYMBOLS.get(reference, _CODE_ALIASES.get(reference, reference))
    return code == ours


def _within(amount: float, low: float | None, high: float | None) -> bool:
    if low is not None and amount < low * (1 - _TOLERANCE):
        return False
    return not (high is not None and amount > high * (1 + _TOLERANCE))


def salary_agrees(
    reference_amount: float, reference_currency: str | None, ours: Salary | None
) -> bool:
    """Whether another reading's pay figure lies within our range, in the stated period or a
    year's worth, with the same currency where both name one."""
    if ours is None or not _currency_matches(reference_currency, ours.currency):
        return False
    return _within(reference_amount, ours.minimum, ours.maximum) or _within(
        reference_amount, *ours.yearly()
    )


# US dollars for one unit of the currencies near the dollar (the rest go by _SCALE).
_USD_RATE = {
    "USD": 1.0,
    "EUR": 1.1,
    "GBP": 1.3,
    "CHF": 1.15,
    "CAD": 0.73,
    "AUD": 0.66,
    "NZD": 0.6,
    "SGD": 0.75,
}
_BAND = re.compile(
    r"(?P<lt><)?\$?(?P<low>\d+)k?(?:\s*-\s*\$?(?P<high>\d+)k)?(?P<plus>\+)?", re.IGNORECASE
)


def salary_band_agrees(band: str | None, ours: Salary | None) -> bool:
    """Whether our yearly range meets a band like "$150k-$200k", "<$100k" or "$200k+".

    ``None`` (no pay stated) agrees only with no pay found.  Bands are in US dollars, but
    readers band other currencies both converted and as they stand, so either will do; a range
    open at one end reaches as far as it may.
    """
    if not band:
        return ours is None
    found = _BAND.fullmatch(band.strip().replace(" ", ""))
    if ours is None or found is None:
        return False
    figure = float(found["low"]) * 1_000
    if found["lt"]:
        band_low, band_high = 0.0, figure
    elif found["plus"]:
        band_low, band_high = figure, math.inf
    else:
        band_low, band_high = figure, float(found["high"]) * 1_000
    low, high = ours.yearly()
    rate = _USD_RATE.get(ours.currency or "USD", 1 / _SCALE.get(ours.currency or "", 1.0))
    for factor in {1.0, rate}:
        ours_low = low * factor if low is not None else 0.0
        ours_high = high * factor if high is not None else math.inf
        if ours_low <= band_high and ours_high >= band_low:
            return True
    return False
