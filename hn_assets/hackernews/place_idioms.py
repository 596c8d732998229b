"""How Hacker News posters name places, as data for :mod:`hn_assets.hackernews.places`.

The gazetteers (GeoNames cities, pycountry countries and subdivisions) know the places; this
module knows the posters: their abbreviations ("SF", "NYC"), their regions ("EMEA", "LATAM"),
their time zones ("EST", "CET"), the display names the platform already shows, and the words
that are places in a gazetteer but almost never in a post ("Mobile", "Reading", "Mission").

Aliases are written as posters write them.  An alias of three letters or fewer (dots not
counted), or one not written as plain capitalised words ("LATAM", "SoCal"), only matches as
written, so "SF" is a place and "sf" is not; other aliases need their first capital only.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- places with a name of their own -----------------------------------------------------

#: alias -> (display, GeoNames city name or None, ISO 3166-1 alpha-2 or None).  The display
#: names of cities are the ones the platform showed before the gazetteer, so that search
#: facets and saved searches keep working.
PLACE_IDIOMS: dict[str, tuple[str, str | None, str | None]] = {
    # San Francisco and its bay: one place to a job seeker.
    "San Francisco Bay Area": ("San Francisco Bay Area", "San Francisco", "US"),
    "SF Bay Area": ("San Francisco Bay Area", "San Francisco", "US"),
    "San Francisco": ("San Francisco Bay Area", "San Francisco", "US"),
    "Bay Area": ("San Francisco Bay Area", "San Francisco", "US"),
    "SFBA": ("San Francisco Bay Area", "San Francisco", "US"),
    "SF": ("San Francisco Bay Area", "San Francisco", "US"),
    "S.F.": ("San Francisco Bay Area", "San Francisco", "US"),
    "Silicon Valley": ("San Francisco Bay Area", "San Francisco", "US"),
    "New York City": ("New York City", "New York City", "US"),
    "New York": ("New York City", "New York City", "US"),
    "NYC": ("New York City", "New York City", "US"),
    "N.Y.C.": ("New York City", "New York City", "US"),
    "NY": ("New York City", "New York City", "US"),
    "Manhattan": ("New York City", "New York City", "US"),
    "Brooklyn": ("New York City", "New York City", "US"),
    "Los Angeles": ("Los Angeles", "Los Angeles", "US"),
    "LA": ("Los Angeles", "Los Angeles", "US"),
    "L.A.": ("Los Angeles", "Los Angeles", "US"),
    "Washington DC": ("Washington, D.C.", "Washington", "US"),
    "Washington D.C.": ("Washington, D.C.", "Washington", "US"),
    "DC": ("Washington, D.C.", "Washington", "US"),
    "D.C.": ("Washington, D.C.", "Washington", "US"),
    "DMV": ("Washington, D.C.", "Washington", "US"),
    "Philly": ("Philadelphia", "Philadelphia", "US"),
    "SLC": ("Salt Lake City", "Salt Lake City", "US"),
    "NOLA": ("New Orleans", "New Orleans", "US"),
    "ATL": ("Atlanta", "Atlanta", "US"),
    "DFW": ("Dallas", "Dallas", "US"),
    "Twin Cities": ("Minneapolis", "Minneapolis", "US"),
    "Research Triangle": ("Raleigh", "Raleigh", "US"),
    "RTP": ("Raleigh", "Raleigh", "US"),
    "Montreal": ("Montreal", "Montréal", "CA"),
    "Munich": ("Munich", "Munich", "DE"),
    "Munchen": ("Munich", "Munich", "DE"),
    "Muenchen": ("Munich", "Munich", "DE"),
    "Zurich": ("Zurich", "Zürich", "CH"),
    "Bangalore": ("Bangalore", "Bengaluru", "IN"),
    "Bengaluru": ("Bangalore", "Bengaluru", "IN"),
    "Tel Aviv": ("Tel Aviv", "Tel Aviv", "IL"),
    "Tel-Aviv": ("Tel Aviv", "Tel Aviv", "IL"),
    "Frankfurt": ("Frankfurt am Main", "Frankfurt am Main", "DE"),
    "Gurgaon": ("Gurugram", "Gurugram", "IN"),
    "Gurugram": ("Gurugram", "Gurugram", "IN"),
    "KL": ("Kuala Lumpur", "Kuala Lumpur", "MY"),
    "HCMC": ("Ho Chi Minh City", "Ho Chi Minh City", "VN"),
    "Saigon": ("Ho Chi Minh City", "Ho Chi Minh City", "VN"),
    # Names in English, and older names, of cities GeoNames calls otherwise.  (GeoNames'
    # own list of other names holds every language's, too many of them ordinary words.)
    "Ghent": ("Ghent", "Gent", "BE"),
    "Seville": ("Seville", "Sevilla", "ES"),
    "The Hague": ("The Hague", "The Hague", "NL"),
    "Den Haag": ("The Hague", "The Hague", "NL"),
    "Lucerne": ("Lucerne", "Luzern", "CH"),
    "Aarhus": ("Aarhus", "Århus", "DK"),
    "Cluj": ("Cluj-Napoca", "Cluj-Napoca", "RO"),
    "Kiev": ("Kyiv", "Kyiv", "UA"),
    "Cracow": ("Kraków", "Kraków", "PL"),
    "Bombay": ("Mumbai", "Mumbai", "IN"),
    "Madras": ("Chennai", "Chennai", "IN"),
    "Calcutta": ("Kolkata", "Kolkata", "IN"),
    "Poona": ("Pune", "Pune", "IN"),
    "Peking": ("Beijing", "Beijing", "CN"),
    "Lisboa": ("Lisbon", "Lisbon", "PT"),
    "CDMX": ("Mexico City", "Mexico City", "MX"),
    # Parts of a country: no city, but the country is known.
    "SoCal": ("Southern California", None, "US"),
    "Southern California": ("Southern California", None, "US"),
    "NorCal": ("Northern California", None, "US"),
    "Northern California": ("Northern California", None, "US"),
    "Central California": ("Central California", None, "US"),
    "PNW": ("Pacific Northwest", None, "US"),
    "Pacific Northwest": ("Pacific Northwest", None, "US"),
    "NoVA": ("Northern Virginia", None, "US"),
    "Northern VA": ("Northern Virginia", None, "US"),
    "Northern Virginia": ("Northern Virginia", None, "US"),
    "New England": ("New England", None, "US"),
    "Midwest": ("Midwest", None, "US"),
    "East Coast": ("East Coast", None, "US"),
    "West Coast": ("West Coast", None, "US"),
    "Tri-State Area": ("New York City", "New York City", "US"),
    "CONUS": ("United States", None, "US"),
    "Bavaria": ("Bavaria", None, "DE"),
    "Catalonia": ("Catalonia", None, "ES"),
    "Basque Country": ("Basque Country", None, "ES"),
    # Countries as posters write them.
    "US": ("United States", None, "US"),
    "U.S.": ("United States", None, "US"),
    "USA": ("United States", None, "US"),
    "U.S.A.": ("United States", None, "US"),
    "United States": ("United States", None, "US"),
    "United States of America": ("United States", None, "US"),
    "UK": ("United Kingdom", None, "GB"),
    "U.K.": ("United Kingdom", None, "GB"),
    "Great Britain": ("United Kingdom", None, "GB"),
    "Britain": ("United Kingdom", None, "GB"),
    "England": ("England", None, "GB"),
    "Scotland": ("Scotland", None, "GB"),
    "Wales": ("Wales", None, "GB"),
    "Northern Ireland": ("Northern Ireland", None, "GB"),
    "UAE": ("United Arab Emirates", None, "AE"),
    "U.A.E.": ("United Arab Emirates", None, "AE"),
    "Holland": ("Netherlands", None, "NL"),
    "The Netherlands": ("Netherlands", None, "NL"),
    "Czech Republic": ("Czech Republic", None, "CZ"),
    "Korea": ("South Korea", None, "KR"),
    "Russia": ("Russia", None, "RU"),
    "Turkey": ("Turkey", None, "TR"),
    "Vietnam": ("Vietnam", None, "VN"),
    "Taiwan": ("Taiwan", None, "TW"),
    "Ivory Coast": ("Ivory Coast", None, "CI"),
    "Cape Verde": ("Cape Verde", None, "CV"),
    "Macau": ("Macao", None, "MO"),
    "Palestine": ("Palestine", None, "PS"),
    "Brunei": ("Brunei", None, "BN"),
    "Kosovo": ("Kosovo", None, None),
    # Names of a US state and of something else, read the way a US-heavy thread means them;
    # a qualifier still picks the other ("Tbilisi, Georgia", "Washington, DC").
    "Georgia": ("Georgia", None, "US"),
    "Washington": ("Washington", None, "US"),
}

#: ISO alpha-2 -> display, where pycountry's name is a formal one nobody writes in a post.
COUNTRY_DISPLAY: dict[str, str] = {
    "BO": "Bolivia",
    "BN": "Brunei",
    "CD": "DR Congo",
    "CI": "Ivory Coast",
    "CV": "Cape Verde",
    "CZ": "Czech Republic",
    "FM": "Micronesia",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "LA": "Laos",
    "MD": "Moldova",
    "MO": "Macao",
    "PS": "Palestine",
    "RU": "Russia",
    "SY": "Syria",
    "TR": "Turkey",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "VE": "Venezuela",
    "VG": "British Virgin Islands",
    "VI": "US Virgin Islands",
    "VN": "Vietnam",
}

#: (ISO alpha-2, GeoNames name) -> display, for cities the platform already showed under
#: another name.  Cambridge in England was "Cambridge, UK" before the gazetteer came.
CITY_DISPLAY: dict[tuple[str, str], str] = {
    ("US", "San Francisco"): "San Francisco Bay Area",
    ("US", "Washington"): "Washington, D.C.",
    ("CA", "Montréal"): "Montreal",
    ("CH", "Zürich"): "Zurich",
    ("IN", "Bengaluru"): "Bangalore",
    ("GB", "Cambridge"): "Cambridge, UK",
}

# --- regions -----------------------------------------------------------------------------

#: The region codes :func:`~hn_assets.hackernews.places.remote_regions` returns, besides
#: ISO alpha-2 country codes.  "EU" stands for Europe as a whole (its time zones), the way
#: posters use it, not only the Union's members.
REGION_CODES: tuple[str, ...] = (
    "WORLDWIDE",
    "AMERICAS",
    "NORTH_AMERICA",
    "LATAM",
    "EU",
    "EMEA",
    "APAC",
)

#: alias -> (display, region code or None, member countries).  Regions are locations, but
#: name no country of their own; the members only answer "where can I work remotely from".
REGION_IDIOMS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "Europe": ("Europe", "EU", ()),
    "EU": ("Europe", "EU", ()),
    "European Union": ("Europe", "EU", ()),
    "Western Europe": ("Europe", "EU", ()),
    "Central Europe": ("Europe", "EU", ()),
    "Eastern Europe": ("Eastern Europe", "EU", ()),
    "CEE": ("Eastern Europe", "EU", ()),
    "EMEA": ("EMEA", "EMEA", ()),
    "Middle East": ("Middle East", "EMEA", ()),
    "MENA": ("Middle East", "EMEA", ()),
    "Africa": ("Africa", "EMEA", ()),
    "LATAM": ("Latin America", "LATAM", ()),
    "LatAm": ("Latin America", "LATAM", ()),
    "Latam": ("Latin America", "LATAM", ()),
    "Latin America": ("Latin America", "LATAM", ()),
    "South America": ("South America", "LATAM", ()),
    "Central America": ("Latin America", "LATAM", ()),
    "North America": ("North America", "NORTH_AMERICA", ()),
    "Americas": ("Americas", "AMERICAS", ()),
    "APAC": ("APAC", "APAC", ()),
    "Asia Pacific": ("APAC", "APAC", ()),
    "Asia-Pacific": ("APAC", "APAC", ()),
    "Asia": ("Asia", "APAC", ()),
    "Southeast Asia": ("Southeast Asia", "APAC", ()),
    "Oceania": ("Oceania", "APAC", ("AU", "NZ")),
    "ANZ": ("Australia and New Zealand", None, ("AU", "NZ")),
    "DACH": ("DACH", None, ("DE", "AT", "CH")),
    "Benelux": ("Benelux", None, ("BE", "NL", "LU")),
    "Nordics": ("Nordics", None, ("DK", "FI", "IS", "NO", "SE")),
    "Scandinavia": ("Nordics", None, ("DK", "NO", "SE")),
    "Baltics": ("Baltics", None, ("EE", "LT", "LV")),
}

#: Time zones and the region whose posters name them; only read where a post says where a
#: remote role is open to ("Remote (EST)", "remote within CET +/- 2h").
TIMEZONE_REGIONS: dict[str, str] = {
    "EST": "US",
    "EDT": "US",
    "ET": "US",
    "CST": "US",
    "CDT": "US",
    "MST": "US",
    "MDT": "US",
    "PST": "US",
    "PDT": "US",
    "PT": "US",
    "Eastern": "US",
    "Pacific": "US",
    "Central": "US",
    "Mountain": "US",
    "CET": "EU",
    "CEST": "EU",
    "EET": "EU",
    "EEST": "EU",
    "WET": "EU",
    "European": "EU",
    "BST": "GB",
    "IST": "IN",
    "AEST": "AU",
    "AEDT": "AU",
    "AWST": "AU",
    "ACST": "AU",
    "NZST": "NZ",
    "NZDT": "NZ",
    "JST": "JP",
    "KST": "KR",
    "SGT": "SG",
    "HKT": "HK",
    "BRT": "BR",
    "North American": "NORTH_AMERICA",
    "Latin American": "LATAM",
    "Asian": "APAC",
}

# --- words that are places only in a gazetteer ---------------------------------------------

#: Names of GeoNames places that, written in a post, are nearly always an ordinary word, a
#: technology, a company or a person.  They are read as places only with a qualifier that
#: says so: "Nice, France", "Reading, UK", "Mobile, AL", "Victoria, BC".  Folded keys (lower
#: case, no accents).
_ORDINARY_WORDS = """
    airport along alpha ask band bar bath battle beacon bear bed bell bend bent best
    beta bonus brick bright brush buy canyon casino celebration center central champion
    clay college commerce concord cool crystal date deal delta dome downtown early
    economy eden egg engineer enter enterprise faith federal fleet friendly frontier
    fully gap gateway gay globe goes golden got grad grants green greenfield hale harbor
    hard harmony haven hillside holiday holly homeland hook hope hub hull humble
    hurricane independence industry justice king lakes landing leader legacy lend
    liberal liberty long loyalty made man manage marathon march marina media mentor
    mercy metro mill mine mission mobile moody moss most much nice nine noble none
    normal of officer omega opportunity orange pace page pains paradise peer pen pioneer
    plantation police poole post price progress prospect prosper rail rain ran reading
    real republic retreat rich rodeo sale sales salon salt same sandwich sandy savage
    say send shaping side sigma silly song sparks split spring star stone street success
    summit superior surprise talent tank terrace time tours trinity tune union unity
    university victory wake ware wedding welcome wells worth young
"""
_TECHNOLOGIES_AND_COMPANIES = """
    ada apex aurora boom cocoa cypress perm solana hire toyota erlang hudson jupiter kilo meta mongo nokia oracle puma salesforce
    snowflake tableau zion
"""
_PEOPLES_NAMES = """
    adam adams adrian albert ali alice allen anderson ann anthony arnold baker barry ben
    beverly brad bradley brandon brooks bryan buchanan butler cameron carolina carson
    casey chad clark clinton colton compton david davis douglas dover duncan edwards
    elizabeth erin everett franklin frederick gary george gordon graham griffin harper
    harrison harvey hayes hoover howard jefferson jones jordan joshua kennedy kent kim
    kyle lawrence lee leon logan lorraine lucas lynn marshall martin mary mason mitchell
    monroe moore morris murphy murray nancy nelson newton norman oliver palmer parker
    perry powell richardson robinson rogers russell sam scott sebastian shaw shelby
    sherman spencer taylor teresa thompson tracy troy tucker turner tyler victoria
    vincent walker warren wayne williams wilson wright
"""
NOT_PLACES_ALONE: frozenset[str] = _words(
    _ORDINARY_WORDS + _TECHNOLOGIES_AND_COMPANIES + _PEOPLES_NAMES
)

# --- subdivisions --------------------------------------------------------------------------

#: ISO 3166-2 code -> GeoNames admin1 code, for the provinces and states whose codes posters
#: write after a city ("London, ON", "Perth, WA"); US states use their postal codes in both.
SUBDIVISION_ADMIN1: dict[str, str] = {
    "CA-AB": "01",
    "CA-BC": "02",
    "CA-MB": "03",
    "CA-NB": "04",
    "CA-NL": "05",
    "CA-NS": "07",
    "CA-ON": "08",
    "CA-PE": "09",
    "CA-QC": "10",
    "CA-SK": "11",
    "CA-YT": "12",
    "CA-NT": "13",
    "CA-NU": "14",
    "AU-ACT": "01",
    "AU-NSW": "02",
    "AU-NT": "03",
    "AU-QLD": "04",
    "AU-SA": "05",
    "AU-TAS": "06",
    "AU-VIC": "07",
    "AU-WA": "08",
    "GB-ENG": "ENG",
    "GB-SCT": "SCT",
    "GB-WLS": "WLS",
    "GB-NIR": "NIR",
}

# --- words around a place ------------------------------------------------------------------

#: Capitalised words that may stand right next to a place without making it part of a longer
#: name: "Berlin Office", "Greater Boston", "Toronto Remote".  Any other capitalised neighbour
#: makes a name of it ("Boston Dynamics", "Victoria Jones", "Palo Alto Networks").
PLACE_NEIGHBOURS: frozenset[str] = _words(
    """
    and area areas at based campus candidates central citizens city contract county
    downtown east eastern first friendly from full fulltime greater headquarters hiring hq
    hybrid in location locations metro metropolitan near north northern office offices ok
    okay on onsite only or part preferred region relocation remote required residents site
    south southern the time timezone timezones to tz west western within
    atlantic pacific upstate coastal rural
    we our you your i it its this that if is are join apply visit see check come looking
    """
)

#: Capitalised words that are never the town in "Town, ST": "Remote, OK" is no place in
#: Oklahoma, "Full Time, CA" none in California.
NOT_TOWN_WORDS: frozenset[str] = _words(
    """
    and area based contract developer engineer engineering first friendly full fulltime
    hiring hq hybrid intern job jobs location office ok okay only onsite or part permanent
    position preferred relocation remote role roles senior site staff team time us visa
    work
    """
)
