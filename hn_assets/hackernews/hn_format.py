"""HN's own comment formatter, so that generated posts carry exactly the HTML the API serves.

Rules of news.ycombinator.com/formatdoc: blank lines separate paragraphs (every paragraph
after the first starts with a bare ``<p>``), text after a blank line that is indented by two
or more spaces is reproduced verbatim in ``<pre><code>``, ``*text*`` is italicised, URLs
become ``<a href=... rel="nofollow">`` with long link texts truncated, and the characters
``& < > " ' /`` are written as entities.
"""

from __future__ import annotations

import re

#: The site itself: posts link to its items relative to it.
HN_SITE_URL = "https://news.ycombinator.com/"


def item_url(item_id: int) -> str:
    """An item's page on Hacker News (a post, a thread, a comment)."""
    return f"{HN_SITE_URL}item?id={item_id}"


_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "/": "&#x2F;"}
)
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
_ITALIC = re.compile(r"\*(\S(?:[^*\n]*\S)?)\*")
_LINK_TEXT_LIMIT = 60


def hn_escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _inline(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        pieces.append(_ITALIC.sub(r"<i>\1</i>", hn_escape(text[position : match.start()])))
        url = match.group(0)
        shown = url if len(url) <= _LINK_TEXT_LIMIT else url[: _LINK_TEXT_LIMIT - 3] + "..."
        pieces.append(f'<a href="{hn_escape(url)}" rel="nofollow">{hn_escape(shown)}</a>')
        position = match.end()
    pieces.append(_ITALIC.sub(r"<i>\1</i>", hn_escape(text[position:])))
    return "".join(pieces)


def render_comment_html(plain: str) -> str:
    """The HTML HN stores for a comment typed as ``plain``."""
    rendered: list[str] = []
    for paragraph in re.split(r"\n[ \t]*\n", plain.strip("\n")):
        lines = paragraph.split("\n")
        if all(line.startswith("  ") for line in lines if line):
            rendered.append("<pre><code>" + hn_escape("\n".join(lines)) + "\n</code></pre>")
        else:
            rendered.append(_inline(" ".join(line.strip() for line in lines)))
    return "<p>".join(rendered)
