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
    for cell in ("ML Engineer", "San Francisco", "yes", "2026-11", first.fields["hn_url"]):
        assert cell in row
    row = next(line for line in text.splitlines() if second.fields["hn_url"] in line)
    assert " no " in row  # onsite only
    narrow = Console(record=True, width=80)
    narrow.print(hits_table(hits()))
    assert "Stripe" in narrow.export_text()  # names stay readable; the link folds


def test_json_has_the_documented_keys_and_is_valid_json() -> None:
    first, second = (hit_json(hit) for hit in hits())
    assert {"id", "company", "month", "score", "url"} <= set(first)
    assert (first["company"], first["score"], first["month"]) == ("Stripe", 3.25, "2026-11")
    assert first["url"] == f"https://news.ycombinator.com/item?id={first['id']}"
    assert second["company"] is None and second["salary_min"] is None
    assert first["header"] == hits()[0].fields["text"].split("\n\n")[0]  # the header line
    json.loads(json.dumps(second, allow_nan=False))
