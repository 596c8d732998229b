"""`hn-jobs refresh` as an operator runs it, against a hostile HN API on 127.0.0.1.

Otherwise good months get one of each bad thing real or malicious input holds: a markdown
link inside an href, 10,000 nested tags, a 2 MB post, a lone surrogate, control characters,
kids that are not ids, rich markup in a company name, and an item that answers 500 forever.
The good posts of every month end up cleaned and searchable, the bad ones are sanitised,
truncated, quarantined or recorded, the summary and exit code say so, no traceback is printed,
and a later refresh fetches what was missing once the API answers.
"""

from __future__ import annotations

import json
import re

import pytest

import hn_assets.defs.definitions as definitions
from hn_assets.cli import main
from hn_assets.defs.definitions import build_definitions
from hn_assets.defs.resources import LSTMTrainingResource
from hn_assets.hackernews.sample_archive import load_sample_archive
from hn_assets.search.local_index import LocalIndex
from hn_assets.storage import ParquetStore
from tests.fakes.hn_server import FakeHNServer

MONTHS = 3
SMALL_TRAINER = LSTMTrainingResource(
    hidden=48, layers=1, batch_size=32, max_epochs=1, limit_train_batches=30, bpc_ceiling=8.0
)


def _failed_rows(out: str) -> list[str]:
    """Rows of the refresh summary table whose status column says failed."""
    return [line for line in out.splitlines() if re.search(r"\s{2}failed\s{2}", line)]


def _post(item_id: int, thread_id: int, text: str, **extra) -> dict:
    return {
        "id": item_id,
        "type": "comment",
        "by": "someone",
        "time": 1_700_000_000,
        "text": text,
        "parent": thread_id,
    } | extra


@pytest.fixture
def hostile_api(monkeypatch, tmp_path):
    archive = load_sample_archive().visible(MONTHS)
    server = FakeHNServer(archive).start()
    months = archive.months[:MONTHS]
    old, middle = archive.hiring_thread_id(months[0]), archive.hiring_thread_id(months[1])
    next_id = archive.max_item_id + 1
    ids = {
        name: next_id + n
        for n, name in enumerate(
            ["markdown_href", "deep", "huge", "surrogate", "controls", "markup", "broken"]
        )
    }
    server.store.add_kids(
        old,
        [
            _post(
                ids["markdown_href"],
                old,
                'Acme | Remote<p><a href="https://a.com](https://a.com/)">https://a.com</a>',
            ),
            _post(
                ids["deep"],
                old,
                "Deep Co | Berlin<p>" + "<i>" * 10_000 + "deep text" + "</i>" * 10_000,
            ),
            _post(ids["huge"], old, "Huge Co | Remote<p>" + "all work and no play " * 100_000),
            _post(ids["broken"], old, "never delivered"),
        ],
    )
    server.store.add_kids(
        middle,
        [
            _post(ids["surrogate"], middle, "Surrogate Inc \ud800 | NYC<p>Python"),
            _post(
                ids["controls"], middle, "Controls Ltd | London\x02\x03\x04<p>Go\x85 and\x00 Rust"
            ),
            _post(ids["markup"], middle, "[/x] Corp | Remote<p>[bold]python[/bold] jobs"),
        ],
    )
    thread = dict(server.store.item(middle))
    thread["kids"] = [*thread["kids"], "abc", 1.5, None]
    server.store.put_item(thread)
    server.plan.always_fail.add(ids["broken"])

    monkeypatch.setenv("HN_SOURCE", "api")
    monkeypatch.setenv("HN_API_URL", server.base_url)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    # The model's quality is not what these tests look at: a small one that still learns.
    monkeypatch.setattr(
        definitions, "build_definitions", lambda: build_definitions({"trainer": SMALL_TRAINER})
    )
    yield server, archive, months, ids
    server.stop()


