"""Production serving: gunicorn with config/gunicorn.py and production settings serves the pages and
the static files (WhiteNoise, hashed names, a year's cache); behind the TLS proxy the client's
address comes from X-Forwarded-For, from the proxy only; the systemd units of deploy/ verify."""

import os
import re
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from config.proxy import ForwardedClientAddress, behind_proxy, trusted_networks

ROOT = Path(__file__).resolve().parent.parent
UNITS = ["coco-web.service", "coco-beat.service", "coco-worker@.service"]


def client_address(environ: dict, trusted: str) -> str:
    seen = {}

    def application(environ, start_response):
        seen["address"] = environ["REMOTE_ADDR"]
        return []

    ForwardedClientAddress(application, trusted_networks(trusted))(environ, lambda *args: None)
    return seen["address"]


def test_behind_the_proxy_the_client_address_is_the_one_the_proxy_saw():
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert client_address(environ, "127.0.0.1,::1") == "203.0.113.7"


def test_a_client_cannot_choose_its_address_by_sending_the_header_itself():
    # Straight to gunicorn, not through the proxy: the header is the client's, and ignored.
    environ = {"REMOTE_ADDR": "198.51.100.4", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert client_address(environ, "127.0.0.1,::1") == "198.51.100.4"
    # Through the proxy, an address the client put before the proxy's own is ignored too.
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.0.0.1, 203.0.113.7"}
    assert client_address(environ, "127.0.0.1") == "203.0.113.7"


def test_a_malformed_forwarded_address_leaves_the_proxy_address():
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "<script>"}
    assert client_address(environ, "127.0.0.1") == "127.0.0.1"


def test_without_a_proxy_the_application_is_not_wrapped(monkeypatch):
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    application = object()
    assert behind_proxy(application) is application


def test_trusting_every_address_is_refused():
    with pytest.raises(ValueError, match="FORWARDED_ALLOW_IPS ne peut pas valoir « \\* »"):
        trusted_networks("127.0.0.1,*")


def test_gunicorn_listens_on_loopback_with_its_access_log_off_even_when_port_is_set(monkeypatch):
    for name in ("GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_ACCESS_LOG", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORT", "9000")
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert config["bind"] == "127.0.0.1:8000"
    assert config["accesslog"] is None
    assert config["forwarded_allow_ips"] == ""
    assert config["workers"] == len(os.sched_getaffinity(0)) + 1
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8123")
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert (config["bind"], config["workers"]) == ("127.0.0.1:8123", 5)


def test_the_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze est introuvable : installez le paquet Debian systemd (apt-get install systemd)."
    # The units name /srv/coco, where the README installs the checkout; this one is here.
    for unit in UNITS:
        text = (ROOT / "deploy" / unit).read_text().replace("/srv/coco", str(ROOT))
        (tmp_path / unit).write_text(text)
    result = subprocess.run(  # noqa: S603 - systemd's own tool on our files
        [analyze, "verify", "coco-web.service", "coco-beat.service", "coco-worker@dossiers.service"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (result.stdout + result.stderr).strip(), result.stdout + result.stderr


def _service_settings(unit: str) -> dict:
    lines = (ROOT / "deploy" / unit).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def test_the_workers_yield_the_processor_and_the_disk_to_the_pages():
    web, worker = _service_settings("coco-web.service"), _service_settings("coco-worker@.service")
    assert int(worker["Nice"]) > int(web.get("Nice", 0))
    assert int(worker["CPUWeight"]) < int(web.get("CPUWeight", 100))
    assert int(worker["IOWeight"]) < int(web.get("IOWeight", 100))
    assert "nice -n 10 .venv/bin/celery" in (ROOT / "bin" / "run").read_text()


def test_the_example_environment_names_every_variable_the_units_read():
    example = (ROOT / "deploy" / "coco.env.example").read_text()
    for queue in ("default", "dossiers", "statistics", "imports"):
        assert re.search(rf"^WORKER_CONCURRENCY_{queue}=\d+$", example, re.MULTILINE), queue
    names = (
        "SECRET_KEY",
        "FIELD_ENCRYPTION_KEYS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "FORWARDED_ALLOW_IPS",
        "EMAIL_URL",
    )
    for name in names:
        assert re.search(rf"^{name}=", example, re.MULTILINE), name
    assert re.search(r"^DEBUG=0$", example, re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own loopback server
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.django_db
def test_gunicorn_in_production_serves_the_login_page_and_hashed_static_files_for_a_year(tmp_path):
    settings = connection.settings_dict
    port = _free_port()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DEBUG", "SECURE_", "GUNICORN_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        FORWARDED_ALLOW_IPS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        CELERY_BROKER_URL="",
    )
    collected = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert collected.returncode == 0, collected.stderr
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        assert server.poll() is None, log.read_text(errors="replace")

        # Production without the proxy's header: plain HTTP is sent to HTTPS.
        status, headers, _ = _get(f"{base}/connexion/")
        assert (status, headers["Location"]) == (301, f"https://127.0.0.1:{port}/connexion/")

        # Through the proxy (its header, from its address): the page, with HSTS.
        status, headers, body = _get(f"{base}/connexion/", {"X-Forwarded-Proto": "https"})
        assert status == 200, body[:500]
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        page = body.decode()
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "the page links the stylesheet by its hashed name"

        status, headers, body = _get(
            base + stylesheet.group(1), {"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"}
        )
        assert status == 200
        assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert headers["Content-Encoding"] == "gzip"
        # gunicorn's access log is off: requests are logged by Django only.
        assert not re.search(rb'^127\.0\.0\.1 - - \[.*"GET /connexion/', log.read_bytes(), re.MULTILINE)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
