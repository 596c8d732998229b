"""sync_month: one month of the index kept equal to its clean posts, repairing what older
races left behind and setting aside documents that cannot be indexed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hn_assets.search.documents import normalize_documents
from hn_assets.search.local_index import LocalIndex
from hn_assets.search.sync import sync_month
from tests.fakes.synthetic_posts import synthetic_posts

MONTH = "2026-11"


def _posts(n: int, seed: int = 7) -> pd.DataFrame:
    return pd.DataFrame(normalize_documents(synthetic_posts(n, months=[MONTH], seed=seed)))


def test_copies_of_a_post_left_by_an_old_race_are_repaired(tmp_path: Path) -> None:
    docs = normalize_documents(synthetic_posts(30, months=[MONTH], seed=7))
    posts = pd.DataFrame(docs)
    index = LocalIndex(tmp_path / "index")
    index.ensure_index()
    # Two copies of every post, as two overlapping refreshes of an older version left them.
    with index._writer() as writer:
        for post in docs * 2:
            writer.add_document(index._layout.document(post))
    assert index.count(months=[MONTH]) == 60

    result = sync_month(index, MONTH, posts)
    assert index.count(months=[MONTH]) == 30 == result.total
    assert index.ids_for_month(MONTH) == set(posts["id"])
    # Once repaired, a sync writes only what is new again.
    assert sync_month(index, MONTH, posts).added == 0


def test_a_post_that_breaks_the_document_contract_is_quarantined(tmp_path: Path) -> None:
    posts = _posts(10)
    posts["time"] = posts["time"].astype(object)
    victim = int(posts["id"].iloc[4])
    posts.loc[4, "time"] = "yesterday"
    with LocalIndex(tmp_path / "index") as index:
        result = sync_month(index, MONTH, posts)
        assert [(q.id, q.stage) for q in result.quarantined] == [(victim, "index")]
        assert "time" in result.quarantined[0].error
        assert index.ids_for_month(MONTH) == set(posts["id"]) - {victim}
        assert result.added == result.total == 9
