"""Thread discovery on what the HN API can really send: odd titles, malformed items."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pytest

from hn_assets.hackernews.client import (
    HackerNewsClient,
    ItemBatch,
    SampleArchiveClient,
)
from hn_assets.hackernews.sample_archive import load_sample_archive
from hn_assets.hackernews.threads import (
    THREAD_COLUMNS,
    UNRECOGNISED_TITLE,
    NotAThread,
    RecognisedThread,
    SkippedSubmission,
    discover_threads,
    find_threads,
    recognise_thread,
)
from hn_assets.hackernews.titles import ThreadKind

LOGGER = "hn_assets.hackernews.threads"


class ScriptedClient(HackerNewsClient):
    """Serves a user record and items exactly as given, however malformed."""

    def __init__(
        self, user: object, items: dict[int, object], failed: dict[int, str] | None = None
    ) -> None:
        self._user = user
        self._items = items
        self._failed = failed or {}
        self.asked: list[int] = []

    def user(self, username: str) -> dict | None:
        return self._user  # type: ignore[return-value]

    def item(self, item_id: int) -> dict | None:
        return self._items.get(item_id)  # type: ignore[return-value]

    def items(self, ids: Iterable[int]) -> ItemBatch:
        self.asked = list(ids)
        return ItemBatch(
            items={i: self._items.get(i) for i in self.asked if i not in self._failed},  # type: ignore[misc]
            failed={i: self._failed[i] for i in self.asked if i in self._failed},
        )

    @property
    def requests_made(self) -> int:
        return 0


def story(item_id: int, title: object, **extra: object) -> dict:
    return {"id": item_id, "type": "story", "title": title, "time": 1_700_000_000, **extra}


def client_for(*items: dict, submitted: list | None = None) -> ScriptedClient:
    by_id = {item["id"]: item for item in items}
    return ScriptedClient({"id": "whoishiring", "submitted": submitted or list(by_id)}, by_id)


def test_the_sample_archive_threads_are_all_found_and_nothing_skipped() -> None:
    archive = load_sample_archive()
    found = find_threads(SampleArchiveClient(archive))
    assert list(found.threads.columns) == THREAD_COLUMNS
    assert len(found.threads) == 3 * len(archive.months)
    assert found.unrecognised == ()
    assert discover_threads(SampleArchiveClient(archive)).equals(found.threads)


def test_an_unrecognised_title_is_logged_with_its_id_and_listed(caplog) -> None:
    client = client_for(
        story(11, "Ask HN: Who is hiring? (May 2027)", kids=[1, 2]),
        story(12, "Ask HN: Who is hiring? (Mai 2027)"),
        story(13, "Ask HN: What are you working on? (June 2027)"),
    )
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        found = find_threads(client)
    assert found.threads["id"].tolist() == [11]
    assert found.unrecognised == (
        SkippedSubmission(12, UNRECOGNISED_TITLE, "Ask HN: Who is hiring? (Mai 2027)"),
        SkippedSubmission(13, UNRECOGNISED_TITLE, "Ask HN: What are you working on? (June 2027)"),
    )
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == LOGGER]
    assert len(warnings) == 2
    assert "12" in warnings[0].getMessage() and "(Mai 2027)" in warnings[0].getMessage()
    assert "titles.py" in warnings[0].getMessage()  # says what to do about it
    assert found.skipped_frame().to_dict("records") == [
        {"item_id": 12, "reason": UNRECOGNISED_TITLE, "title": "Ask HN: Who is hiring? (Mai 2027)"},
        {
            "item_id": 13,
            "reason": UNRECOGNISED_TITLE,
            "title": "Ask HN: What are you working on? (June 2027)",
        },
    ]


def test_malformed_submissions_and_items_are_skipped_with_a_log_line(caplog) -> None:
    good = story(20, "Ask HN: Who wants to be hired? (Sept 2023)", kids=[5])
    items: dict[int, object] = {
        20: good,
        21: ["not", "an", "object"],
        22: story(22, None),
        23: story(23, 12345),
        24: story(24, "   "),
        25: story(999, "Ask HN: Who is hiring? (June 2023)"),  # says it is another item
        26: None,  # the API returned null
        27: story(27, "Ask HN: Freelancer? Seeking freelancer? (June 2023)", time="noon"),
        28: story(28, "Ask HN: Who is hiring? (June 2023)", time=10**30, kids="many"),
    }
    submitted = [20, "21", None, 2.5, True, -3, 2**70, 21, 22, 23, 24, 25, 26, 27, 28, 20]
    client = ScriptedClient({"submitted": submitted}, items)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        found = find_threads(client)
    assert client.asked == [20, 21, 22, 23, 24, 25, 26, 27, 28]  # only ids, each once
    rows = found.threads.set_index("id")
    assert rows.loc[20, "kind"] == "wants_to_be_hired" and rows.loc[20, "month"] == "2023-09"
    assert rows.loc[27, "time"] == rows.loc[28, "time"] == 0  # a bad time keeps the thread
    assert rows.loc[28, "num_kids"] == 0
    skipped_ids = [entry.item_id for entry in found.skipped]
    assert skipped_ids == [None] * 6 + [21, 22, 23, 24, 25, 26]
    assert all(entry.reason.startswith("malformed") for entry in found.skipped[:10])
    assert "null" in found.skipped[-1].reason
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == len(found.skipped) + 2  # plus the two bad times
    assert any("'21'" in line for line in warned) and any("noon" in line for line in warned)


def test_deleted_dead_and_other_items_are_skipped_quietly(caplog) -> None:
    client = client_for(
        story(30, "Ask HN: Who is hiring? (July 2023)", deleted=True),
        story(31, "Ask HN: Who is hiring? (July 2023)", dead=True),
        {"id": 32, "type": "comment", "text": "hi"},
        story(33, "Ask HN: Who is hiring? (July 2023)"),
    )
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        found = find_threads(client)
    assert found.threads["id"].tolist() == [33]
    assert [(entry.item_id, entry.reason) for entry in found.skipped] == [
        (30, "deleted"),
        (31, "dead"),
        (32, "not a story (type 'comment')"),
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_of_two_threads_for_one_month_the_busier_one_is_kept_and_the_other_listed() -> None:
    client = client_for(
        story(40, "Ask HN: Who is hiring? (August 2023)", kids=[1]),
        story(41, "Ask HN: Who is hiring? (Aug 2023)", kids=[1, 2, 3]),
        story(42, "Ask HN: Who is hiring? (August 2023)", kids=[1, 2]),
    )
    found = find_threads(client)
    assert found.threads["id"].tolist() == [41]
    assert [entry.item_id for entry in found.skipped] == [40, 42]
    assert all("thread 41" in entry.reason for entry in found.skipped)


@pytest.mark.parametrize(
    "title",
    [
        "Ask HN: Who is hiring? (June 2023)" + " " * 100_000 + "x",
        "Ask HN: Who is hiring?" + "\t " * 50_000,
        "\ud800 Ask HN: Who is hiring? (June 2023)",
        "\x00" * 1000,
    ],
)
def test_hostile_titles_are_skipped_not_raised(title: str) -> None:
    found = find_threads(client_for(story(50, title)))
    assert found.threads.empty
    assert [entry.item_id for entry in found.skipped] == [50]
    # what is listed can be stored and shown: no lone surrogates, no controls
    assert "\ud800" not in (found.skipped[0].title or "")


def test_a_title_with_a_lone_surrogate_is_stored_as_valid_text() -> None:
    found = find_threads(client_for(story(51, "Ask HN: Who is hiring? (June 2023)\ud800")))
    # the surrogate is replaced before parsing, and the replacement does not match
    assert found.threads.empty
    assert found.skipped[0].title == "Ask HN: Who is hiring? (June 2023)\ufffd"
    found.skipped[0].title.encode("utf-8")


@pytest.mark.parametrize(
    "user",
    [{"submitted": "12,13"}, {"submitted": {}}, {"submitted": 0}, ["not", "a", "user"]],
)
def test_a_malformed_user_record_is_a_clear_error_not_an_empty_thread_list(user: object) -> None:
    with pytest.raises(ValueError, match="HN_API_URL"):
        find_threads(ScriptedClient(user, {}))


@pytest.mark.parametrize("user", [{"id": "whoishiring"}, {"submitted": None}, {"submitted": []}])
def test_a_user_without_submissions_has_no_threads(user: dict) -> None:
    found = find_threads(ScriptedClient(user, {}))
    assert found.threads.empty and list(found.threads.columns) == THREAD_COLUMNS
    assert found.skipped == ()


def test_unknown_user_raises_and_unfetched_submissions_are_reported(caplog) -> None:
    with pytest.raises(ValueError, match="no user 'nobody'"):
        find_threads(ScriptedClient(None, {}), username="nobody")
    failing = ScriptedClient({"submitted": [60]}, {}, failed={60: "HTTP 500"})
    found = find_threads(failing)
    assert found.unfetched == {60: "HTTP 500"} and found.threads.empty
    assert "could not fetch submission 60" in caplog.text
    # Not fetched is not "no such item": it is listed once, as unfetched, and not skipped.
    assert found.skipped == ()


def test_one_function_decides_what_a_thread_is_for_discovery_and_the_sensor() -> None:
    title = "Ask HN: Who is hiring? (June 2023)"
    assert recognise_thread(70, story(70, title)) == RecognisedThread(
        ThreadKind.HIRING, "2023-06", title
    )
    not_threads = {
        "no such item (the API returned null)": None,
        "malformed: the item is a list, not an object": [title],
        "deleted": story(70, title, deleted=True),
        "dead": story(70, title, dead=True),
        "not a story (type 'poll')": {**story(70, title), "type": "poll"},
        "malformed: the item says id 71": story(71, title),
        "malformed: title None": story(70, None),
        UNRECOGNISED_TITLE: story(70, "Ask HN: Who is hiring? (Juin 2023)"),
    }
    for reason, item in not_threads.items():
        verdict = recognise_thread(70, item)
        assert isinstance(verdict, NotAThread) and verdict.reason == reason
    # The account deletes and kills things in the ordinary course; the rest deserves a look.
    assert recognise_thread(70, story(70, title, dead=True)).level == logging.DEBUG
    assert recognise_thread(70, story(70, None)).level == logging.WARNING
