"""Which posts of a month newly match each saved search since the last run."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from hn_assets.search.backends import SearchIndex
from hn_assets.search.query import validate_month
from hn_assets.search.saved_searches import SavedSearch


@dataclass(frozen=True)
class SearchAlert:
    """One saved search in one month: every post it matches, and those that are new."""

    search: SavedSearch
    matching_ids: tuple[int, ...]
    new_ids: tuple[int, ...]


@dataclass(frozen=True)
class AlertResult:
    month: str
    alerts: tuple[SearchAlert, ...]
    #: What to store and pass back as ``previously_matched`` next time.
    state: dict[str, list[int]]

    @property
    def new_matches(self) -> dict[str, list[int]]:
        return {alert.search.name: list(alert.new_ids) for alert in self.alerts if alert.new_ids}

    @property
    def total_new(self) -> int:
        return sum(len(alert.new_ids) for alert in self.alerts)

    @property
    def deliverable(self) -> bool:
        return any(alert.new_ids and alert.search.notify for alert in self.alerts)

    @property
    def idempotency_key(self) -> str:
        """Names this digest by what it says (month and new matches): a digest sent again
        after a crash carries the same key, so a receiver can drop the repeat."""
        content = json.dumps([self.month, self.new_matches], sort_keys=True)
        return hashlib.sha256(content.encode()).hexdigest()[:32]


def find_new_matches(
    index: SearchIndex,
    searches: Sequence[SavedSearch],
    month: str,
    previously_matched: Mapping[str, Sequence[int]],
    reposts: Collection[int] = (),
) -> AlertResult:
    """For each search, the month's posts matching now that did not match last time.

    ``previously_matched`` is the ``state`` of the previous result for this month (empty the
    first time, so every match is new). A search that does not apply to ``month`` keeps its
    previous state and reports nothing. ``reposts`` (ids of posts repeating an earlier
    month's posting, already seen then) never match a search unless it includes reposts.
    """
    repeated = {int(post_id) for post_id in reposts}
    month = validate_month(month)
    alerts: list[SearchAlert] = []
    state: dict[str, list[int]] = {}
    for search in searches:
        before = {int(post_id) for post_id in previously_matched.get(search.name, ())}
        if not search.applies_to(month):
            state[search.name] = sorted(before)
            continue
        now = index.matching_ids(search.parsed, months=[month])
        if not search.include_reposts:
            now = now - repeated
        alerts.append(
            SearchAlert(
                search, matching_ids=tuple(sorted(now)), new_ids=tuple(sorted(now - before))
            )
        )
        state[search.name] = sorted(now)
    return AlertResult(month=month, alerts=tuple(alerts), state=state)
