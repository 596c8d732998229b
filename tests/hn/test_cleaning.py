"""HTML as the HN API serves it, turned into plain text."""

from __future__ import annotations

import re

import pytest

from hn_assets.hackernews.cleaning import (
    MAX_POST_HTML_CHARS,
    CleanedText,
    clean_html,
    html_to_text,
)
from hn_assets.hackernews.hn_format import render_comment_html
from hn_assets.hackernews.sample_archive import load_sample_archive

CASES = [
    pytest.param(
        "Acme | Backend Engineer | SF | ONSITE<p>We&#x27;re building payments.<p>Apply below.",
        "Acme | Backend Engineer | SF | ONSITE\n\nWe're building payments.\n\nApply below.",
        id="bare-p-paragraphs",
    ),
    pytest.param(
        "R&amp;D &gt; sales &amp; &quot;growth&quot; at AT&amp;T&#x2F;Verizon &lt;3",
        'R&D > sales & "growth" at AT&T/Verizon <3',
        id="entities",
    ),
    pytest.param(
        'Apply: <a href="https:&#x2F;&#x2F;acme.com&#x2F;jobs&#x2F;backend-engineer-payments-platform-2026?ref=hn" '
        'rel="nofollow">https:&#x2F;&#x2F;acme.com&#x2F;jobs&#x2F;backend-engineer-payments-platfo...</a>',
        "Apply: https://acme.com/jobs/backend-engineer-payments-platform-2026?ref=hn",
        id="truncated-link-becomes-full-url",
    ),
    pytest.param(
        'See <a href="item?id=45001234">item?id=45001234</a> for last month.',
        "See https://news.ycombinator.com/item?id=45001234 for last month.",
        id="relative-hn-link",
    ),
    pytest.param(
        "We <i>really</i> care about tests.<p><i>Senior Engineer</i><p>- Own the API",
        "We really care about tests.\n\nSenior Engineer\n\n- Own the API",
        id="italics-kept-as-text",
    ),
    pytest.param(
        "Tell us what this prints:<p><pre><code>  echo &#x27;aGk=&#x27; | base64 -d\n"
        "  for i in range(3):\n      print(i)\n</code></pre>\nThanks!",
        "Tell us what this prints:\n\n  echo 'aGk=' | base64 -d\n  for i in range(3):\n      print(i)"
        "\n\nThanks!",
        id="pre-code-verbatim",
    ),
    pytest.param(
        "Spaces   collapse\n across  lines<p><p>  <p>Empty paragraphs vanish",
        "Spaces collapse across lines\n\nEmpty paragraphs vanish",
        id="whitespace",
    ),
    pytest.param(
        "Caf&eacute; &#8212; Z&#xFC;rich&nbsp;office",
        "Café — Zürich office",
        id="named-and-numeric",
    ),
    pytest.param("", "", id="empty"),
    pytest.param("<p>", "", id="markup-only"),
]


@pytest.mark.parametrize(("html", "text"), CASES)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_formatter_and_cleaner_round_trip() -> None:
    plain = (
        "Quill | Data Engineer | Berlin\n\n"
        "We're *small* & fast; see https://quill.dev/jobs/data-engineer-berlin-2026-with-a-very-long-slug\n\n"
        "  SELECT 1;\n  SELECT 2;\n\n"
        'Say "hi" at jobs@quill.dev / 50% remote'
    )
    html = render_comment_html(plain)
    assert "&#x2F;&#x2F;" in html and "&#x27;" in html and "&quot;" in html and "&amp;" in html
    assert "<i>small</i>" in html and "<pre><code>" in html and "...</a>" in html
    assert html_to_text(html) == plain.replace("*small*", "small")


TAG_OR_ENTITY = re.compile(r"</?[a-zA-Z][^>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")


def test_every_sample_post_cleans_to_plain_text() -> None:
    archive = load_sample_archive()
    month = archive.months[-1]
    thread = archive.items[archive.hiring_thread_id(month)]
    texts = [html_to_text(archive.items[kid].get("text", "")) for kid in thread["kids"]]
    alive = [
        text
        for kid, text in zip(thread["kids"], texts, strict=True)
        if not archive.items[kid].get("deleted") and not archive.items[kid].get("dead")
    ]
    assert all(alive), "an alive post cleaned to empty text"
    assert not [t for t in alive if TAG_OR_ENTITY.search(t)]
    assert sum("https://" in t for t in alive) > len(alive) * 0.8
    assert not [t for t in alive if re.search(r"https?://\S*\.\.\.", t)], "truncated link text kept"


# --- hostile input (issue #11): nothing may raise, and no post is kept whole past the cap --


