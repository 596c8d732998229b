"""Turn the HTML of an HN comment into plain text a person (and a search index) can read.

HN serves comment text as an HTML fragment: the first paragraph is bare text and every
later paragraph starts with an unclosed ``<p>``; links are ``<a href="..." rel="nofollow">``
whose visible text may be truncated with "..."; ``*text*`` became ``<i>``; lines indented by
two spaces became ``<pre><code>``.  The plain text keeps one paragraph per block, separated by
a blank line, each link replaced by its full URL and code blocks kept verbatim.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

HN_BASE_URL = "https://news.ycombinator.com/"

_BLOCK_TAGS = frozenset({"p", "div", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr"})
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title"})
_SPACES = re.compile(r"\s+")


def _link_target(anchor: Tag) -> str:
    href = str(anchor.get("href") or "").strip()
    if not href:
        return anchor.get_text()
    if href.lower().startswith("mailto:"):
        return href[len("mailto:") :]
    # HN links to its own items relatively ("item?id=123").
    return urljoin(HN_BASE_URL, href)


class _TextBuilder:
    def __init__(self) -> None:
        self.blocks: list[str] = []
        self._inline: list[str] = []

    def add_inline(self, text: str) -> None:
        self._inline.append(text)

    def break_block(self) -> None:
        text = "".join(self._inline)
        self._inline = []
        lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            self.blocks.append(paragraph)

    def add_verbatim(self, text: str) -> None:
        self.break_block()
        code = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
        code = code.strip("\n")
        if code.strip():
            self.blocks.append(code)

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                # A newline in HTML source is just a space; only <br> breaks a line.
                self.add_inline(str(child).replace("\n", " "))
            elif isinstance(child, Tag):
                name = child.name
                if name in _SKIPPED_TAGS:
                    continue
                if name == "a":
                    self.add_inline(_link_target(child))
                elif name == "br":
                    self.add_inline("\n")
                elif name == "pre":
                    self.add_verbatim(child.get_text())
                elif name in _BLOCK_TAGS:
                    self.break_block()
                    self.walk(child)
                    self.break_block()
                else:
                    self.walk(child)


def html_to_text(html: str) -> str:
    """Plain text of an HN comment: paragraphs separated by one blank line, entities decoded,
    links as their URL, ``<pre><code>`` blocks kept line by line."""
    if not html or not html.strip():
        return ""
    soup = BeautifulSoup(html, "lxml")
    builder = _TextBuilder()
    builder.walk(soup.body if soup.body is not None else soup)
    builder.break_block()
    return "\n\n".join(builder.blocks).replace("\u00a0", " ")
