"""Settings read from the environment, each parsed in one place with an error that says how
to fix it.

Every ``HN_*`` variable the HN code location reads goes through :data:`SETTINGS`, so
:func:`check_environment` can reject a bad value before any work starts (the CLIs call it),
and a run that reads one later fails with the same one-line message.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hn_assets.errors import ConfigError

HN_SOURCES = ("api", "sample")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LSTM_PROFILES = ("paper", "small_cpu")


def _positive_number(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ConfigError(
            f"{name}={raw!r} is not a positive number of seconds: set it to e.g. 150, or unset it"
        )
    return value


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(
            f"{name}={raw!r} is not a positive whole number: set it to e.g. 10, or unset it"
        )
    return value


def _choice(choices: tuple[str, ...], *, upper: bool = False) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip().upper() if upper else raw.strip().lower()
        if value not in choices:
            raise ConfigError(
                f"{name}={raw!r} is not one of {', '.join(choices)}: pick one, or unset it"
            )
        return value

    return parse


def _http_url(name: str, raw: str) -> str:
    value = raw.strip()
    if not value.startswith(("http://", "https://")) or len(value) <= len("https://"):
        raise ConfigError(
            f"{name}={raw!r} is not an http:// or https:// URL: correct it, or unset it for the default"
        )
    return value.rstrip("/")


def _cron(name: str, raw: str) -> str:
    from dagster._utils.schedules import is_valid_cron_string

    if not is_valid_cron_string(raw):
        raise ConfigError(
            f"{name}={raw!r} is not a cron schedule: set it to e.g. '0 4 * * *', or unset it"
        )
    return raw


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise ConfigError(
        f"{name}={raw!r} is not one of {', '.join(_TRUE + _FALSE)}: set it to 1 to allow it, "
        "or unset it"
    )


def _port(name: str, raw: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise ConfigError(
            f"{name}={raw!r} is not a port number: set it to e.g. 587 (STARTTLS) or 465 (SSL), "
            "or unset it"
        )
    return port


@dataclass(frozen=True)
class Setting:
    """One environment variable: its parser and what an unset variable means."""

    name: str
    parse: Callable[[str, str], Any]
    default: Any = None

    def read(self, env: Mapping[str, str] | None = None) -> Any:
        raw = (os.environ if env is None else env).get(self.name, "")
        if not raw.strip():
            return self.default
        return self.parse(self.name, raw)


HN_SOURCE = Setting("HN_SOURCE", _choice(HN_SOURCES), "api")
HN_API_URL = Setting("HN_API_URL", _http_url)
HN_SAMPLE_MONTHS = Setting("HN_SAMPLE_MONTHS", _positive_int)
HN_LOG_LEVEL = Setting("HN_LOG_LEVEL", _choice(LOG_LEVELS, upper=True))
HN_LSTM_PROFILE = Setting("HN_LSTM_PROFILE", _choice(LSTM_PROFILES), "paper")
HN_LSTM_MAX_SECONDS = Setting("HN_LSTM_MAX_SECONDS", _positive_number)
HN_LSTM_TRAIN_BATCHES = Setting("HN_LSTM_TRAIN_BATCHES", _positive_int)
HN_LSTM_RETRAIN_CRON = Setting("HN_LSTM_RETRAIN_CRON", _cron, "0 4 * * *")
ELASTICSEARCH_URL = Setting("ELASTICSEARCH_URL", _http_url)
HN_ALERT_SMTP_PORT = Setting("HN_ALERT_SMTP_PORT", _port, 587)
HN_ALERT_SMTP_ALLOW_PLAINTEXT = Setting("HN_ALERT_SMTP_ALLOW_PLAINTEXT", _flag, False)

SETTINGS = (
    HN_SOURCE,
    HN_API_URL,
    HN_SAMPLE_MONTHS,
    HN_LOG_LEVEL,
    HN_LSTM_PROFILE,
    HN_LSTM_MAX_SECONDS,
    HN_LSTM_TRAIN_BATCHES,
    HN_LSTM_RETRAIN_CRON,
    ELASTICSEARCH_URL,
    HN_ALERT_SMTP_PORT,
    HN_ALERT_SMTP_ALLOW_PLAINTEXT,
)


def check_environment(env: Mapping[str, str] | None = None) -> None:
    """Raise :class:`ConfigError` for the first variable whose value cannot be used."""
    for setting in SETTINGS:
        setting.read(env)


def check_writable(directory: str, variable: str) -> None:
    """Raise :class:`ConfigError` unless the local ``directory`` can be created and written.

    Remote (fsspec) locations are left to their filesystem's own errors.
    """
    if "://" in directory and not directory.startswith("file://"):
        return
    path = directory.removeprefix("file://")
    probe = os.path.join(path, f".write-probe-{os.getpid()}")
    try:
        os.makedirs(path, exist_ok=True)
        with open(probe, "w") as handle:
            handle.write("ok")
        os.remove(probe)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigError(
            f"{variable}={directory!r} is not writable ({reason}): point {variable} at a "
            "directory this user can write, or fix its permissions"
        ) from error