@pytest.mark.parametrize(
    ("html", "text"),
    [
        pytest.param(
            # HN autolinks what a poster typed; markdown "[url](url)" puts "](" in the host,
            # which urljoin rejects ("Invalid IPv6 URL").
            'Acme | Remote | [<a href="https:&#x2F;&#x2F;acme.example](https:&#x2F;&#x2F;'
            'acme.example&#x2F;)" rel="nofollow">https:&#x2F;&#x2F;acme.example](https:&#x2F;&#x2F;'
            "acme.example&#x2F;)</a>",
            "Acme | Remote | [https://acme.example](https://acme.example/)",
            id="markdown-link-in-href",
        ),
        pytest.param(
            '<a href="http://[::1">[::1</a> and <a href="https://a.example:99999999/x">port</a>',
            "http://[::1 and https://a.example:99999999/x",
            id="unparsable-host-or-port-kept-as-written",
        ),
        pytest.param(
            '<a href="javascript:alert(1)">click</a> <a href="JaVaScRiPt:x">here</a> '
            '<a href="data:text/html,hi">data</a>',
            "click here data",
            id="script-and-data-links-show-their-text",
        ),
        pytest.param(
            '<a href="mailto:jobs@acme.example">write</a> <a href="">empty</a> <a>bare</a>',
            "jobs@acme.example empty bare",
            id="mailto-and-missing-href",
        ),
        pytest.param(
            '<a href="https://acme.example/jo\nbs\t">x</a>',
            "https://acme.example/jobs",
            id="tabs-and-newlines-in-href-dropped-like-a-browser",
        ),
    ],
)
def test_links_never_raise(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_huge_href_does_not_raise() -> None:
    html = '<a href="https://[' + "]" * 50_000 + '">x</a> after'
    assert html_to_text(html).endswith(" after")


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        pytest.param("<i>", "</i>", id="i"),
        pytest.param("<div>", "</div>", id="div"),
        pytest.param("<p>", "</p>", id="p-closes-itself"),
        pytest.param("<b><div>", "</div></b>", id="mixed"),
        pytest.param("<i>", "", id="unclosed"),
        pytest.param("<div><i>", "", id="mixed-unclosed"),
    ],
)
def test_deep_nesting(opening: str, closing: str) -> None:
    # Far deeper than Python's recursion limit; fits under the size cap up to "deep text".
    depth = 10_000
    html = opening * depth + "deep text" + closing * depth + "<p>tail"
    cleaned = clean_html(html)
    assert cleaned.text.startswith("deep text")
    assert cleaned.truncated or cleaned.text.endswith("tail")
    assert "<" not in cleaned.text


def test_deep_nesting_inside_pre_and_link() -> None:
    html = "<pre><code>" + "<i>" * 10_000 + "  code()" + "</i>" * 10_000 + "</code></pre>"
    assert html_to_text(html) == "  code()"
    html = '<a href="">' + "<b>" * 10_000 + "label" + "</b>" * 10_000 + "</a>"
    assert html_to_text(html) == "label"


def test_short_post_is_not_truncated() -> None:
    html = "Acme | Engineer<p>Apply."
    assert clean_html(html) == CleanedText("Acme | Engineer\n\nApply.", False, len(html))


def test_oversized_post_is_cut_and_says_so() -> None:
    paragraph = "<p>" + "word " * 200
    html = "Acme | Engineer" + paragraph * (2_000_000 // len(paragraph))  # about 2 MB
    cleaned = clean_html(html)
    assert cleaned.truncated and cleaned.original_chars == len(html)
    assert cleaned.text.startswith("Acme | Engineer\n\nword word")
    assert len(cleaned.text) <= MAX_POST_HTML_CHARS
    assert html_to_text(html) == cleaned.text


def test_text_that_grows_past_the_limit_is_cut_too() -> None:
    # Each 10-character relative link becomes a 30-character URL.
    html = '<a href="a">x</a> ' * (MAX_POST_HTML_CHARS // 20)
    assert len(html) < MAX_POST_HTML_CHARS
    cleaned = clean_html(html)
    assert cleaned.truncated and len(cleaned.text) <= MAX_POST_HTML_CHARS
    assert cleaned.text.endswith(" https://news.ycombinator.com/a")


def test_post_exactly_at_the_limit_is_whole() -> None:
    html = "x" * MAX_POST_HTML_CHARS
    assert clean_html(html) == CleanedText(html, False, MAX_POST_HTML_CHARS)
    assert clean_html(html + "y").truncated


@pytest.mark.parametrize(
    ("html", "limit", "text"),
    [
        pytest.param(
            'Apply at <a href="https://acme.example/jobs">x</a>', 14, "Apply at", id="tag"
        ),
        pytest.param("Fish &amp; chips &amp; more", 18, "Fish & chips", id="entity"),
        pytest.param("R&D and AT&T are here", 11, "R&D and AT", id="bare-ampersand"),
        pytest.param("a < b and more", 5, "a < b", id="stray-less-than"),
    ],
)
def test_cut_never_splits_a_tag_or_entity(html: str, limit: int, text: str) -> None:
    cleaned = clean_html(html, max_chars=limit)
    assert cleaned == CleanedText(text, True, len(html))


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        clean_html("x", max_chars=0)


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("a<textarea><p>x</p></textarea>b", id="textarea"),
        pytest.param("a<xmp><b>x</b></xmp>b", id="xmp"),
        pytest.param("a<iframe><b>x</b></iframe>b", id="iframe"),
        pytest.param("a<script>if (a<b) {}</script>b", id="script"),
        pytest.param("a<!DOCTYPE html><?php echo 1; ?><![CDATA[x]]><!-- c -->b", id="declarations"),
        pytest.param('a<a href="javascript:x"><xmp><b>x</b></xmp><!-- c --></a>b', id="link-text"),
    ],
)
def test_markup_is_never_text(html: str) -> None:
    assert html_to_text(html) == "ab"


