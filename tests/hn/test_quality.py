"""The no_html_left rule: markup the cleaner leaked fails it; markup the author typed (HN
escaped it) is text and passes."""

import pandas as pd
import pytest

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