@pytest.mark.slow
def test_hostile_months_keep_their_good_posts(hostile_api, data_dir, capfd):
    server, archive, months, ids = hostile_api
    assert main(["refresh"]) == 0
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert "warning" in err and "failed" not in err
    assert "raw_posts.all_items_fetched" in out  # the summary table names the warning

    tables = ParquetStore(data_dir)
    for number, month in enumerate(months):
        raw = tables.read("raw_posts", month)
        clean = tables.read("clean_posts", month)
        alive = raw[~raw["deleted"] & ~raw["dead"]]
        assert set(clean["id"]) == set(alive["id"]), month
        thread = archive.items[archive.hiring_thread_id(month)]
        assert set(thread["kids"]) <= set(raw["id"])
        if number == 0:
            assert ids["broken"] not in set(raw["id"])
    texts = {
        int(row.id): row.text
        for month in months
        for row in tables.read("clean_posts", month).itertuples()
    }
    assert texts[ids["markdown_href"]].endswith("https://a.com](https://a.com/)")
    assert "deep text" in texts[ids["deep"]]
    assert len(texts[ids["huge"]]) < 200_000
    assert "\ufffd" in texts[ids["surrogate"]] and "\ud800" not in texts[ids["surrogate"]]
    assert texts[ids["controls"]] == "Controls Ltd | London\n\nGo and Rust"

    with LocalIndex(data_dir / "index") as index:
        for month in months:
            assert index.ids_for_month(month) == set(tables.read("clean_posts", month)["id"])

    # Table output of a company named like rich markup, and the query itself as markup.
    assert main(["search", 'company:"[/x] corp" OR [/x]', "--limit", "5"]) == 0
    out, err = capfd.readouterr()
    assert "[/x] Corp" in out and "Traceback" not in out + err

    # The API recovers: the next refresh asks for the missing post, in a month that is not
    # open any more, and the warning is gone.
    server.plan.always_fail.clear()
    server.reset_counts()
    assert main(["refresh"]) == 0
    out, err = capfd.readouterr()
    assert "could not be fetched" not in out  # only the kids that are no ids still warn
    assert ids["broken"] in set(tables.read("raw_posts", months[0])["id"])
    assert ids["broken"] in set(tables.read("clean_posts", months[0])["id"])
    assert server.requests_for_item(ids["broken"]) == 1


def test_a_month_whose_thread_never_answers_fails_alone(hostile_api, data_dir, capfd):
    server, archive, months, _ = hostile_api
    assert main(["refresh"]) == 0
    capfd.readouterr()
    # The thread starts answering 503 forever; its month has new posts waiting.
    dead_month = months[1]
    thread_id = archive.hiring_thread_id(dead_month)
    server.store.add_kids(thread_id, [_post(archive.max_item_id + 100, thread_id, "Late | NYC")])
    server.plan.always_fail.add(thread_id)
    assert main(["refresh"]) == 1
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    failed = _failed_rows(out)
    assert len(failed) == 1 and dead_month in failed[0] and "fetch posts" in failed[0]
    assert "1 step(s) failed" in err
    assert "discover threads  ok" in out  # the stored thread row is kept
    tables = ParquetStore(data_dir)
    assert archive.max_item_id + 100 not in set(tables.read("raw_posts", dead_month)["id"])
    assert set(ParquetStore(data_dir).read("hiring_threads")["id"]) >= {thread_id}

    # Once it answers again, the next refresh picks the month up.
    server.plan.always_fail.discard(thread_id)
    assert main(["refresh"]) == 0
    assert archive.max_item_id + 100 in set(tables.read("clean_posts", dead_month)["id"])


def test_a_bad_saved_search_file_fails_only_job_alerts_until_fixed(
    hostile_api, data_dir, tmp_path, monkeypatch, capfd
):
    server, archive, months, _ = hostile_api
    saved = tmp_path / "saved.yaml"
    saved.write_text("searches:\n  - name: rust\n    query: '(rust AND'\n")
    monkeypatch.setenv("HN_SAVED_SEARCHES", str(saved))
    assert main(["refresh"]) == 1
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    failed = _failed_rows(out)
    assert len(failed) == len(months) and all("job_alerts: " in line for line in failed), out
    tables = ParquetStore(data_dir)
    assert all(tables.exists("clean_posts", month) for month in months)

    saved.write_text("searches:\n  - name: rust\n    query: rust\n")
    assert main(["refresh"]) == 0
    out, err = capfd.readouterr()
    assert {f"job_alerts[{month}]" for month in months} <= set(
        out.split("materialized: ")[-1].strip().split(", ")
    )
    assert json.loads((data_dir / "alerts" / f"{months[0]}.state.json").read_text()) is not None
