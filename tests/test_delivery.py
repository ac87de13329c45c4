"""Delivery: report files, and email received by a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import socket
import ssl
import subprocess
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sync.delivery import deliver, report_dir, write_report_files
from sync.delivery.email import send_report_email
from sync.errors import DeliveryError
from sync.reports import build_daily, render_daily
from tests.support.report_data import DAY, HOSTILE_TITLE, NOW, seeded

PASSWORD = "s3cret-smtp-pass"


class Inbox:
    """aiosmtpd handler: keeps every message received."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"reports" and \
        auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it explicitly)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture
def smtp(request, certificate):
    """A local SMTP server; param: "starttls" (auth required after STARTTLS), "tls" or "none"."""
    mode = request.param
    cert, key = certificate
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    inbox = Inbox()
    port = _free_port()
    kwargs: dict = {}
    if mode == "starttls":
        kwargs = dict(tls_context=server_ctx, require_starttls=True, authenticator=_authenticator,
                      auth_require_tls=True)
    elif mode == "tls":
        kwargs = dict(ssl_context=server_ctx, authenticator=_authenticator, auth_require_tls=False)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    client_ctx = ssl.create_default_context(cafile=str(cert))
    yield mode, port, inbox, client_ctx
    controller.stop()


def _email_config(config, port, mode, **extra):
    values = dict(email__enabled=True, email__host="127.0.0.1", email__port=port, email__security=mode,
                  email__sender="paperfeed@example.org", email__recipients=["me@example.org", "lab@example.org"],
                  email__timeout_seconds=5.0)
    if mode != "none":
        values.update(email__username="reports", email__password=PASSWORD)
    values.update(extra)
    return config.with_values(**values)


def _rendered(report):
    return {fmt: render_daily(report, fmt) for fmt in ("md", "html", "text")}


@pytest.mark.parametrize("smtp", ["starttls", "tls", "none"], indirect=True)
def test_send_report_email_received_with_text_and_html_parts(store, config, smtp):
    mode, port, inbox, client_ctx = smtp
    report_store = seeded(store)
    report = build_daily(report_store, config, day=DAY, now=NOW)
    parts = _rendered(report)
    send_report_email(_email_config(config, port, mode), report, text=parts["text"], html=parts["html"],
                      ssl_context=client_ctx)
    assert len(inbox.messages) == 1
    mail_from, rcpt, raw = inbox.messages[0]
    assert mail_from == "paperfeed@example.org" and rcpt == ["me@example.org", "lab@example.org"]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert str(message["Subject"]).strip() == "arXiv cs.DC, cs.PL, cs.PF, cs.NI daily report, 2025-09-24: 3 relevant papers"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # CRLF on the wire
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert plain == parts["text"] and html == parts["html"]
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert HOSTILE_TITLE in plain  # plain text: no Markdown escapes to read around
    assert PASSWORD.encode() not in raw


@pytest.mark.parametrize("smtp", ["starttls"], indirect=True)
def test_send_report_email_wrong_password_is_clear_error(store, config, smtp):
    mode, port, inbox, client_ctx = smtp
    report = build_daily(seeded(store), config, day=DAY, now=NOW)
    parts = _rendered(report)
    bad = _email_config(config, port, mode, email__password="wrong")
    with pytest.raises(DeliveryError, match="login refused") as info:
        send_report_email(bad, report, text=parts["md"], html=parts["html"], ssl_context=client_ctx)
    assert "wrong" not in info.value.message and not inbox.messages


@pytest.mark.parametrize("smtp", ["starttls"], indirect=True)
def test_send_report_email_untrusted_certificate_refused(store, config, smtp):
    mode, port, inbox, _ = smtp
    report = build_daily(seeded(store), config, day=DAY, now=NOW)
    parts = _rendered(report)
    with pytest.raises(DeliveryError, match="TLS failed|CERTIFICATE"):
        send_report_email(_email_config(config, port, mode), report, text=parts["md"], html=parts["html"],
                          attempts=1)  # default context: the self-signed certificate is not trusted
    assert not inbox.messages


def test_send_report_email_unreachable_server_retries_then_fails(store, config):
    report = build_daily(seeded(store), config, day=DAY, now=NOW)
    parts = _rendered(report)
    cfg = _email_config(config, _free_port(), "none", email__timeout_seconds=2.0)
    with pytest.raises(DeliveryError, match="could not send the report email via 127.0.0.1"):
        send_report_email(cfg, report, text=parts["md"], html=parts["html"], attempts=2, retry_delay=0.01)


@pytest.mark.parametrize("missing", ["email__host", "email__recipients"])
def test_send_report_email_incomplete_config_is_clear_error(store, config, missing):
    report = build_daily(seeded(store), config, day=DAY, now=NOW)
    cfg = _email_config(config, 25, "none", **{missing: [] if missing == "email__recipients" else ""})
    with pytest.raises(DeliveryError, match="email"):
        send_report_email(cfg, report, text="t", html="<p>t</p>")


@pytest.mark.parametrize("smtp", ["none"], indirect=True)
def test_deliver_writes_files_and_emails_once_per_result(store, config, smtp):
    mode, port, inbox, _ = smtp
    report_store = seeded(store)
    cfg = _email_config(config, port, mode)
    report = build_daily(report_store, cfg, day=DAY, now=NOW)
    first = deliver(report_store, cfg, report, _rendered(report))
    again = deliver(report_store, cfg, report, _rendered(report))
    assert first.email == "sent" and again.email == "unchanged" and len(inbox.messages) == 1
    folder = report_dir(cfg)
    assert first.files == [folder / "paperfeed-2025-09-24.md", folder / "paperfeed-2025-09-24.html"]
    assert (folder / "latest.html").read_text() == _rendered(report)["html"]
    changed = build_daily(report_store, cfg.with_values(ranking__threshold=0.5), day=DAY, now=NOW)
    assert deliver(report_store, cfg, changed, _rendered(changed)).email == "sent"
    assert len(inbox.messages) == 2


def test_write_report_files_unwritable_dir_is_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(DeliveryError, match="cannot write reports"):
        write_report_files(blocker / "reports", DAY, {"md": "x"})


def test_write_report_files_replaces_previous(tmp_path):
    write_report_files(tmp_path, DAY, {"md": "old"})
    write_report_files(tmp_path, DAY, {"md": "new"})
    assert (tmp_path / "paperfeed-2025-09-24.md").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.md", "paperfeed-2025-09-24.md"]
