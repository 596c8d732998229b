"""`hn-jobs`: help, search output formats, and clear errors with a non-zero exit."""

import json

import pytest

from hn_assets.cli import main
from hn_assets.hackernews.client import SampleArchiveClient
from hn_assets.hackernews.posts import clean_posts_frame, fetch_thread_posts
from hn_assets.hackernews.sample_archive import load_sample_archive
from hn_assets.search.local_index import LocalIndex
from hn_assets.search.sync import sync_month

BLOG_QUERY = '("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")'


@pytest.fixture
def indexed_month(data_dir) -> str:
    archive = load_sample_archive()
    month = archive.months[-1]
    thread_id = archive.hiring_thread_id(month)
    raw, _ = fetch_thread_posts(SampleArchiveClient(archive), thread_id, None)
    with LocalIndex(data_dir / "index") as index:
        index.ensure_index()
        sync_month(index, month, clean_posts_frame(raw, month, thread_id).posts)
    return month


@pytest.mark.parametrize("command", ["refresh", "search", "generate"])
def test_every_command_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "HN_DATA_DIR" in out
    if command == "search":
        assert "field:value" in out


def test_search_json_prints_one_object_per_hit(indexed_month, capsys):
    assert main(["search", BLOG_QUERY, "--json", "--limit", "5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert 0 < len(lines) <= 5
    hits = [json.loads(line) for line in lines]
    for hit in hits:
        assert {"id", "company", "month", "score", "url"} <= hit.keys()
        assert hit["month"] == indexed_month
        assert hit["url"].endswith(str(hit["id"]))


def test_search_table_and_month_filter(indexed_month, capsys):
    assert main(["search", "python", "--month", indexed_month, "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "news.ycombinator.com" in out
    assert main(["search", "python", "--month", "1999-01", "--json"]) == 0
    assert capsys.readouterr().out.strip() == ""


def test_explain_prints_the_elasticsearch_request(capsys):
    assert main(["search", BLOG_QUERY, "--explain", "--month", "2026-11"]) == 0
    request = json.loads(capsys.readouterr().out)
    text = json.dumps(request)
    assert "match_phrase" in text and "2026-11" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [("(python AND rust", "^"), ("", "empty"), ("colour:blue", "colour")],
)
def test_bad_queries_exit_2_with_the_reason(query, message, capsys):
    assert main(["search", query]) == 2
    err = capsys.readouterr().err
    assert message in err.lower() or message in err


def test_search_before_any_index_says_how_to_build_it(capsys):
    assert main(["search", "python"]) == 2
    assert "refresh" in capsys.readouterr().err


def test_generate_without_a_model_says_how_to_train_one(capsys):
    assert main(["generate", "--n", "1"]) == 2
    assert "job_posting_lstm" in capsys.readouterr().err


def test_refresh_of_an_unknown_month_exits_2_naming_the_known_ones(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("HN_SAMPLE_MONTHS", "1")
    assert main(["refresh", "--month", "1999-01"]) == 2
    err = capsys.readouterr().err
    assert "1999-01" in err and load_sample_archive().months[0] in err
