"""Alerts leave reposts out (they were seen the month before) unless a search keeps them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from hn_assets.search.alert_state import run_month_alerts
from hn_assets.search.local_index import LocalIndex
from hn_assets.search.saved_searches import SavedSearchError, load_saved_searches
from hn_assets.search.sync import sync_month
from tests.fakes.synthetic_posts import synthetic_posts

MONTH = "2026-11"


@pytest.fixture
def index(tmp_path: Path) -> Iterator[LocalIndex]:
    index = LocalIndex(tmp_path / "index")
    index.ensure_index()
    yield index
    index.close()


def saved(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "searches.yaml"
    path.write_text(text)
    return path


def test_reposts_are_left_out_unless_a_search_includes_them(
    index: LocalIndex, tmp_path: Path
) -> None:
    posts = synthetic_posts(80, months=[MONTH], seed=31)
    sync_month(index, MONTH, pd.DataFrame(posts))
    searches = load_saved_searches(
        saved(
            tmp_path,
            "searches:\n"
            "  - {name: remote, query: 'remote:true'}\n"
            "  - {name: remote-all, query: 'remote:true', include_reposts: true}\n",
        )
    )
    docs = {post["id"]: post for post in posts}
    alerts = run_month_alerts(index, searches, MONTH, tmp_path / "alerts", docs, {})
    remote = {p["id"] for p in posts if p["remote"]}
    reposts = {p["id"] for p in posts if p["repost"]}
    assert remote & reposts and remote - reposts  # the fixture has both kinds
    new = alerts.result.new_matches
    assert set(new["remote"]) == remote - reposts
    assert set(new["remote-all"]) == remote
    # The kept reposts are marked as such, with the month they were first seen.
    repost = next(p for p in posts if p["id"] in remote & reposts)
    row = next(line for line in alerts.digest.markdown.splitlines() if f"[{repost['id']}]" in line)
    assert f"repost, first seen {repost['first_seen_month']}" in row
    fresh = next(p for p in posts if p["id"] in remote - reposts)
    rows = [line for line in alerts.digest.markdown.splitlines() if f"[{fresh['id']}]" in line]
    assert rows and not any("repost" in line for line in rows)

    # Next run: nothing new, and a repost never turns up as new later.
    again = run_month_alerts(index, searches, MONTH, tmp_path / "alerts", docs, {})
    assert again.result.total_new == 0


def test_include_reposts_must_be_true_or_false(tmp_path: Path) -> None:
    path = saved(tmp_path, "searches:\n  - {name: a, query: rust, include_reposts: sometimes}\n")
    with pytest.raises(SavedSearchError, match="include_reposts of 'a' must be true or false"):
        load_saved_searches(path)
