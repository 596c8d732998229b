"""When derived assets run: only when they are stale.

An asset is stale when it was never materialized, when one of its inputs has a new *data
version*, or when its own code version changed. Data versions (not materialization events)
are what matters: ``raw_posts`` reports a hash of its ids and texts, and every downstream asset
has a ``code_version``, so Dagster derives its data version from its inputs. A re-fetch that
found nothing new therefore leaves the whole chain fresh.

The same conditions drive the daemon's automation sensor and ``hn-jobs refresh``.
"""

from __future__ import annotations

import dagster as dg

AC = dg.AutomationCondition


def _inputs_changed() -> AC:
    return AC.any_deps_match(AC.data_version_changed() | AC.will_be_requested()).with_label(
        "an input has a new data version"
    )


def _missing() -> AC:
    # Dagster's newly_missing() ignores what was missing before automation started and what
    # waited for a missing input; here missing means stale. A failed attempt is not retried
    # on every tick: only once an input has new data (or a person asks).
    retry = ~AC.execution_failed() | _inputs_changed().since_last_handled()
    return (AC.missing() & retry).with_label("missing")


def _has_inputs() -> AC:
    # any_deps_missing() is vacuously false for an input with no partitions yet (a fresh
    # instance, before the first thread is found): require an input that exists or is being made.
    return AC.any_deps_match(~AC.missing() | AC.will_be_requested()).with_label("has inputs")


def _ready() -> AC:
    return _has_inputs() & ~AC.any_deps_missing() & ~AC.any_deps_in_progress() & ~AC.in_progress()


def when_stale() -> AC:
    """Missing, an input's data changed, or the code changed; never into a run in flight."""
    return (
        (_missing() | (_inputs_changed() | AC.code_version_changed()).since_last_handled())
        & _ready()
    ).with_label("stale: missing, inputs or code changed")


def when_stale_at_most_once_per(cron_schedule: str) -> AC:
    """Like :func:`when_stale`, for expensive work (training): at most once per cron period.

    Retraining the LSTM for every new post of an open month would cost more than it gives; new
    text is accumulated and the model retrained on the first stale evaluation of each period.
    A model that was never trained is trained at once.
    """
    period_started = AC.cron_tick_passed(cron_schedule).since_last_handled()
    return ((_missing() | (when_stale() & period_started)) & _ready()).with_label(
        f"stale, at most once per '{cron_schedule}'"
    )
