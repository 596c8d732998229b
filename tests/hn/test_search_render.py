"""How hits are shown: the rich table and the JSON form."""

from __future__ import annotations

import json
import math

from rich.console import Console

from hn_assets.search.backends import Hit
from hn_assets.search.render import hit_json, hits_table
from hn_assets.search.synthetic import synthetic_posts


def hits() -> list[Hit]:
    first, second = synthetic_posts(2, months=["2026-11"], seed=31)
    first.update(company="Stripe", roles=["ML Engineer"], locations=["San Francisco"], remote=True)
    second.update(company=None, salary_min=math.nan, remote=False, onsite=True, hybrid=False)
    return [Hit(first["id"], 3.25, first), Hit(second["id"], 1.5, second)]


def test_table_shows_company_role_location_arrangement_month_and_link() -> None:
    console = Console(record=True, width=220)
    console.print(hits_table(hits()))
    text = console.export_text()
    first, second = hits()
    assert "Company" in text and "HN link" in text
    row = next(line for line in text.splitlines() if "Stripe" in line)
    for cell in ("ML Engineer", "San Francisco", "remote", "2026-11", first.fields["hn_url"]):
        assert cell in row
    assert second.fields["hn_url"] in text and "onsite" in text


def test_json_has_the_documented_keys_and_is_valid_json() -> None:
    first, second = (hit_json(hit) for hit in hits())
    assert {"id", "company", "month", "score", "url"} <= set(first)
    assert (first["company"], first["score"], first["month"]) == ("Stripe", 3.25, "2026-11")
    assert first["url"] == f"https://news.ycombinator.com/item?id={first['id']}"
    assert second["company"] is None and second["salary_min"] is None
    assert first["header"] == hits()[0].fields["text"].split("\n\n")[0]  # the header line
    json.loads(json.dumps(second, allow_nan=False))


def test_run_search_prints_a_table_json_lines_and_the_explained_query(
    tmp_path, monkeypatch, capsys
) -> None:
    import pandas as pd

    from hn_assets.search.console import open_index_from_env, run_search
    from hn_assets.search.parser import parse_query
    from hn_assets.search.sync import sync_month

    monkeypatch.setenv("HN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ELASTICSEARCH_URL", raising=False)
    query = '("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")'
    assert run_search(query) == 1  # nothing indexed yet
    assert "hn-jobs refresh" in capsys.readouterr().err
    posts = synthetic_posts(60, months=["2026-11"], seed=32)
    index = open_index_from_env()
    sync_month(index, "2026-11", pd.DataFrame(posts))
    expected = {p["id"] for p in posts if parse_query(query).matches(p)}

    assert run_search(query, as_json=True, limit=100) == 0
    lines = capsys.readouterr().out.splitlines()
    assert {json.loads(line)["id"] for line in lines} == expected

    assert run_search(query, limit=3, months=["2026-11"]) == 0
    table = capsys.readouterr().out
    assert f"3 of {len(expected)} posts matching" in table and "HN link" in table

    assert run_search(query, explain=True, months=["2026-11"]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert explained["query"]["bool"]["filter"] == [{"terms": {"month": ["2026-11"]}}]


def test_run_search_rejects_bad_input_with_exit_status_2(capsys) -> None:
    from hn_assets.search.console import run_search

    assert run_search("(rust OR go") == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: unclosed parenthesis: add the matching )",
        "  (rust OR go",
        "  ^",
    ]
    assert run_search("rust", months=["11/2026"]) == 2
    assert run_search("rust", limit=0) == 2
