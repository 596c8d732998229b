"""How hits are shown: the rich table and the JSON form."""

from __future__ import annotations

import io
import json
import math

from rich.console import Console

from hn_assets.search.backends import Hit
from hn_assets.search.render import hit_json, hits_table
from tests.fakes.synthetic_posts import synthetic_posts


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


# --- hostile strings (issue #11) -------------------------------------------------------------

HOSTILE = [
    "[/x] Corp",
    "[bold]",
    "[link=javascript:alert(1)]x[/link]",
    ":smile: [red]red[/red]",
    "\\[escaped]",
    "😀 世界 株式会社",
]


def render(table: object, width: int = 220) -> str:
    console = Console(record=True, width=width)
    console.print(table)
    return console.export_text()


def cells(text: str, column: int) -> str:
    """What a column of a rendered table shows, its folded lines joined (without spaces,
    which wrapping moves)."""
    rows = [line.split("│") for line in text.splitlines() if line.startswith("│")]
    return "".join(row[column + 1] for row in rows).replace(" ", "")


def hostile_hit(value: str, post_id: int = 1) -> Hit:
    (post,) = synthetic_posts(1, months=["2026-11"], seed=32, first_id=post_id)
    post.update(company=value, roles=[value, "Engineer"], locations=[value])
    return Hit(post["id"], 1.0, post)


def test_markup_in_posts_and_in_the_title_is_shown_literally() -> None:
    for value in HOSTILE:
        text = render(hits_table([hostile_hit(value)], title=f"1 hits for {value}"))
        assert f"1 hits for {value}" in text
        for column in range(3):  # company, role and location
            assert value.replace(" ", "") in cells(text, column)


def test_regression_company_closing_tag_and_query_in_the_title() -> None:
    text = render(hits_table([hostile_hit("[/x] Corp")], title="1 hits for [/x]"))
    assert "[/x] Corp" in text and "1 hits for [/x]" in text


def test_control_characters_never_reach_the_terminal() -> None:
    sequences = ["\x1b[31m", "\x1b]0;owned\x07", "\x9b2J", "\x1b[2J\x1b[H", "a\u202eb", "\ud800"]
    hits = [hostile_hit(f"Acme {value} Corp", number) for number, value in enumerate(sequences)]
    output = io.StringIO()
    console = Console(file=output, force_terminal=True, color_system="truecolor", width=200)
    console.print(hits_table(hits, title="\x1b[31mquery\nwith lines\x07"))
    written = output.getvalue()
    for value in sequences:
        assert value not in written
    for control in ("\x07", "\x9b", "\u202e", "\ud800", "\x1b[31m", "\x1b]0"):
        assert control not in written
    text = render(hits_table(hits, title="\x1b[31mquery\nwith lines\x07"))
    assert "Acme \ufffd[31m Corp" in text
    assert "\ufffd[31mquery with lines\ufffd" in text


def test_very_long_values_are_cut_and_the_table_stays_short() -> None:
    hit = hostile_hit("Acme " + "x" * 100_000)
    text = render(hits_table([hit], title="q" * 10_000), width=120)
    assert len(text.splitlines()) < 40
    assert cells(text, 0).startswith("Acmexxx") and cells(text, 0).endswith("x…")
    assert cells(text, 6) == hit.fields["hn_url"]  # a link is never cut


def test_only_web_urls_become_links() -> None:
    good, bad = hostile_hit("Good", 1), hostile_hit("Bad", 2)
    bad.fields["hn_url"] = "javascript:alert(1)"
    output = io.StringIO()
    console = Console(file=output, force_terminal=True, width=200)
    console.print(hits_table([good, bad]))
    written = output.getvalue()
    assert "\x1b]8;id=" in written and good.fields["hn_url"] in written
    assert "javascript:alert(1)" in written  # shown as text...
    assert ";javascript:alert(1)\x1b\\" not in written  # ...but not as a link target


def test_a_repost_says_how_long_the_posting_has_run() -> None:
    fresh, repeated = hostile_hit("Fresh", 1), hostile_hit("Again", 2)
    repeated.fields.update(repost=True, months_posted=3, first_seen_month="2026-01")
    fresh.fields.update(repost=False)
    assert cells(render(hits_table([fresh]), width=160), 5) == "new"
    assert cells(render(hits_table([repeated]), width=160), 5) == "3mosince2026-01"
