"""Frames as typed Dagster metadata: what the UI shows for each table asset."""

import re

import numpy as np
import pandas as pd

from hn_assets.defs.metadata import (
    MAX_CELL_CHARS,
    counts_value,
    quarantined_value,
    schema_of_fields,
    table_metadata,
    table_value,
)
from hn_assets.hackernews.posts import CLEAN_POST_COLUMNS
from hn_assets.quarantine import QuarantinedPost


def test_the_clean_posts_schema_names_every_column_with_its_help():
    schema = schema_of_fields()
    assert [column.name for column in schema.columns] == list(CLEAN_POST_COLUMNS)
    assert all(column.description for column in schema.columns)
    types = {column.name: column.type for column in schema.columns}
    assert types["technologies"] == "list[string]" and types["salary_max"] == "float"


def test_standard_row_count_and_column_schema():
    frame = pd.DataFrame({"id": [1, 2], "remote": [True, False], "title": ["a", "b"]})
    metadata = table_metadata(frame)
    assert metadata["dagster/row_count"].value == 2
    assert [(c.name, c.type) for c in metadata["dagster/column_schema"].columns] == [
        ("id", "int"),
        ("remote", "bool"),
        ("title", "string"),
    ]


def test_cells_hold_what_a_post_holds_without_breaking_the_table():
    frame = pd.DataFrame(
        {
            "company": ["A | B <script>", None, "x" * 1000],
            "roles": [["Engineer", "Designer"], np.array(["SRE"]), []],
            "salary": [np.float64(150000.0), float("nan"), np.int64(3)],
        }
    )
    records = [record.data for record in table_value(frame).records]
    assert records[0] == {
        "company": "A | B <script>",
        "roles": "Engineer, Designer",
        "salary": 150000.0,
    }
    assert records[1]["company"] is None and records[1]["salary"] is None
    assert records[1]["roles"] == "SRE"
    assert len(records[2]["company"]) == MAX_CELL_CHARS and records[2]["company"].endswith("…")
    assert isinstance(records[2]["salary"], float | int) and records[2]["roles"] == ""


def test_counts_skip_blanks_and_order_by_frequency():
    value = counts_value(["Berlin", "NYC", "Berlin", None, "  ", "Berlin"], "location")
    assert [record.data for record in value.records] == [
        {"location": "Berlin", "posts": 3},
        {"location": "NYC", "posts": 1},
    ]
    assert counts_value([], "location").records == []


def test_quarantined_posts_link_to_hn():
    value = quarantined_value([QuarantinedPost(7, "clean", "ValueError: bad")])
    assert value.records[0].data == {
        "post": 7,
        "link": "https://news.ycombinator.com/item?id=7",
        "stage": "clean",
        "error": "ValueError: bad",
    }
    assert quarantined_value([]).records == []


def test_the_sample_post_shows_a_hostile_post_as_text():
    from hn_assets.reporting import sample_post_markdown

    post = {"text": "Acme | <img src=x onerror=alert(1)> *hi*\n\n# not a heading", "company": "A|B"}
    shown = sample_post_markdown(
        pd.DataFrame([post | {"hn_url": "https://news.ycombinator.com/item?id=1"}])
    )
    assert re.search(r"(?<!\\)<img", shown) is None and "\\<img" in shown
    assert "\\*hi\\*" in shown and "> \\# not a heading" in shown
    assert shown.startswith("**A\\|B**")
