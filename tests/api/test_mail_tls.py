"""STARTTLS, against a real SMTP server (aiosmtpd on loopback) that requires it.

The server's certificate is made for the test (self-signed, for 127.0.0.1) and trusted
through SSL_CERT_FILE, the way a private CA would be on a real host. The mailer upgrades
the connection, checks the certificate and the host name, and sends nothing to a server
it cannot verify.
"""

from __future__ import annotations

import datetime
import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from interactions_api.config import Settings
from interactions_api.mail import send_now
from tests.api.conftest import Mailbox, _Collect

LOOPBACK = "127.0.0.1"


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate (and its key) for the loopback address."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOOPBACK)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp.pem", folder / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Mailbox, Path]]:
    """An SMTP server that refuses mail until the client has issued STARTTLS."""
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        port = s.getsockname()[1]
    box = Mailbox(host=LOOPBACK, port=port)
    controller = Controller(
        _Collect(box), hostname=LOOPBACK, port=port, tls_context=context, require_starttls=True
    )
    controller.start()
    yield box, cert
    controller.stop()


@pytest.fixture
def mail_settings(tls_server: tuple[Mailbox, Path]) -> Callable[..., Settings]:
    box, _ = tls_server

    def _make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "env": "test",
            "secret_key": "test-secret-key-" + "k" * 32,
            "smtp_host": box.host,
            "smtp_port": box.port,
            "smtp_from": "Quire <noreply@quire.test>",
            **overrides,
        }
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return _make


def test_mail_goes_over_starttls_to_a_server_it_can_verify(
    tls_server: tuple[Mailbox, Path],
    mail_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the host trusts this certificate
    send_now(mail_settings(), to="ada@example.org", subject="Over TLS", body="Hello")
    assert [(m["To"], m["Subject"]) for m in box.messages] == [("ada@example.org", "Over TLS")]


def test_nothing_is_sent_to_a_server_whose_certificate_is_not_trusted(
    tls_server: tuple[Mailbox, Path], mail_settings: Callable[..., Settings]
) -> None:
    box, _ = tls_server
    with pytest.raises(ssl.SSLCertVerificationError):
        send_now(mail_settings(), to="ada@example.org", subject="Secret", body="Hello")
    assert box.messages == []


def test_a_server_that_requires_starttls_refuses_plain_mail(
    tls_server: tuple[Mailbox, Path], mail_settings: Callable[..., Settings]
) -> None:
    box, _ = tls_server
    with pytest.raises(smtplib.SMTPException):
        send_now(mail_settings(smtp_starttls=False), to="a@example.org", subject="x", body="y")
    assert box.messages == []
