"""The report by email: multipart/alternative (plain text + HTML) over STARTTLS, TLS or plain SMTP.

Certificates are verified (the default SSL context); a transient failure
(connection refused, timeout, SMTP 4xx) is retried a bounded number of times.
The password never appears in an error message.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..errors import DeliveryError
from ..reports import DailyReport
from ..settings import Config

log = logging.getLogger(__name__)


def subject_line(report: DailyReport) -> str:
    if report.papers:
        n = report.total_relevant
        what = f"{n} relevant paper{'s' if n != 1 else ''}"
    else:
        what = {"no_announcement": "no announcement", "unreachable": "arXiv unreachable",
                "nothing_above_threshold": "nothing above threshold"}.get(
                    report.empty_reason.value if report.empty_reason else "", "no papers")
    return f"{report.title}, {report.day.isoformat()}: {what}"


def build_message(config: Config, report: DailyReport, *, text: str, html: str) -> EmailMessage:
    sender = config["email.sender"] or config["email.username"]
    recipients = list(config["email.recipients"])
    if not sender or not recipients:
        raise DeliveryError("email is enabled but email.sender and email.recipients are not both set")
    message = EmailMessage()
    message["Subject"] = subject_line(report)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _connect(config: Config, context: ssl.SSLContext) -> smtplib.SMTP:
    host, port, timeout = config["email.host"], config["email.port"], config["email.timeout_seconds"]
    security = config["email.security"]
    if security == "tls":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    client = smtplib.SMTP(host, port, timeout=timeout)
    if security == "starttls":
        client.ehlo()
        client.starttls(context=context)
        client.ehlo()
    return client


def _send_once(config: Config, message: EmailMessage, context: ssl.SSLContext) -> None:
    with _connect(config, context) as client:
        if config["email.username"]:
            client.login(config["email.username"], config["email.password"])
        client.send_message(message)


def _transient(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout,
                            ConnectionError, TimeoutError))


def send_report_email(config: Config, report: DailyReport, *, text: str, html: str,
                      ssl_context: ssl.SSLContext | None = None, attempts: int = 3,
                      retry_delay: float = 5.0) -> EmailMessage:
    """Send the report; returns the message sent. Raises :class:`DeliveryError` when it cannot."""
    if not config["email.host"]:
        raise DeliveryError("email is enabled but email.host is not set")
    message = build_message(config, report, text=text, html=html)
    context = ssl_context or ssl.create_default_context()
    for attempt in range(1, attempts + 1):
        try:
            _send_once(config, message, context)
            return message
        except (smtplib.SMTPException, OSError) as exc:
            reason = _describe(exc)
            if attempt < attempts and _transient(exc):
                log.warning("email attempt %d failed (%s); retrying", attempt, reason)
                time.sleep(retry_delay * attempt)
                continue
            raise DeliveryError(f"could not send the report email via {config['email.host']}:"
                                f"{config['email.port']}: {reason}") from None
    raise AssertionError("unreachable")


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login refused ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"server answered {exc.smtp_code} {exc.smtp_error.decode(errors='replace')[:200]}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + ", ".join(exc.recipients)
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    return f"{type(exc).__name__}: {exc}"
