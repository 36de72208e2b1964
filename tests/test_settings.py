import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent


def production_keys() -> dict:
    return {"SECRET_KEY": secrets.token_urlsafe(50), "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}


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


def test_without_debug_it_is_production_and_refuses_to_start_without_its_keys():
    result = _django_setup()
    assert result.returncode != 0
    assert (
        "Production mode (DEBUG is off, the default) refuses to start without SECRET_KEY (a random value of at "
        "least 32 characters, never the development default) and FIELD_ENCRYPTION_KEYS (one or more Fernet keys, "
        "never the development one): set them, or set DEBUG=1 for development"
    ) in result.stderr


def test_without_debug_and_with_real_keys_it_starts_in_production():
    result = _django_setup("from django.conf import settings; print(settings.DEBUG)", **production_keys())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_production_turns_on_https_hsts_and_secure_cookies():
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "SECURE_PROXY_SSL_HEADER",
    ]
    code = f"from django.conf import settings; print([getattr(settings, name) for name in {names!r}])"
    result = _django_setup(code, **production_keys())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([True, 31536000, True, False, True, True, True, None])


def test_https_redirect_preload_and_the_proxy_header_come_from_the_environment():
    code = (
        "from django.conf import settings; "
        "print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_PRELOAD, settings.SECURE_PROXY_SSL_HEADER)"
    )
    result = _django_setup(
        code,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_PRELOAD="1",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        **production_keys(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True ('HTTP_X_FORWARDED_PROTO', 'https')"


def test_a_proxy_header_without_its_value_is_refused():
    result = _django_setup(DEBUG="1", SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER is a header and a value" in result.stderr


def test_pytest_runs_in_development_mode_and_passes_it_on_to_the_processes_it_starts():
    assert os.environ["DEBUG"] == "1"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "True", result.stderr


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
        cache + f"cache.set('{key}', 42, 60); print(type(caches['default']).__name__)", CACHE_URL=url, DEBUG="1"
    )
    assert written.returncode == 0, written.stderr
    assert written.stdout.strip() == "RedisCache"
    read = _django_setup(cache + f"print(cache.get('{key}')); cache.delete('{key}')", CACHE_URL=url, DEBUG="1")
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "42"


def test_without_cache_url_each_process_keeps_its_own(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "FIELD_ENCRYPTION_KEYS"}}
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_developer_checkout_runs_management_commands_without_any_environment():
    result = _manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_manage_py_with_a_production_secret_but_no_encryption_key_still_refuses():
    result = _manage("check", SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "Production mode (DEBUG is off, the default) refuses to start" in result.stderr


def test_production_keeps_database_connections_a_minute_with_health_checks():
    code = "from django.conf import settings as s; d = s.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    assert _django_setup(code, **production_keys()).stdout.split() == ["60", "True"]
    assert _django_setup(code, **production_keys(), CONN_MAX_AGE="0").stdout.split() == ["0", "True"]
    assert _django_setup(code, DEBUG="1").stdout.split() == ["0", "True"]
