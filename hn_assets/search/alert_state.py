"""One month's alerts, delivered once: find the new matches, write the digest, deliver it,
remember what was sent, under a lock per month.

Two runs of ``job_alerts`` for one month (a refresh and the daemon, say) take turns. A run
killed after delivering but before saving its state sends the same digest again next time,
with the same idempotency key (see :attr:`AlertResult.idempotency_key`), which the webhook
receives and can drop; a digest whose key is in the month's ledger is not sent again at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hn_assets.errors import HNError
from hn_assets.locks import exclusive
from hn_assets.search.backends import SearchIndex
from hn_assets.search.delivery import deliver
from hn_assets.search.digest import Digest, render_digest
from hn_assets.search.matching import AlertResult, find_new_matches
from hn_assets.search.saved_searches import SavedSearch
from hn_assets.storage import atomic_write_text

logger = logging.getLogger(__name__)

#: Keys of digests sent, per month: enough to recognise any repeat of a recent digest.
LEDGER_SIZE = 200


class AlertStateError(HNError):
    """A month's stored alert state cannot be read."""


@dataclass(frozen=True)
class MonthAlerts:
    result: AlertResult
    digest: Digest
    delivered: list[str]  # channels this run sent the digest to
    already_sent: bool  # the same digest had been delivered before: not sent again
    digest_file: Path


def _read_json(path: Path, default: Any) -> Any:
    if not path.exists():
        return default
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise AlertStateError(
            f"{path} is not the JSON job_alerts writes ({error}); delete it to start this "
            "month's alerts over (every current match is then new)"
        ) from error


def _is_repost(doc: Any) -> bool:
    return isinstance(doc, Mapping) and bool(doc.get("repost") is True or doc.get("repost") == 1)


def run_month_alerts(
    index: SearchIndex,
    searches: Sequence[SavedSearch],
    month: str,
    directory: Path,
    docs_by_id: Mapping[int, Any],
    env: Mapping[str, str],
) -> MonthAlerts:
    """New matches of ``searches`` in ``month`` since the last run, delivered at most once."""
    directory.mkdir(parents=True, exist_ok=True)
    state_file = directory / f"{month}.state.json"
    ledger_file = directory / f"{month}.delivered.json"
    digest_file = directory / f"{month}.md"
    with exclusive(directory / f".{month}.lock", f"job_alerts for {month}", logger.info):
        previous = _read_json(state_file, {})
        ledger = _read_json(ledger_file, [])
        if not isinstance(previous, dict) or not isinstance(ledger, list):
            raise AlertStateError(
                f"{state_file} or {ledger_file} does not hold what job_alerts writes; delete "
                "them to start this month's alerts over"
            )
        reposts = [post_id for post_id, doc in docs_by_id.items() if _is_repost(doc)]
        result = find_new_matches(index, searches, month, previous, reposts)
        digest = render_digest(result, docs_by_id)
        atomic_write_text(digest_file, digest.markdown)
        key = result.idempotency_key
        already_sent = result.deliverable and key in ledger
        delivered = [] if already_sent else deliver(result, digest, env)
        if delivered:
            # Before the state: a crash between the two then repeats nothing.
            atomic_write_text(ledger_file, json.dumps([*ledger, key][-LEDGER_SIZE:]))
        # Only after delivery: a failed delivery leaves these matches new for the next run.
        atomic_write_text(state_file, json.dumps(result.state, sort_keys=True))
    return MonthAlerts(result, digest, delivered, already_sent, digest_file)
