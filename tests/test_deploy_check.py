"""`manage.py check --deploy` with production settings: no warning at all, so a setting that weakens
HTTPS, cookies or headers (or a new check Django adds) fails the build instead of going unnoticed."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent


def manage_check_deploy(**env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DEBUG", "SECURE_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="affaires.example.org",
        EMAIL_URL="smtp+tls://rappels:secret@smtp.example.org:587",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_deployment_check_is_clean_with_production_settings():
    result = manage_check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deployment_check_fails_when_https_redirect_is_turned_off():
    result = manage_check_deploy(SECURE_SSL_REDIRECT="0")
    assert result.returncode != 0
    assert "security.W008" in result.stderr
