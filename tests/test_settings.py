import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django_setup(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "FIELD_ENCRYPTION_KEYS"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = _django_setup(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_mode_starts_with_a_real_secret_key():
    result = _django_setup(
        DEBUG="0", SECRET_KEY="x" * 50, FIELD_ENCRYPTION_KEYS="c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0wMDAwMDA="
    )
    assert result.returncode == 0, result.stderr


def test_the_defaults_are_french_and_paris(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_production_mode_refuses_the_development_encryption_key():
    result = _django_setup(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr
