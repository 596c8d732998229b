"""Search documents from clean_posts rows: the Parquet/pandas forms and contract checks."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hn_assets.search.documents import (
    frame_records,
    normalize_document,
    normalize_documents,
)
from hn_assets.search.errors import IndexWriteError
from hn_assets.search.schema import POST_SCHEMA
from tests.fakes.synthetic_posts import synthetic_posts


def same(left: dict, right: dict) -> bool:
    def key(value: object) -> object:
        return "NaN" if isinstance(value, float) and math.isnan(value) else value

    return {k: key(v) for k, v in left.items()} == {k: key(v) for k, v in right.items()}


def test_a_parquet_round_trip_normalises_to_the_original_rows(tmp_path: Path) -> None:
    posts = synthetic_posts(40, months=["2026-11"], seed=41)
    posts[0].update(company=None, visa=None, locations=[], salary_min=math.nan)
    path = tmp_path / "clean_posts.parquet"
    pd.DataFrame(posts).to_parquet(path)
    rows = frame_records(pd.read_parquet(path))
    assert isinstance(rows[1]["roles"], np.ndarray)  # what the careful path has to handle
    normalized = normalize_documents(rows)
    assert all(same(got, want) for got, want in zip(normalized, posts, strict=True))
    assert all(type(doc["roles"]) is list and type(doc["id"]) is int for doc in normalized)
    assert all(list(doc) == list(POST_SCHEMA.columns) for doc in normalized)


def test_numpy_scalars_and_missing_optional_columns_are_accepted() -> None:
    post = synthetic_posts(1, seed=42)[0]
    row = {
        "id": np.int64(post["id"]),
        "month": post["month"],
        "time": np.int64(post["time"]),
        "text": post["text"],
        "remote": np.bool_(True),
        "company": float("nan"),
    }
    doc = normalize_document(row)
    assert doc["id"] == post["id"] and type(doc["id"]) is int
    assert doc["remote"] is True and doc["company"] is None and doc["visa"] is None
    assert doc["roles"] == [] and math.isnan(doc["salary_max"])
    assert doc["hn_url"] == f"https://news.ycombinator.com/item?id={post['id']}"


def test_a_repeated_id_keeps_the_last_row() -> None:
    first, second = synthetic_posts(2, seed=43)
    again = {**first, "text": "edited"}
    assert [d["text"] for d in normalize_documents([first, second, again])][-1] == "edited"
    assert len(normalize_documents([first, second, again])) == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "12"}, "id: expected an integer"),
        ({"id": True}, "id: expected an integer"),
        ({"month": "2026-1"}, "YYYY-MM"),
        ({"text": None}, "text: expected a string"),
        ({"roles": "Engineer"}, "roles: expected a list of strings"),
        ({"locations": ["Berlin", 3]}, "locations: expected a list of strings"),
        ({"visa": "yes"}, "visa: expected true, false or None"),
        ({"salary_min": "100k"}, "salary_min: expected a number"),
    ],
)
def test_contract_violations_name_the_column(change: dict, message: str) -> None:
    post = {**synthetic_posts(1, seed=44)[0], **change}
    with pytest.raises(IndexWriteError) as raised:
        normalize_documents([synthetic_posts(1, seed=45)[0], post])
    (problem,) = raised.value.failures
    assert problem.position == 1 and message in problem.reason
