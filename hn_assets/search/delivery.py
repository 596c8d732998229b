"""Delivering a digest: SMTP and/or a webhook, each retried on transient failures.

Delivery is off unless the environment configures it: SMTP with ``HN_ALERT_SMTP_HOST`` (plus
``_PORT`` default 587, ``_USER``, ``_PASSWORD``, ``_FROM``, ``_TO`` comma-separated), and/or a
webhook with ``HN_ALERT_WEBHOOK_URL`` (a JSON POST with a Slack-compatible ``text`` field).

SMTP logs in (``HN_ALERT_SMTP_USER``) only over TLS: port 465, or STARTTLS when the server
offers it. A server without STARTTLS gets no password unless
``HN_ALERT_SMTP_ALLOW_PLAINTEXT=1`` says the network path is trusted. Without a user nothing
secret is sent, so mail goes out over a plain connection as before (a local relay on port 25
often offers no TLS); the digest only holds public HN posts.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

import requests
import tenacity

from hn_assets import settings
from hn_assets.errors import ConfigError, HNError
from hn_assets.search.digest import Digest, text_digest
from hn_assets.search.matching import AlertResult


class AlertDeliveryError(HNError, RuntimeError):
    """A configured delivery channel failed after its retries, or is configured wrongly."""


class _RetryableHTTPError(Exception):
    """The webhook answered 429 or 5xx: worth trying again."""


def _webhook_host(env: Mapping[str, str]) -> str:
    # Webhook URLs often embed a secret token: messages name only the host.
    return urlsplit(env["HN_ALERT_WEBHOOK_URL"]).hostname or "the webhook"


@dataclass(frozen=True)
class _Outgoing:
    """One digest on its way out, and how hard to try each channel."""

    digest: Digest
    result: AlertResult
    env: Mapping[str, str]
    timeout_s: float
    attempts: int
    backoff_s: float

    def retrying(self, *retry_on: type[BaseException]) -> tenacity.Retrying:
        """Up to ``attempts`` tries while ``retry_on`` is raised, waiting ``backoff_s``
        doubled after each failure; the last failure is raised as it is."""
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(retry_on),
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_exponential(multiplier=self.backoff_s),
            reraise=True,
        )


def _send_email(out: _Outgoing) -> str:
    env, result, timeout_s = out.env, out.result, out.timeout_s
    host = env["HN_ALERT_SMTP_HOST"]
    port = settings.HN_ALERT_SMTP_PORT.read(env)
    allow_plaintext = settings.HN_ALERT_SMTP_ALLOW_PLAINTEXT.read(env)
    user, password = env.get("HN_ALERT_SMTP_USER"), env.get("HN_ALERT_SMTP_PASSWORD")
    recipients = [a.strip() for a in env.get("HN_ALERT_SMTP_TO", "").split(",") if a.strip()]
    if not recipients:
        raise AlertDeliveryError(
            "HN_ALERT_SMTP_HOST is set but HN_ALERT_SMTP_TO is not: set the recipient address(es)"
        )
    message = EmailMessage()
    message["Subject"] = f"HN jobs: {result.total_new} new matches for {result.month}"
    # The same digest sent twice has one Message-ID, which mail systems use to drop repeats.
    message["Message-ID"] = f"<{result.idempotency_key}@hn-jobs.invalid>"
    try:
        message["From"] = env.get("HN_ALERT_SMTP_FROM") or user or "hn-jobs@localhost"
        message["To"] = ", ".join(recipients)
    except ValueError as exc:  # a line break in an address would start a new header
        raise AlertDeliveryError(
            f"HN_ALERT_SMTP_FROM or HN_ALERT_SMTP_TO is not a valid address list ({exc}): "
            "correct it"
        ) from exc
    # Plain text only: post text in an HTML part would need its own escaping and buys nothing.
    message.set_content(out.digest.plain_text)
    encrypted = port == 465
    if encrypted:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout_s, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout_s)
    with smtp:
        smtp.ehlo()
        if not encrypted and smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
            encrypted = True
        if user:
            # A server that drops STARTTLS (or an attacker in the path who strips it) must
            # not get the password in clear text.
            if not encrypted and not allow_plaintext:
                raise AlertDeliveryError(
                    f"the SMTP server {host}:{port} offers no STARTTLS, so logging in as "
                    "HN_ALERT_SMTP_USER would send the password unencrypted; use port 465 or a "
                    "server with STARTTLS, or set HN_ALERT_SMTP_ALLOW_PLAINTEXT=1 if the "
                    "network to it is trusted"
                )
            smtp.login(user, password or "")
        smtp.send_message(message)
    return f"email to {', '.join(recipients)}"


def _post_webhook(out: _Outgoing) -> str:
    result = out.result
    url = out.env["HN_ALERT_WEBHOOK_URL"]
    key = result.idempotency_key
    payload = {
        "text": out.digest.slack,
        "month": result.month,
        "new_matches": result.new_matches,
        "idempotency_key": key,
    }
    response = requests.post(
        url, json=payload, headers={"Idempotency-Key": key}, timeout=out.timeout_s
    )
    host = _webhook_host(out.env)
    if response.status_code == 429 or response.status_code >= 500:
        raise _RetryableHTTPError(f"webhook at {host} answered {response.status_code}")
    if response.status_code >= 400:
        raise AlertDeliveryError(
            f"webhook at {host} refused the digest with HTTP {response.status_code}: check "
            "HN_ALERT_WEBHOOK_URL"
        )
    return f"webhook to {host}"


_TRANSIENT_SMTP = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)
_TRANSIENT_HTTP = (requests.ConnectionError, requests.Timeout, _RetryableHTTPError)


def _deliver_email(out: _Outgoing) -> str:
    try:
        return out.retrying(*_TRANSIENT_SMTP)(_send_email, out)
    except (smtplib.SMTPException, OSError) as exc:  # refused, DNS, timeouts after the retries
        raise AlertDeliveryError(
            f"email delivery via {out.env['HN_ALERT_SMTP_HOST']} failed: {exc}"
        ) from exc


def _deliver_webhook(out: _Outgoing) -> str:
    retrying = out.retrying(*_TRANSIENT_HTTP)
    try:
        return retrying(_post_webhook, out)
    except (requests.RequestException, _RetryableHTTPError) as exc:
        # requests' messages repeat the URL, so only the exception's type is reported.
        reason = str(exc) if isinstance(exc, _RetryableHTTPError) else type(exc).__name__
        tried = retrying.statistics.get("attempt_number", out.attempts)
        raise AlertDeliveryError(
            f"webhook delivery to {_webhook_host(out.env)} failed after {tried} attempts: {reason}"
        ) from exc


def deliver(
    result: AlertResult,
    digest: Digest | str,
    env: Mapping[str, str],
    *,
    timeout_s: float = 10.0,
    attempts: int = 3,
    backoff_s: float = 1.0,
) -> list[str]:
    """Send ``digest`` through each channel the environment configures; returns what was sent.

    ``digest`` is a :class:`Digest` from :func:`~hn_assets.search.digest.render_digest`: the
    email gets its plain text, the webhook its Slack text. A plain ``str`` is taken as
    finished text (see :func:`~hn_assets.search.digest.text_digest`).

    Nothing is sent when no notifying search has new matches or nothing is configured. Every
    configured channel is tried; if any fails after its retries, :class:`AlertDeliveryError`
    names all failures (secrets and webhook paths are never included).
    """
    if not result.deliverable:
        return []
    if isinstance(digest, str):
        digest = text_digest(digest)
    channels = [
        channel
        for variable, channel in (
            ("HN_ALERT_SMTP_HOST", _deliver_email),
            ("HN_ALERT_WEBHOOK_URL", _deliver_webhook),
        )
        if env.get(variable)
    ]
    out = _Outgoing(digest, result, env, timeout_s, attempts, backoff_s)
    delivered: list[str] = []
    failures: list[str] = []
    for channel in channels:
        try:
            delivered.append(channel(out))
        except (AlertDeliveryError, ConfigError) as exc:
            failures.append(str(exc))
    if failures:
        sent = f" (delivered: {', '.join(delivered)})" if delivered else ""
        raise AlertDeliveryError("; ".join(failures) + sent)
    return delivered
