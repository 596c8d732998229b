"""Automation conditions on edge cases that the end-to-end run met."""

import dagster as dg

from hn_assets.defs.definitions import build_definitions


def test_a_fresh_instance_requests_nothing_before_the_first_month(instance):
    # With no month partitions yet, "no input is missing" holds vacuously; nothing may run.
    result = dg.evaluate_automation_conditions(defs=build_definitions(), instance=instance)
    assert result.total_requested == 0
