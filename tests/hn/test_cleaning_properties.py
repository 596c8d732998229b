"""Properties of cleaning and header parsing that must hold for any input, real or hostile."""

from __future__ import annotations

import re

import pycountry
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hn_assets.hackernews.cleaning import MAX_POST_HTML_CHARS, clean_html, html_to_text
from hn_assets.hackernews.headers import PostHeader, parse_post_header
from hn_assets.hackernews.places import REGION_CODES
from hn_assets.hackernews.roles import ROLE_FAMILIES, SENIORITY
from hn_assets.hackernews.technologies import technologies

# Any code point, lone surrogates included: ingest replaces them, but neither function may
# rely on that.
ANY_CHAR = st.characters()
ANY_TEXT = st.text(ANY_CHAR, max_size=400)

# Text between tags: anything but "<" (which would start markup of its own) and "&" (whose
# entities are drawn from ENTITIES, none of which decodes to "<").
PLAIN_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="<&")
ENTITIES = (
    "&amp;",
    "&quot;",
    "&#x27;",
    "&#x2F;",
    "&gt;",
    "&nbsp;",
    "&eacute;",
    "&#8212;",
    "&#xFC;",
)
TEXT_PIECE = st.one_of(st.text(PLAIN_CHARS, max_size=12), st.sampled_from(ENTITIES))
# hrefs as HN writes them and as nobody should: markdown, IPv6-like hosts, scripts, data, junk.
HREFS = st.one_of(
    st.sampled_from(
        [
            "https:&#x2F;&#x2F;acme.example&#x2F;jobs",
            "https://acme.example](https://acme.example/)",
            "https://[acme.example/jobs",
            "http://[::1]:99999999/",
            "item?id=123",
            "mailto:jobs@acme.example",
            "javascript:alert(1)",
            "data:text/html;base64,PGI+",
            "//acme.example/x",
            "",
            "  ",
        ]
    ),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters='<"'), max_size=40),
)
TAGS = ("p", "i", "a", "pre", "code", "div", "br", "script", "b", "blockquote", "span", "xmp")
ATTRIBUTE_NAMES = ("href", "rel", "class", "title", "onclick")


@st.composite
def attributes(draw: st.DrawFn, tag: str) -> str:
    names = draw(st.lists(st.sampled_from(ATTRIBUTE_NAMES), max_size=3, unique=True))
    if tag == "a" and draw(st.booleans()):
        names = ["href", *[name for name in names if name != "href"]]
    values = [draw(HREFS) for _ in names]
    return "".join(f' {name}="{value}"' for name, value in zip(names, values, strict=True))


@st.composite
def html_fragments(draw: st.DrawFn, depth: int = 0) -> str:
    """HTML as HN writes it and worse: nested, unclosed and stray tags with odd attributes."""
    pieces: list[str] = []
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 1))):
        kind = draw(st.sampled_from(("text", "text", "tag", "tag", "open", "close", "comment")))
        if kind == "text":
            pieces.append(draw(TEXT_PIECE))
            continue
        if kind == "comment":
            pieces.append(f"<!--{draw(st.text(PLAIN_CHARS, max_size=8))}-->")
            continue
        tag = draw(st.sampled_from(TAGS))
        if draw(st.booleans()):
            tag = tag.upper()
        if kind == "close":
            pieces.append(f"</{tag}>")
        elif kind == "open" or depth >= 3:
            pieces.append(f"<{tag}{draw(attributes(tag.lower()))}>")
        else:
            inner = draw(html_fragments(depth + 1))
            pieces.append(f"<{tag}{draw(attributes(tag.lower()))}>{inner}</{tag}>")
    return "".join(pieces)


def assert_clean_shape(text: str, html: str) -> None:
    """The shape every clean text has, whatever the HTML (see cleaning.py's docstring)."""
    assert isinstance(text, str)
    assert "\r" not in text and "\u00a0" not in text
    assert "\n\n\n" not in text
    assert text == text.rstrip()
    assert all(line == line.rstrip() for line in text.split("\n"))
    if text:
        assert all(block.strip() for block in text.split("\n\n"))
    if text[:1].isspace():  # only a code block keeps its indentation
        assert "<pre" in html.lower()


