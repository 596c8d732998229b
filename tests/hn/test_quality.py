"""Data-quality rules: no_html_left (markup the cleaner leaked fails it; markup the author
typed, which HN escaped, is text and passes), the index, model and postings verdicts."""

import pandas as pd
import pytest

from hn_assets import quality
from hn_assets.hackernews.cleaning import html_to_text
from hn_assets.quality import no_html_left


def _frames(html: str, text: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = pd.DataFrame({"id": [1], "text": [html]})
    clean = pd.DataFrame({"id": [1], "text": [html_to_text(html) if text is None else text]})
    return clean, raw


@pytest.mark.parametrize(
    "html",
    [
        "Email me at jo &lt;at&gt; acme &lt;dot&gt; com",
        'Staff: &lt;<a href="https:&#x2F;&#x2F;a.com&#x2F;jobs?x=1">https:&#x2F;&#x2F;a.com</a>&gt;',
        '<a href="https:&#x2F;&#x2F;a.com&#x2F;?a=1&amp;amp;b=2">link</a>',
        "I typed &amp;#39; and &lt;p&gt; on purpose",
    ],
)
def test_markup_the_author_typed_is_text(html):
    clean, raw = _frames(html)
    assert no_html_left(clean, raw).passed


@pytest.mark.parametrize("leak", ["<p>", "</i>", '<a href="x">', "&amp;", "&#x2F;"])
def test_markup_the_cleaner_leaked_fails(leak):
    html = "Acme | Remote<p>We hire"
    clean, raw = _frames(html, text=f"Acme | Remote {leak} We hire")
    verdict = no_html_left(clean, raw)
    assert not verdict.passed and verdict.metadata["examples"] == [1]
    assert not no_html_left(clean).passed  # without the raw HTML, every leftover counts


def test_index_matches_posts_names_what_is_missing_unexpected_or_doubled():
    assert quality.index_matches_posts({1, 2}, {1, 2}, set(), documents=2).passed
    # A quarantined post may still sit in the index from an earlier run.
    assert quality.index_matches_posts({1, 2, 9}, {1, 2}, {9}, documents=3).passed
    missing = quality.index_matches_posts({1}, {1, 2}, set(), documents=1)
    assert not missing.passed and missing.metadata["missing_examples"] == [2]
    stray = quality.index_matches_posts({1, 2, 3}, {1, 2}, set(), documents=3)
    assert not stray.passed and stray.metadata["unexpected_examples"] == [3]
    doubled = quality.index_matches_posts({1, 2}, {1, 2}, set(), documents=3)
    assert not doubled.passed and "1 duplicate" in doubled.description


def test_bits_per_char():
    assert quality.below_bits_per_char(2.0, 4.5, "unigram_bpc").passed
    assert not quality.below_bits_per_char(4.5, 4.5, "unigram_bpc").passed
