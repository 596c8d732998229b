"""The generated sample archive looks like the real whoishiring months."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from hn_assets.hackernews.cleaning import html_to_text
from hn_assets.hackernews.sample_archive import (
    WHOISHIRING,
    build_sample_archive,
    load_sample_archive,
)
from hn_assets.hackernews.titles import ThreadKind, parse_thread_title


@pytest.fixture(scope="module")
def archive():
    return load_sample_archive()


def _posts(archive, month):
    return [archive.items[kid] for kid in archive.items[archive.hiring_thread_id(month)]["kids"]]


def test_six_months_with_three_threads_each(archive) -> None:
    assert archive.months == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    submitted = archive.users[WHOISHIRING]["submitted"]
    assert submitted == sorted(submitted, reverse=True), "HN lists submissions newest first"
    found = {}
    for item_id in submitted:
        item = archive.items[item_id]
        parsed = parse_thread_title(item.get("title", ""))
        if parsed:
            found[(parsed.month, parsed.kind)] = item_id
    assert set(found) == {(m, k) for m in archive.months for k in ThreadKind}
    assert found == {(m, ThreadKind(k)): tid for (m, k), tid in archive.threads.items()}
    assert any(archive.items[i]["type"] == "comment" for i in submitted), "not only stories"
    titles = {archive.items[tid]["title"].split(" (")[0] for tid in archive.threads.values()}
    assert len(titles) >= 5, f"title variants expected, got {titles}"


def test_threads_open_on_the_first_weekday_at_new_york_eleven(archive) -> None:
    for (month, _), thread_id in archive.threads.items():
        posted = datetime.fromtimestamp(archive.items[thread_id]["time"], UTC)
        assert posted.strftime("%Y-%m") == month
        assert posted.weekday() < 5 and posted.day <= 3 and posted.hour in (15, 16)


def test_hiring_threads_hold_realistic_posts(archive) -> None:
    previous_max = 0
    for month in archive.months:
        thread = archive.items[archive.hiring_thread_id(month)]
        posts = _posts(archive, month)
        assert 200 <= len(posts) <= 330
        assert thread["kids"] != sorted(thread["kids"]), "kids are in rank order, not id order"
        ids = [p["id"] for p in posts]
        assert min(ids) > thread["id"] > previous_max
        previous_max = max(ids)
        assert all(p["parent"] == thread["id"] and p["type"] == "comment" for p in posts)
        assert all(p["time"] >= thread["time"] for p in posts)
        deleted = [p for p in posts if p.get("deleted")]
        assert deleted and all(
            set(p) == {"deleted", "id", "parent", "time", "type"} for p in deleted
        )
        assert any(p.get("dead") and p.get("text") for p in posts)
        with_replies = [p for p in posts if p.get("kids")]
        assert with_replies
        for post in with_replies:
            assert all(archive.items[kid]["parent"] == post["id"] for kid in post["kids"])
        descendants = sum(
            1 for i, root in archive.root_of.items() if root == thread["id"] and i != thread["id"]
        )
        assert thread["descendants"] == descendants


def test_post_html_is_what_hn_serves(archive) -> None:
    posts = [p for month in archive.months for p in _posts(archive, month) if p.get("text")]
    html = "".join(p["text"] for p in posts)
    for marker in (
        "<p>",
        "&#x27;",
        "&#x2F;",
        "&quot;",
        "&amp;",
        '<a href="https:&#x2F;&#x2F;',
        'rel="nofollow"',
        "<i>",
        "<pre><code>",
    ):
        assert marker in html, marker
    for post in posts:
        assert not post["text"].startswith("<p>") and "</p>" not in post["text"]
        outside_code = re.sub(r"<pre><code>.*?</code></pre>", "", post["text"], flags=re.S)
        assert "\n" not in outside_code
    headers = [
        html_to_text(p["text"]).split("\n")[0]
        for p in _posts(archive, archive.months[-1])
        if p.get("text")
    ]
    separators = {
        sep for sep in (" | ", "|", " - ", " • ", " / ", "; ") for h in headers if sep in h
    }
    assert len(separators) >= 4
    for alias in ("SF", "NYC", "Bay Area", "San Francisco", "London", "Berlin"):
        assert any(alias in h for h in headers), alias
    for salary in ("k-$", ",000 - $", "€", "£", "k+"):
        assert salary in html, salary


def test_enough_text_for_search_and_a_language_model(archive) -> None:
    texts = [
        html_to_text(p["text"]) for m in archive.months for p in _posts(archive, m) if p.get("text")
    ]
    total = sum(map(len, texts))
    assert 1.6e6 < total < 3.5e6
    lowered = [t.lower() for t in texts]
    both = [
        t
        for t in lowered
        if ("san francisco" in t or "bay area" in t)
        and ("machine learning" in t or "data analysis" in t)
    ]
    assert 10 < len(both) < len(texts) / 4
    assert len({t.split("\n")[0].split(" ")[0] for t in texts}) > 80, "diverse companies"


def test_same_ids_every_time() -> None:
    first, second = build_sample_archive(months=2, seed=7), build_sample_archive(months=2, seed=7)
    assert first.items == second.items and first.months == ["2026-10", "2026-11"]
    assert build_sample_archive(months=2, seed=8).items != first.items
    assert load_sample_archive() is load_sample_archive()


def test_visible_reveals_months_and_posts(archive) -> None:
    five = archive.visible(5)
    assert five.months == archive.months[:5]
    hidden_thread = archive.hiring_thread_id(archive.months[5])
    assert hidden_thread not in five.items
    assert not [i for i in five.users[WHOISHIRING]["submitted"] if i not in five.items]
    assert max(five.items) < hidden_thread
    with pytest.raises(ValueError, match="no hiring thread for '2026-11'"):
        five.hiring_thread_id("2026-11")

    last = archive.hiring_thread_id(archive.months[-1])
    early, later = archive.visible(6, 150), archive.visible(6, 160)
    early_kids, later_kids = early.items[last]["kids"], later.items[last]["kids"]
    assert len(early_kids) == 150 and len(later_kids) == 160
    assert set(early_kids) < set(later_kids)
    assert sorted(later_kids)[:150] == sorted(early_kids), "new posts are the later ones"
    assert all(kid in early.items for kid in early_kids)
    hidden = set(later_kids) - set(early_kids)
    assert not hidden & set(early.items)
    assert all(early.items[i].get("parent") not in hidden for i in early.items)
    assert early.items[last]["descendants"] < later.items[last]["descendants"]
    assert archive.items[last]["kids"] != early_kids, "the full archive is untouched"
    with pytest.raises(ValueError):
        archive.visible(0)


def test_a_long_generated_history_keeps_positive_ids_in_posting_order() -> None:
    from hn_assets.hackernews.sample_archive import build_sample_archive

    archive = build_sample_archive(months=180, last_month="2026-11")
    assert archive.months[0] == "2011-12" and len(archive.months) == 180
    assert min(archive.items) > 0
    threads = [archive.hiring_thread_id(month) for month in archive.months]
    assert threads == sorted(threads)  # later months have higher ids, as on HN
