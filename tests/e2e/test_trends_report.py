"""The trends report in headless Chromium: it renders offline, logs no error, every chart has
data, and text from posts stays text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hn_assets.market.report import html_report
from hn_assets.market.stats import monthly_stats
from hn_assets.market.trends import trends, year_over_year
from tests.e2e.browsing import save_screenshot
from tests.fakes.synthetic_posts import default_months, synthetic_posts

HOSTILE = '<img src=x onerror="window.pwned=1">'


def history(months: int = 16, hostile: bool = True) -> pd.DataFrame:
    frames = []
    for index, month in enumerate(default_months(months, first="2025-01")):
        count = 60 + (index * 7) % 40
        posts = pd.DataFrame(synthetic_posts(count, months=[month], seed=index))
        if hostile and index >= months - 3:
            # A "technology" that would run if the report wrote it as HTML, rising sharply in
            # the last months: it lands in the summary, the top-10 chart and the trend table.
            posts["technologies"] = [[*names, HOSTILE] for names in posts["technologies"]]
        frames.append(monthly_stats(month, posts))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.timeout(180)
def test_the_report_renders_offline_with_data_and_no_errors(
    browser, tmp_path: Path, artifacts_dir: Path
) -> None:
    stats = history()
    report = tmp_path / "hiring_trends.html"
    report.write_text(html_report(stats, trends(stats), year_over_year(stats)))
    browser.get(report.as_uri())
    assert browser.title == "Ask HN: Who is hiring? Trends"
    charts = browser.execute_script(
        "return [...document.querySelectorAll('figure.chart')].map(f => ({"
        " id: f.parentElement.id, points: +f.dataset.points,"
        " paths: f.querySelectorAll('svg path').length,"
        " width: f.querySelector('svg').getBoundingClientRect().width}))"
    )
    assert [chart["id"] for chart in charts] == [
        "posts-per-month", "work-mode", "salary", "technologies"
    ]  # fmt: skip
    for chart in charts:
        assert chart["points"] >= 16 and chart["paths"] > 4 and chart["width"] > 300, chart
    text = browser.execute_script("return document.body.innerText")
    assert "16 months, 2025-01 to 2026-04" in text
    assert "two-proportion z-test" in text and "Year over year" in text
    assert text.count(HOSTILE) >= 2  # the summary and the trend table, as text
    # The hostile value is shown as text, never as an element, and nothing ran.
    assert browser.execute_script("return document.querySelectorAll('img, script').length") == 0
    assert browser.execute_script("return window.pwned === undefined")
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    # Nothing is fetched: every resource is inline.
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0

    # The README's picture: the same report without the hostile value.
    clean = history(hostile=False)
    report.write_text(html_report(clean, trends(clean), year_over_year(clean)))
    browser.get(report.as_uri())
    save_screenshot(browser, artifacts_dir, "trends-report.png")
