"""Turn the HTML of an HN comment into plain text a person (and a search index) can read.

HN serves comment text as an HTML fragment: the first paragraph is bare text and every
later paragraph starts with an unclosed ``<p>``; links are ``<a href="..." rel="nofollow">``
whose visible text may be truncated with "..."; ``*text*`` became ``<i>``; lines indented by
two spaces became ``<pre><code>``.  The plain text keeps one paragraph per block, separated by
a blank line, each link replaced by its full URL and code blocks kept verbatim.

The input is untrusted: whatever the HTML (any depth of nesting, any ``href``, any size),
cleaning returns text and never raises.  A post whose HTML or text is longer than
:data:`MAX_POST_HTML_CHARS` is cut and says so in :attr:`CleanedText.truncated`, so the
caller can record it.

What the text guarantees (tests/hn/test_cleaning_properties.py checks each):

* no ``\\r``, no line with trailing whitespace, no run of more than one blank line;
* blocks are separated by exactly one blank line, and no block is blank;
* no leading or trailing whitespace, except the indentation of a code block that opens
  the post (code is verbatim);
* nothing from inside a tag, comment, doctype or processing instruction, and nothing from
  elements whose content is not shown as text (``script``, ``style``, ``iframe``...).
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree

from hn_assets.hackernews.hn_format import HN_SITE_URL

#: Longest post HTML that is cleaned whole, and the longest text cleaning returns; longer input
#: is cut.  Real posts stay far below it, so only hostile or broken input reaches it, and it
#: bounds the work and storage one post can cause.
MAX_POST_HTML_CHARS = 100_000

_BLOCK_TAGS = frozenset({"p", "div", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr"})
# Elements whose content a reader never sees as text: code, metadata, embedded documents, and
# raw-text elements whose content would be markup kept as text ("<textarea><b>").
_SKIPPED_TAGS = frozenset(
    {
        "script",
        "style",
        "head",
        "title",
        "template",
        "iframe",
        "noembed",
        "noframes",
        "textarea",
        "xmp",
        "plaintext",
    }
)
_LINK_SCHEMES = frozenset({"http", "https", "ftp"})
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_LINE_ENDINGS = re.compile(r"\r\n?")
_BLANK_LINE_RUNS = re.compile(r"\n{3,}")
# Ingest replaces lone surrogates, but lxml cannot encode one at all: cleaning must not raise.
_SURROGATES = re.compile("[\ud800-\udfff]")
# The WHATWG URL parser drops ASCII tabs and newlines anywhere in a URL; browsers follow it.
_URL_INVISIBLES = re.compile(r"[\t\n\r]")
# An https URL with a host and no query, fragment or parameters: urljoin against the site's
# https URL parses it and writes it back as it was.
_KEPT_BY_URLJOIN = re.compile(r"https://[^/?#;][^?#;]*")
# The longest HTML entity name ("&CounterClockwiseContourIntegral;") has 33 characters.
_LONGEST_ENTITY = 33
# How far back from a cut to look for the start of a tag it splits: a tag with a long URL.
_LONGEST_TAG = 4_096
# What an HTML tokenizer reads as the start of a tag, a comment or a declaration; "a < b" is text.
_TAG_OPEN = re.compile(r"<(?:[a-zA-Z/!?]|$)")


@dataclass(frozen=True)
class CleanedText:
    """The plain text of one post and whether it had to be cut to fit the limit."""

    #: At most the limit long, in characters.
    text: str
    #: True when the HTML was longer than the limit and only its start was cleaned, or when
    #: the text came out longer than the limit (relative links grow into full URLs) and was cut.
    truncated: bool
    #: Length of the HTML as given, in characters (before any cut).
    original_chars: int


def _link_target(href: str | None, text: str) -> str:
    """What a reader wants in place of a link: its full URL, or its ``text`` when the URL is
    none.

    An ``href`` that ``urljoin`` cannot parse is kept as written: HN links exactly the text a
    poster typed, so for "[https://a.com](https://a.com/)" (markdown, which HN does not
    render) the raw href is what the poster wrote and what HN shows.  Schemes other than
    http(s), ftp and mailto (``javascript:``, ``data:``) never come from HN; their visible text
    is what a person saw.
    """
    href = _URL_INVISIBLES.sub("", href or "").strip()
    scheme = _SCHEME.match(href)
    if scheme is not None and scheme[1].lower() == "mailto":
        return href[scheme.end() :]
    if not href or (scheme is not None and scheme[1].lower() not in _LINK_SCHEMES):
        return text.replace("\n", " ")
    if scheme is not None and (scheme[1].lower() != "https" or _KEPT_BY_URLJOIN.fullmatch(href)):
        # What urljoin would return unchanged (another scheme than the site's, or an https
        # URL its parse keeps as written), spared the parse: most links are such.
        return href
    try:
        # HN links to its own items relatively ("item?id=123").
        return urljoin(HN_SITE_URL, href)
    except ValueError:
        return href


# Skipping until this depth skips the rest of the document: nothing after the body counts.
_NEVER = sys.maxsize


class _TextTarget:
    """Receives lxml's parse events and builds the text as they come, without a tree.

    libxml2 already balances the markup (implied and misnested end tags) before the events
    reach us, so every ``end`` closes the latest ``start`` and an element's content is
    whatever arrives between the two.  Nesting is only counted, never recursed into: hostile
    HTML nests far deeper than Python's recursion limit.  Events, not lxml's tree: libxml2
    builds no tree past a few hundred levels of nesting (the whole text is then lost), while
    a target is sent every element at any depth.

    Only the content of the document's first ``<body>`` counts (libxml2 opens one for any
    text, and may open more after a stray ``</html>``); a document without one, such as a
    lone ``<title>``, counts whole.  Comments, doctypes and processing instructions never
    arrive: a target without handlers for them is not sent them.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._blocks: list[str] = []
        self._inline: list[str] = []
        # Depth of the open element, counted from the body's children (or the document's).
        self._depth = 0
        # Depth of the element whose content is being skipped, or 0.
        self._skip_to = 0
        # Depth of the <a> or <pre> whose visible text is being collected, or 0.
        self._collect_to = 0
        self._collected: list[str] = []
        self._link_href: str | None = None
        self._collecting_link = False
        self._in_body = False

    # lxml's target interface.  These run once per tag and text run of every post, so the
    # common paths are written out here rather than split into helpers.

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == "body" and not self._in_body:
            # What came before the body is dropped; it counts only when no body comes.
            self.reset()
            self._in_body = True
            return
        depth = self._depth = self._depth + 1
        if self._skip_to:
            return
        if tag in _SKIPPED_TAGS:
            self._skip_to = depth
        elif self._collect_to:
            # Inside a link or code block only text and line breaks count: a block tag in a
            # link does not split its paragraph, a link in code shows its text.
            if tag == "br":
                self._collected.append("\n")
                self._skip_to = depth
        elif tag == "a":
            self._start_collecting(depth, link=True, href=attrib.get("href"))
        elif tag == "br":
            self._inline.append("\n")
            self._skip_to = depth
        elif tag == "pre":
            self._start_collecting(depth, link=False, href=None)
        elif tag in _BLOCK_TAGS:
            self._break_block()

    def end(self, tag: str) -> None:
        depth = self._depth
        self._depth = depth - 1
        if self._skip_to:
            if depth == self._skip_to:
                self._skip_to = 0
        elif self._collect_to:
            if depth == self._collect_to:
                self._collect_to = 0
                text = "".join(self._collected)
                if self._collecting_link:
                    self._inline.append(_link_target(self._link_href, text))
                else:
                    self._add_verbatim(text)
        elif tag in _BLOCK_TAGS:
            self._break_block()
        elif depth == 0:
            # Only the body's own end comes at depth 0 (its children have all closed).
            self._skip_to = _NEVER

    def data(self, text: str) -> None:
        if self._skip_to:
            return
        if self._collect_to:
            self._collected.append(text)
        else:
            # A newline in HTML source is just a space; only <br> breaks a line.
            self._inline.append(text.replace("\n", " "))

    def close(self) -> str:
        self._break_block()
        text = "\n\n".join(self._blocks)
        self.reset()
        return text

    def _start_collecting(self, depth: int, *, link: bool, href: str | None) -> None:
        self._collect_to = depth
        self._collecting_link = link
        self._link_href = href
        self._collected = []

    def _break_block(self) -> None:
        if not self._inline:
            return
        text = "".join(self._inline)
        self._inline = []
        # Each run of whitespace (Unicode, as regex \s means it) becomes one space.
        lines = (" ".join(line.split()) for line in text.split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            self._blocks.append(paragraph)

    def _add_verbatim(self, text: str) -> None:
        self._break_block()
        text = _LINE_ENDINGS.sub("\n", text).replace("\u00a0", " ")
        code = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
        # A run of blank lines would read as several paragraph breaks; one keeps the shape.
        code = _BLANK_LINE_RUNS.sub("\n\n", code)
        if code.strip():
            self._blocks.append(code)


# One parser per thread: creating one costs more than parsing a typical post, and a parser
# (with its target's state) must not be shared between threads.
_PARSERS = threading.local()


def _parse_to_text(html: str) -> str:
    parser: etree.HTMLParser | None = getattr(_PARSERS, "parser", None)
    target: _TextTarget
    if parser is None:
        target = _TextTarget()
        # recover: repair any markup as a browser would rather than raise.
        parser = etree.HTMLParser(target=target, recover=True)
        _PARSERS.parser = parser
        _PARSERS.target = target
    else:
        target = _PARSERS.target
    try:
        parser.feed(html)
        return parser.close()
    except BaseException:
        # Whatever stopped this parse, a new parser cannot carry any of its state into the next.
        _PARSERS.parser = None
        raise


def _cut(html: str, limit: int) -> str:
    """The first ``limit`` characters of ``html``, ending before any tag or entity they split."""
    cut = html[:limit]
    # A tag cut in two has no ">"; cut before it rather than leave the parser to guess.  A
    # stray "<" far before the end is text, not a tag, so only look back one long tag.
    tag_start = cut.rfind("<", max(0, limit - _LONGEST_TAG))
    if tag_start != -1 and ">" not in cut[tag_start:] and _TAG_OPEN.match(cut, tag_start):
        cut = cut[:tag_start]
    # "&am" is not "&amp" cut short to the parser: it would stay as literal text.
    entity_start = cut.rfind("&", max(0, len(cut) - _LONGEST_ENTITY))
    if entity_start != -1 and ";" not in cut[entity_start:]:
        cut = cut[:entity_start]
    return cut


def _cut_text(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, ending at a word's end when one is near."""
    cut = text[:limit]
    if len(text) > limit and not text[limit].isspace():
        # Half a word (or half a URL) reads as a different one: drop it.
        start = max(0, limit - _LONGEST_TAG)
        space = max(cut.rfind(" ", start), cut.rfind("\n", start))
        if space > 0:
            cut = cut[:space]
    return cut.rstrip()


def clean_html(html: str, max_chars: int = MAX_POST_HTML_CHARS) -> CleanedText:
    """Plain text of an HN comment (see :func:`html_to_text`), at most ``max_chars`` long.

    When ``html`` is longer than ``max_chars`` only its start is cleaned, and when the text
    comes out longer it is cut; either way the result has ``truncated=True``: record the
    post's id so the cut is visible, the text is still usable.  Never raises for any ``str``.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    original_chars = len(html)
    truncated = original_chars > max_chars
    if truncated:
        html = _cut(html, max_chars)
    if not html or html.isspace():
        return CleanedText("", truncated, original_chars)
    if not html.isascii():
        html = _SURROGATES.sub("\ufffd", html)
    # A leading byte order mark belongs to the encoding, not the text.
    text = _parse_to_text(html[1:] if html[0] == "\ufeff" else html)
    if len(text) > max_chars:
        text = _cut_text(text, max_chars)
        truncated = True
    return CleanedText(text, truncated, original_chars)


def html_to_text(html: str) -> str:
    """Plain text of an HN comment: paragraphs separated by one blank line, entities decoded,
    links as their URL, ``<pre><code>`` blocks kept line by line.

    HTML longer than :data:`MAX_POST_HTML_CHARS` is cut first; use :func:`clean_html` to
    learn whether that happened.
    """
    return clean_html(html).text
