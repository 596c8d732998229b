"""What an operator gets wrong, and what the CLI says: one line naming what failed and what to
do, the documented exit code (2: usage or configuration, 1: failed work), no traceback unless
--verbose or HN_LOG_LEVEL=DEBUG."""

from __future__ import annotations

import socket

import pytest

from hn_assets.cli import main


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _one_line_error(capfd) -> str:
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HN_LSTM_MAX_SECONDS", "abc"),
        ("HN_LSTM_TRAIN_BATCHES", "-1"),
        ("HN_SOURCE", "bogus"),
        ("HN_API_URL", "hacker-news.firebaseio.com"),
        ("HN_LOG_LEVEL", "LOUD"),
        ("HN_LSTM_PROFILE", "huge"),
        ("HN_LSTM_RETRAIN_CRON", "every day"),
        ("ELASTICSEARCH_URL", "localhost:9200"),
        ("HN_ALERT_SMTP_PORT", "smtp"),
        ("HN_ALERT_SMTP_ALLOW_PLAINTEXT", "maybe"),
    ],
)
@pytest.mark.parametrize("command", [["refresh"], ["search", "python"], ["generate"]])
def test_a_bad_environment_value_is_a_usage_error(command, variable, value, monkeypatch, capfd):
    monkeypatch.setenv(variable, value)
    assert main(command) == 2
    line = _one_line_error(capfd)
    assert variable in line and repr(value) in line and "unset" in line


def test_a_data_dir_that_cannot_be_written_is_named(tmp_path, monkeypatch, capfd):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("HN_DATA_DIR", str(blocker / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    assert main(["refresh"]) == 2
    line = _one_line_error(capfd)
    assert "HN_DATA_DIR" in line and "not writable" in line


def test_a_dagster_home_that_cannot_be_written_is_named(tmp_path, monkeypatch, capfd):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DAGSTER_HOME", str(blocker / "home"))
    assert main(["refresh"]) == 2
    assert "DAGSTER_HOME" in _one_line_error(capfd)


def test_an_unreachable_api_fails_the_refresh_in_a_few_lines(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("HN_SOURCE", "api")
    monkeypatch.setenv("HN_API_URL", f"http://127.0.0.1:{_closed_port()}/v0")
    home = tmp_path / "home"
    home.mkdir()
    # Dagster's one-time telemetry notice on a new instance is not ours to count.
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert main(["refresh"]) == 1
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "Stack Trace" not in out + err
    assert len((out + err).splitlines()) < 15
    assert "discover threads" in out and "connection error" in out
    assert "HN_API_URL" in out  # what to check


def test_elasticsearch_down_is_failed_work_not_a_traceback(monkeypatch, capfd):
    monkeypatch.setenv("ELASTICSEARCH_URL", f"http://127.0.0.1:{_closed_port()}")
    assert main(["search", "python"]) == 1
    line = _one_line_error(capfd)
    assert "127.0.0.1" in line


def test_an_unexpected_error_is_one_line_unless_verbose(monkeypatch, capfd):
    import hn_assets.search.parser as parser

    def broken(text: str):
        raise KeyError("bug")

    monkeypatch.setattr(parser, "parse_query", broken)
    assert main(["search", "python"]) == 1
    line = _one_line_error(capfd)
    assert "unexpected error" in line and "--verbose" in line

    assert main(["search", "python", "--verbose"]) == 1
    assert "Traceback" in capfd.readouterr().err