def test_code_keeps_only_what_a_reader_sees() -> None:
    html = "<pre><code>  a()<br>  b()<xmp><b>x</b></xmp><!-- c --></code></pre>"
    assert html_to_text(html) == "  a()\n  b()"


def test_carriage_returns_and_blank_runs_in_code() -> None:
    html = "<pre><code>  a\r\n\r\n\r\n\r  b\u00a0\n\n\n</code></pre>"
    assert html_to_text(html) == "  a\n\n  b"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        pytest.param("a\ud800b<p>\udcff", "a\ufffdb\n\n\ufffd", id="lone-surrogates"),
        pytest.param("a\x00b", "a\ufffdb", id="nul"),
        pytest.param("https://acme.example/jobs", "https://acme.example/jobs", id="only-a-url"),
        pytest.param("<?xml version='1.0'?>Acme<p>Remote", "Acme\n\nRemote", id="xml-prolog"),
    ],
)
# cleaning.py silences bs4's "looks like a URL / like XML" guesses when it is imported, but
# pytest resets warning filters around every test.
@pytest.mark.filterwarnings("ignore::bs4.MarkupResemblesLocatorWarning")
@pytest.mark.filterwarnings("ignore::bs4.XMLParsedAsHTMLWarning")
def test_odd_input_still_cleans(html: str, text: str) -> None:
    assert html_to_text(html) == text


# --- the streaming cleaner keeps one parser per thread: no post may see another's state ----


@pytest.mark.parametrize(
    "unfinished",
    [
        pytest.param('Apply <a href="https://acme.example/jobs">here', id="open-link"),
        pytest.param("<pre><code>  code()", id="open-code"),
        pytest.param("<script>if (a<b) {", id="open-script"),
        pytest.param("<textarea>", id="open-textarea"),
        pytest.param("<div><ul><li>item", id="open-blocks"),
        pytest.param("<i>" * 5_000, id="open-deep"),
        pytest.param("<body>a</body></html>b", id="closed-body"),
    ],
)
def test_an_unfinished_post_does_not_leak_into_the_next(unfinished: str) -> None:
    html_to_text(unfinished)
    assert html_to_text("Acme<p>Remote") == "Acme\n\nRemote"


def test_a_failure_mid_post_does_not_leak_into_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    from hn_assets.hackernews import cleaning

    def broken_link_target(href: str | None, text: str) -> str:
        raise RuntimeError("stopped mid-post")

    monkeypatch.setattr(cleaning, "_link_target", broken_link_target)
    with pytest.raises(RuntimeError, match="mid-post"):
        html_to_text('<div>Apply <a href="https://acme.example/">here</a> now')
    monkeypatch.undo()
    assert html_to_text("Acme<p>Remote") == "Acme\n\nRemote"


def test_threads_clean_independently() -> None:
    from concurrent.futures import ThreadPoolExecutor

    archive = load_sample_archive()
    htmls = [item["text"] for item in archive.items.values() if item.get("text")][:400]
    expected = [html_to_text(html) for html in htmls]
    with ThreadPoolExecutor(max_workers=4) as pool:
        # Each thread cleans every post, so the threads' parses interleave.
        runs = list(pool.map(lambda _: [html_to_text(html) for html in htmls], range(4)))
    assert all(run == expected for run in runs)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        pytest.param(
            "<!DOCTYPE html><html><head><title>Jobs</title><style>p {}</style>"
            "<meta charset=utf-8></head><body>Acme<p>Remote</body></html>",
            "Acme\n\nRemote",
            id="whole-document",
        ),
        pytest.param("<title>Jobs</title>  Acme", "Acme", id="head-then-text"),
        pytest.param("<title>Jobs</title>", "", id="head-only"),
        pytest.param("\ufeffAcme<p>Remote", "Acme\n\nRemote", id="byte-order-mark"),
        pytest.param(
            "<b>" * 300 + "deep" + "</b>" * 300 + "<p>tail", "deep\n\ntail", id="past-tree-depth"
        ),
    ],
)
def test_documents_and_odd_shapes(html: str, text: str) -> None:
    assert html_to_text(html) == text
