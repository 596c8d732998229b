"""Monthly statistics computed by hand on a small month, and the trend test on noise and on a
real rise."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hn_assets.hackernews.posts import CLEAN_POST_COLUMNS
from hn_assets.market.stats import Dimension, monthly_stats, value
from hn_assets.market.trends import (
    benjamini_hochberg,
    series,
    trends,
    two_proportion_test,
    with_trends,
    year_over_year,
)
from tests.fakes.synthetic_posts import synthetic_posts


def post(**fields: object) -> dict:
    """A clean post with the given fields and empty defaults for the rest."""
    row = {column: None for column in CLEAN_POST_COLUMNS}
    row |= {
        "roles": [],
        "role_families": [],
        "technologies": [],
        "location_countries": [],
        "location_cities": [],
        "remote": False,
        "hybrid": False,
        "onsite": False,
        "repost": False,
        "salary_yearly_min": math.nan,
        "salary_yearly_max": math.nan,
    }
    return row | fields


def small_month() -> pd.DataFrame:
    usd = {"salary_currency": "USD"}
    rows = [
        post(company="Acme, Inc.", remote=True, technologies=["Python", "Go"], role_families=["backend"],
             location_countries=["US"], location_cities=["New York City"], visa=True,
             salary_yearly_min=100_000.0, salary_yearly_max=140_000.0, **usd),
        post(company="ACME", onsite=True, technologies=["Python", "Python"], role_families=["backend"],
             location_countries=["US"], salary_yearly_min=150_000.0, **usd),
        post(company="Zenith", remote=True, hybrid=True, technologies=["Rust"], role_families=["ml"],
             location_countries=["DE"], location_cities=["Berlin"], visa=False, repost=True,
             salary_yearly_max=200_000.0, **usd),
        post(company=None, onsite=True, role_families=["backend"], salary_yearly_min=80_000.0,
             salary_yearly_max=100_000.0, **usd),
        post(company="Orbit", remote=True, technologies=["Go"], role_families=["backend", "ml"],
             salary_yearly_min=60_000.0, salary_yearly_max=60_000.0, **usd),
        post(company="Euro", onsite=True, salary_yearly_min=70_000.0, salary_yearly_max=90_000.0,
             salary_currency="EUR"),
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_a_small_month_by_hand() -> None:
    stats = monthly_stats("2026-03", small_month())
    assert value(stats, Dimension.TOTAL, "posts") == 6
    assert value(stats, Dimension.TOTAL, "companies") == 4  # Acme twice, one unknown
    assert value(stats, Dimension.WORK_MODE, "remote") == 3
    assert value(stats, Dimension.WORK_MODE, "remote", "share") == pytest.approx(0.5)
    assert value(stats, Dimension.WORK_MODE, "hybrid") == 1
    assert value(stats, Dimension.WORK_MODE, "onsite") == 3
    assert value(stats, Dimension.VISA, "sponsored") == 1  # False and unknown do not count
    assert value(stats, Dimension.REPOST, "repost", "share") == pytest.approx(1 / 6)
    # A post naming Python twice counts once.
    assert value(stats, Dimension.TECHNOLOGY, "Python") == 2
    assert value(stats, Dimension.TECHNOLOGY, "Go", "share") == pytest.approx(2 / 6)
    assert value(stats, Dimension.COUNTRY, "US") == 2
    assert value(stats, Dimension.CITY, "Berlin") == 1
    assert value(stats, Dimension.ROLE_FAMILY, "backend") == 4
    # USD yearly salaries: the middle of each range, or its one bound:
    # 120k, 150k, 200k, 90k, 60k -> p25 90k, p50 120k, p75 150k.
    assert value(stats, Dimension.SALARY, "USD") == 5
    assert value(stats, Dimension.SALARY, "USD", "p25") == 90_000
    assert value(stats, Dimension.SALARY, "USD", "p50") == 120_000
    assert value(stats, Dimension.SALARY, "USD", "p75") == 150_000
    # Four backend posts and one EUR post: too few for percentiles.
    assert value(stats, Dimension.SALARY, "USD/backend") == 0
    assert value(stats, Dimension.SALARY, "EUR") == 0
    assert stats["share"].between(0, 1).all()


def test_an_empty_month_has_zero_counts() -> None:
    stats = monthly_stats("2026-03", small_month().iloc[:0])
    assert value(stats, Dimension.TOTAL, "posts") == 0
    assert value(stats, Dimension.WORK_MODE, "remote", "share") == 0


def test_synthetic_months_stack_into_series() -> None:
    months = ["2026-01", "2026-02", "2026-03"]
    stats = pd.concat(
        [
            monthly_stats(m, pd.DataFrame(synthetic_posts(50, months=[m], seed=i)))
            for i, m in enumerate(months)
        ]
    )
    table = series(stats, Dimension.WORK_MODE, ["remote", "nowhere"])
    assert list(table.index) == months
    assert (table["nowhere"] == 0).all() and table["remote"].between(0, 1).all()


# --- the trend test ----------------------------------------------------------------------------


def history(shares: dict[str, list[float]], posts: int, seed: int = 0) -> pd.DataFrame:
    """Monthly statistics whose technology counts are binomial draws around ``shares``."""
    rng = np.random.default_rng(seed)
    months = pd.period_range("2024-01", periods=len(next(iter(shares.values()))), freq="M")
    rows = []
    for index, month in enumerate(map(str, months)):
        rows.append((month, "total", "posts", posts, 1.0))
        for key, path in shares.items():
            count = int(rng.binomial(posts, path[index]))
            rows.append((month, "technology", key, count, count / posts))
    frame = pd.DataFrame(rows, columns=["month", "dimension", "key", "posts", "share"])
    return frame.assign(p25=math.nan, p50=math.nan, p75=math.nan)


def test_flat_noisy_series_are_not_called_trends() -> None:
    flat = {f"tech{i}": [0.02 + 0.01 * (i % 8)] * 15 for i in range(200)}
    for seed in range(5):
        table = trends(history(flat, posts=400, seed=seed))
        assert len(table) == 200
        assert (table["trend"] == "steady").all(), table[table["trend"] != "steady"]


def test_a_real_rise_and_a_real_fall_are_called_trends() -> None:
    shares = {f"tech{i}": [0.05] * 15 for i in range(50)}
    shares["Rust"] = [0.05] * 12 + [0.09] * 3
    shares["Perl"] = [0.08] * 12 + [0.04] * 3
    table = trends(history(shares, posts=400, seed=3)).set_index("key")
    assert table.loc["Rust", "trend"] == "rising"
    assert table.loc["Perl", "trend"] == "falling"
    assert (table.drop(index=["Rust", "Perl"])["trend"] == "steady").all()
    assert table.loc["Rust", "recent_share"] == pytest.approx(0.09, abs=0.02)


def test_the_series_carry_each_keys_trend() -> None:
    shares = {"Rust": [0.05] * 12 + [0.09] * 3, "Go": [0.05] * 15}
    stats = history(shares, posts=400, seed=3)
    series_table = with_trends(stats, trends(stats))
    assert len(series_table) == len(stats)
    rust = series_table[series_table["key"] == "Rust"]
    assert len(rust) == 15 and set(rust["trend"]) == {"rising"}
    assert set(series_table.loc[series_table["key"] == "posts", "trend"]) == {"untested"}


def test_too_short_a_history_is_not_tested() -> None:
    assert trends(history({"Rust": [0.05] * 5}, posts=400)).empty


def test_rare_keys_are_not_tested() -> None:
    table = trends(history({"Rust": [0.05] * 15, "COBOL": [0.0] * 14 + [0.01]}, posts=400))
    assert set(table["key"]) == {"Rust"}


def test_two_proportion_test_matches_a_worked_example() -> None:
    # 60/200 against 40/200: pooled 0.25, z = 0.1 / sqrt(0.25 * 0.75 * 0.01) = 2.309.
    z, p = two_proportion_test(60, 200, 40, 200)
    assert z == pytest.approx(2.3094, abs=1e-4)
    assert p == pytest.approx(0.0209, abs=1e-4)
    assert two_proportion_test(0, 0, 5, 10) == (0.0, 1.0)


def test_benjamini_hochberg_by_hand() -> None:
    # Ranked: 0.01*4/1 = 0.04, 0.03*4/2 = 0.06, 0.04*4/3 = 0.0533, 0.20*4/4 = 0.20; each then
    # the smallest of itself and those ranked after it.
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    assert q == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.20])


def test_year_over_year_compares_the_same_month() -> None:
    stats = history({"Rust": [0.05] * 12 + [0.10]}, posts=1000, seed=1)
    yoy = year_over_year(stats).set_index("key")
    assert yoy.loc["Rust", "month"] == "2025-01"
    assert yoy.loc["Rust", "change"] > 0.02 and yoy.loc["Rust", "p_value"] < 0.01
    assert year_over_year(stats[stats["month"] > "2024-01"]).empty
