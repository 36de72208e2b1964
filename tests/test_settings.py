import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django_setup(code: str = "", **env):
    """A new Python process that sets Django up with these environment variables, then runs `code`."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "FIELD_ENCRYPTION_KEYS"}}
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
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


def test_with_cache_url_every_process_shares_the_cache_in_redis():
    """The figures of filtered statistics are cached until the next run of the job: with CACHE_URL
    a value one process writes is read by another (two web processes, say), through Redis."""
    url = os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/12")
    key = f"shared-{os.getpid()}"
    cache = "from django.core.cache import cache, caches; "
    written = _django_setup(
        cache + f"cache.set('{key}', 42, 60); print(type(caches['default']).__name__)", CACHE_URL=url
    )
    assert written.returncode == 0, written.stderr
    assert written.stdout.strip() == "RedisCache"
    read = _django_setup(cache + f"print(cache.get('{key}')); cache.delete('{key}')", CACHE_URL=url)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "42"


def test_without_cache_url_each_process_keeps_its_own(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