@settings(deadline=None, max_examples=300)
@given(ANY_TEXT)
def test_any_string_cleans_without_raising(html: str) -> None:
    assert_clean_shape(html_to_text(html), html)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(html_fragments())
def test_generated_html_leaves_no_markup(html: str) -> None:
    text = html_to_text(html)
    assert_clean_shape(text, html)
    # No text or attribute value held "<" and no entity decodes to it: any "<" is a tag's.
    assert "<" not in text


@settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(html_fragments())
def test_generated_html_cleans_the_same_deep_inside(html: str) -> None:
    # Wrapping in inline elements neither changes the text nor recurses. A stray "</i>" in
    # the fragment closes one of the wrappers instead, which may reshape what follows it.
    assume("</i" not in html.lower())
    assert html_to_text("<i>" * 2000 + html + "</i>" * 2000) == html_to_text(html)


WORDS = st.text(st.characters(categories=("L", "N", "P"), exclude_characters="<&"), min_size=1)
PARAGRAPHS = st.lists(st.lists(WORDS, min_size=1, max_size=6), min_size=1, max_size=5)


@settings(deadline=None, max_examples=200)
@given(PARAGRAPHS, st.data())
def test_paragraphs_are_separated_by_one_blank_line(
    paragraphs: list[list[str]], data: st.DataObject
) -> None:
    # HN's shape: bare first paragraph, then "<p>" before each later one; words may be
    # italic and separated by any run of spaces and newlines.
    def render(words: list[str]) -> str:
        spaced = [f"<i>{w}</i>" if data.draw(st.booleans()) else w for w in words]
        return "".join(w + data.draw(st.sampled_from([" ", "  ", "\n", " \n "])) for w in spaced)

    html = render(paragraphs[0]) + "".join("<p>" + render(words) for words in paragraphs[1:])
    assert html_to_text(html) == "\n\n".join(" ".join(words) for words in paragraphs)


@settings(deadline=None, max_examples=200)
@given(st.one_of(ANY_TEXT, html_fragments()), st.integers(1, 200))
def test_cut_is_recorded(html: str, limit: int) -> None:
    cleaned = clean_html(html, max_chars=limit)
    assert cleaned.original_chars == len(html)
    assert len(cleaned.text) <= limit
    assert_clean_shape(cleaned.text, html)
    whole = html_to_text(html)
    if len(html) > limit:
        assert cleaned.truncated
    else:  # only text that grew past the limit (links become full URLs) is cut
        assert cleaned.truncated == (len(whole) > limit)
    if not cleaned.truncated:
        assert cleaned.text == whole
    elif len(html) <= limit:
        assert whole.startswith(cleaned.text)


@settings(deadline=None, max_examples=100)
@given(st.text(PLAIN_CHARS, max_size=300), st.integers(1, 300))
def test_cut_of_plain_text_keeps_its_start(text: str, limit: int) -> None:
    assert clean_html(text, max_chars=limit).text == html_to_text(text[:limit])


def test_default_limit_applies() -> None:
    assert clean_html("x" * (MAX_POST_HTML_CHARS + 1)).truncated


# --- header parsing ------------------------------------------------------------------------

FIELD_WORDS = (
    "Acme",
    "Acme Robotics (YC S21)",
    "Company: Acme",
    "Senior Backend Engineer",
    "Engineers, Designers & PMs",
    "Hiring: SRE and Technical Artist",
    "SF",
    "NYC or REMOTE (US)",
    "San Francisco Bay Area",
    "Hybrid (2 days in office",
    "ONSITE",
    "not remote",
    "$150k-$200k",
    "up to £95k",
    "€65.000 - €80.000",
    "$90-120/hr",
    "CHF 120k-150k",
    "1,000,000",
    "Visa sponsorship",
    "no visa",
    "https://acme.example/jobs)",
    "jobs [at] acme [dot] io",
    "a@b.co",
    "Full-time",
)
SEPARATORS = (" | ", "|", " • ", " - ", " / ", "; ", ", ", " ")
HEADER_LINES = st.lists(
    st.one_of(st.sampled_from(FIELD_WORDS), st.text(ANY_CHAR, max_size=15)), max_size=8
).flatmap(lambda fields: st.sampled_from(SEPARATORS).map(lambda sep: sep.join(fields)))
POST_TEXTS = st.one_of(
    ANY_TEXT,
    st.tuples(HEADER_LINES, ANY_TEXT).map("\n\n".join),
)
COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)
EMPLOYMENT_TYPES = frozenset({"full-time", "part-time", "contract", "internship"})


