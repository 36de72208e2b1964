"""E-mail in production: EMAIL_URL alone takes the product's mail to a real SMTP server (here
aiosmtpd on a loopback port, with a login), and `check --deploy` warns while mail would stay on
the machine."""

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
# The test server listens on loopback only; the login in clear is what is being tested.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
# Characters a URL must %-encode; ASCII only, as smtplib encodes AUTH in ASCII.
USER, PASSWORD = "rappels@affaires.example.org", "mot de passe:avec@/reserves%"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append((session.authenticated, envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


def authenticate(server, session, envelope, mechanism, auth_data):
    # handled=False: the server answers 535 itself on a failure.
    success = (auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=success, handled=False)


@pytest.fixture
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


def manage(*args, **env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DEBUG", "SECURE_", "EMAIL"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="affaires.example.org",
        **env,
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def quoted(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def test_email_url_sends_through_the_smtp_server_with_its_login(smtp_server):
    port, mailbox = smtp_server
    url = f"smtp://{quoted(USER)}:{quoted(PASSWORD)}@127.0.0.1:{port}"
    result = manage(
        "sendtestemail",
        "avocate@association.example.org",
        EMAIL_URL=url,
        DEFAULT_FROM_EMAIL="rappels@affaires.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert len(mailbox.messages) == 1
    authenticated, sender, recipients, content = mailbox.messages[0]
    assert authenticated
    assert sender == "rappels@affaires.example.org"
    assert recipients == ["avocate@association.example.org"]
    assert b"Test email from" in content


def test_a_wrong_password_is_refused_with_a_readable_error(smtp_server):
    port, mailbox = smtp_server
    result = manage("sendtestemail", "a@example.org", EMAIL_URL=f"smtp://{quoted(USER)}:faux@127.0.0.1:{port}")
    assert result.returncode != 0
    assert "SMTPAuthenticationError" in result.stderr
    assert mailbox.messages == []


def test_the_deployment_check_warns_while_mail_stays_on_the_machine():
    without = manage("check", "--deploy", "--fail-level", "WARNING")
    assert without.returncode != 0
    assert "config.W001" in without.stderr
    assert "EMAIL_URL" in without.stderr
    with_url = manage("check", "--deploy", "--fail-level", "WARNING", EMAIL_URL="smtp+tls://u:p@smtp.example.org:587")
    assert "config.W001" not in with_url.stderr


def test_email_url_sets_tls_port_and_a_timeout():
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER, s.EMAIL_TIMEOUT)"
    )
    result = manage("shell", "-v", "0", "-c", code, EMAIL_URL="smtp+tls://u%40x.org:p@smtp.example.org:587")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "587",
        "True",
        "u@x.org",
        "30",
    ]
