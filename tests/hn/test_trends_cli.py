"""`hn-jobs trends`: the terminal view, --tech, --since, --json, --company, and its errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hn_assets.cli import main
from hn_assets.market.stats import monthly_stats
from hn_assets.market.terminal import sparkline
from hn_assets.storage import ParquetStore
from tests.fakes.synthetic_posts import default_months, synthetic_posts

MONTHS = default_months(16, first="2025-01")


@pytest.fixture
def stored_months(data_dir: Path) -> list[str]:
    store = ParquetStore(data_dir)
    for index, month in enumerate(MONTHS):
        posts = pd.DataFrame(synthetic_posts(60, months=[month], seed=index))
        if index >= len(MONTHS) - 3:
            # Everyone wants Zig in the last three months: a trend the test must call.
            posts["technologies"] = [[*names, "Zig"] for names in posts["technologies"]]
        store.write("clean_posts", posts, month)
        store.write("monthly_stats", monthly_stats(month, posts), month)
    return MONTHS


def test_the_table_shows_every_month_and_the_rising_technology(stored_months, capsys) -> None:
    assert main(["trends"]) == 0
    out = capsys.readouterr().out
    assert f"{stored_months[0]} to {stored_months[-1]}" in out
    assert "remote" in out and "visa sponsored" in out and "reposts" in out
    assert "Rising and falling" in out
    zig = next(line for line in out.splitlines() if "Zig" in line and "%" in line)
    assert "rising" in zig or "100.0%" in zig


def test_json_with_chosen_technologies_and_since(stored_months, capsys) -> None:
    assert main(["trends", "--tech", "zig, python", "--since", stored_months[4], "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["months"] == stored_months[4:]
    assert list(data["technologies"]) == ["Zig", "Python"]  # names as stored, any case given
    assert data["technologies"]["Zig"][-3:] == [1.0, 1.0, 1.0]
    assert len(data["posts"]) == len(data["shares"]["remote"]) == len(stored_months) - 4
    assert {"dimension": "technology", "key": "Zig", "trend": "rising"}.items() <= next(
        row for row in data["trends"] if row["key"] == "Zig"
    ).items()


def test_company_history(stored_months, data_dir: Path, capsys) -> None:
    posts = ParquetStore(data_dir).read("clean_posts", stored_months[0])
    company = next(name for name in posts["company"] if isinstance(name, str))
    assert main(["trends", "--company", company, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(row["company"] == company for row in rows)
    assert [row["month"] for row in rows] == sorted(row["month"] for row in rows)


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["trends"], 1, "no monthly statistics under"),
        (["trends", "--since", "May"], 2, "--since must look like YYYY-MM"),
        (["trends", "--company", "Inc."], 2, "names no company"),
    ],
)
def test_errors_are_one_line_with_the_fix(argv, code, message, capsys) -> None:
    assert main(argv) == code
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_since_after_every_month_says_so(stored_months, capsys) -> None:
    assert main(["trends", "--since", "2099-01"]) == 1
    assert "no monthly statistics since 2099-01" in capsys.readouterr().err


def test_help_explains_the_test(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["trends", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "two-proportion z-test" in out and "--tech" in out and "HN_DATA_DIR" in out


def test_piped_output_is_plain(stored_months, data_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hn_assets.cli", "trends"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout and "Who is hiring" in done.stdout


def test_sparklines_scale_from_low_to_high() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert sparkline([2, 2, 2]) == "▁▁▁"
    assert sparkline([float("nan"), 1.0]) == " ▁"
    assert sparkline([]) == ""
