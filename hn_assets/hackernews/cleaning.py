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
import warnings
from dataclasses import dataclass
from urllib.parse import urljoin

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PreformattedString, Tag

# A post that is only a URL, or that starts like an XML document, is still a comment fragment:
# bs4's guesses otherwise would only add noise to every run's log.
for _category in (MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning):
    warnings.filterwarnings("ignore", category=_category, module=re.escape(__name__) + "$")

HN_BASE_URL = "https://news.ycombinator.com/"

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


def _link_target(anchor: Tag) -> str:
    """What a reader wants in place of a link: its full URL, or its text when the URL is none.

    An ``href`` that ``urljoin`` cannot parse is kept as written: HN links exactly the text a
    poster typed, so for "[https://a.com](https://a.com/)" (markdown, which HN does not
    render) the raw href is what the poster wrote and what HN shows.  Schemes other than
    http(s), ftp and mailto (``javascript:``, ``data:``) never come from HN; their visible text
    is what a person saw.
    """
    href = _URL_INVISIBLES.sub("", str(anchor.get("href") or "")).strip()
    scheme = _SCHEME.match(href)
    if scheme is not None and scheme[1].lower() == "mailto":
        return href[scheme.end() :]
    if not href or (scheme is not None and scheme[1].lower() not in _LINK_SCHEMES):
        return _visible_text(anchor).replace("\n", " ")
    try:
        # HN links to its own items relatively ("item?id=123").
        return urljoin(HN_BASE_URL, href)
    except ValueError:
        return href


def _visible_text(root: Tag) -> str:
    """The text inside ``root`` that a reader sees (``Tag.get_text`` keeps raw-text elements'
    markup, "<xmp><b>", and ignores ``<br>``)."""
    parts: list[str] = []
    # An explicit stack: see _TextBuilder.walk.
    stack: list[object] = list(reversed(root.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):
                parts.append(str(node))
        elif isinstance(node, Tag):
            if node.name == "br":
                parts.append("\n")
            elif node.name not in _SKIPPED_TAGS:
                stack.extend(reversed(node.contents))
    return "".join(parts)


# Marks, on the walk's stack, where the children of a block element end.
_END_BLOCK = object()


class _TextBuilder:
    def __init__(self) -> None:
        self.blocks: list[str] = []
        self._inline: list[str] = []

    def add_inline(self, text: str) -> None:
        self._inline.append(text)

    def break_block(self) -> None:
        if not self._inline:
            return
        text = "".join(self._inline)
        self._inline = []
        # Each run of whitespace (Unicode, as regex \s means it) becomes one space.
        lines = (" ".join(line.split()) for line in text.split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            self.blocks.append(paragraph)

    def add_verbatim(self, text: str) -> None:
        self.break_block()
        text = _LINE_ENDINGS.sub("\n", text).replace("\u00a0", " ")
        code = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
        # A run of blank lines would read as several paragraph breaks; one keeps the shape.
        code = _BLANK_LINE_RUNS.sub("\n\n", code)
        if code.strip():
            self.blocks.append(code)

    def walk(self, root: Tag) -> None:
        # An explicit stack, not recursion: hostile HTML nests tags far deeper than Python's
        # recursion limit.
        stack: list[object] = list(reversed(root.contents))
        while stack:
            node = stack.pop()
            if node is _END_BLOCK:
                self.break_block()
            elif isinstance(node, NavigableString):
                # Comments, doctypes, CDATA and processing instructions are markup, not text.
                if not isinstance(node, PreformattedString):
                    # A newline in HTML source is just a space; only <br> breaks a line.
                    self.add_inline(str(node).replace("\n", " "))
            elif isinstance(node, Tag):
                name = node.name
                if name in _SKIPPED_TAGS:
                    continue
                if name == "a":
                    self.add_inline(_link_target(node))
                elif name == "br":
                    self.add_inline("\n")
                elif name == "pre":
                    self.add_verbatim(_visible_text(node))
                elif name in _BLOCK_TAGS:
                    self.break_block()
                    stack.append(_END_BLOCK)
                    stack.extend(reversed(node.contents))
                else:
                    stack.extend(reversed(node.contents))


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
    soup = BeautifulSoup(html, "lxml")
    builder = _TextBuilder()
    builder.walk(soup.body if soup.body is not None else soup)
    builder.break_block()
    text = "\n\n".join(builder.blocks)
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
