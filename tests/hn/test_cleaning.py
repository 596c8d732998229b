"""HTML as the HN API serves it, turned into plain text."""

from __future__ import annotations

import re

import pytest

from hn_assets.hackernews.cleaning import html_to_text
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