def assert_header_types(header: PostHeader) -> None:
    assert header.company is None or (isinstance(header.company, str) and header.company)
    lists = (
        header.roles, header.locations, header.employment_types, header.location_cities,
        header.location_countries, header.remote_regions, header.technologies,
        header.role_families, header.seniority,
    )  # fmt: skip
    for values in lists:
        assert isinstance(values, list) and all(isinstance(v, str) and v for v in values)
        assert len(set(values)) == len(values)
    assert set(header.location_countries) <= COUNTRY_CODES
    assert set(header.remote_regions) <= COUNTRY_CODES | set(REGION_CODES)
    assert set(header.technologies) <= {technology.name for technology in technologies()}
    assert set(header.role_families) <= set(ROLE_FAMILIES)
    assert set(header.seniority) <= set(SENIORITY)
    assert header.salary_period in (None, "year", "month", "week", "day", "hour")
    assert set(header.employment_types) <= EMPLOYMENT_TYPES
    assert all(isinstance(flag, bool) for flag in (header.remote, header.onsite, header.hybrid))
    assert header.visa is None or isinstance(header.visa, bool)
    for amount in (header.salary_min, header.salary_max):
        assert amount is None or (isinstance(amount, float) and amount > 0)
    if header.salary_min is not None and header.salary_max is not None:
        assert header.salary_min <= header.salary_max
    has_salary = header.salary_min is not None or header.salary_max is not None
    assert header.salary_currency is None or has_salary
    assert all(re.match(r"https?://", url, re.IGNORECASE) for url in header.urls)
    assert all("@" in email for email in header.emails)
    assert len(set(header.urls)) == len(header.urls)
    assert len(set(header.emails)) == len(header.emails)


@settings(deadline=None, max_examples=300)
@given(POST_TEXTS)
def test_any_text_parses_to_documented_types(text: str) -> None:
    assert_header_types(parse_post_header(text))


@settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(html_fragments())
def test_cleaned_html_parses(html: str) -> None:
    assert_header_types(parse_post_header(html_to_text(html)))


@settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(html_fragments(), html_fragments())
def test_cleaning_does_not_depend_on_the_post_before(first: str, second: str) -> None:
    # Parsers are reused between posts; unclosed tags in one must not reach the next.
    alone = html_to_text(second)
    html_to_text(first)
    clean_html(first + "<a href='x'><pre><script>", max_chars=len(first) + 5)
    assert html_to_text(second) == alone


# Links built from the pieces that change how urljoin writes a URL back: schemes in any case,
# empty or odd hosts, queries, fragments, parameters, dot segments, brackets, non-ASCII hosts.
URL_PIECES = st.sampled_from(
    ["https://", "HTTPS://", "http://", "ftp://", "https:", "https:///", "acme.example", "ÄCME.ex",
     "[::1]", "[acme", ":8080", "/", "/jobs", "/../x", "/./y", "?", "?q=1", "#", "#top", ";p=1",
     "@", " ", "\x01", "%2F", "item?id=1", "//"]
)  # fmt: skip


@given(st.lists(URL_PIECES, min_size=1, max_size=6).map("".join))
@settings(max_examples=400)
def test_links_are_written_as_urljoin_writes_them(href: str) -> None:
    from urllib.parse import urljoin

    from hn_assets.hackernews.cleaning import HN_SITE_URL, _link_target

    written = re.sub(r"[\t\n\r]", "", href).strip()  # as a browser reads an href
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", written)
    assume(scheme is not None and scheme[1].lower() in ("http", "https", "ftp"))
    try:
        expected = urljoin(HN_SITE_URL, written)
    except ValueError:
        expected = written
    assert _link_target(href, "text") == expected
