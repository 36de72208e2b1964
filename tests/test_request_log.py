"""One JSON log line per request, and a request id that follows the request into its tasks."""

import json
import logging
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from celery.signals import before_task_publish, setup_logging
from django.urls import reverse

from config.celery import app
from config.request_context import TASK_HEADER, request_id
from procedures.models import CalendarToken
from tests.conftest import _reset_celery_connections
from tests.log_capture import captured_logs, json_lines

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"^[0-9a-f]{32}$")
REQUEST_KEYS = {"method", "route", "status", "duration_ms", "user_id", "association_id", "request_id"}


@app.task(name="tests.log_and_return_request_id")
def log_and_return_request_id():
    logging.getLogger("tests.task").info("tâche de test")
    return request_id.get()


def request_lines(buffer) -> list[dict]:
    return [line for line in json_lines(buffer) if line["logger"] == "config.request_log"]


def test_a_request_without_id_gets_a_new_one_in_the_response(client):
    response = client.get(reverse("login"))

    assert GENERATED.match(response["X-Request-ID"])
    assert client.get(reverse("login"))["X-Request-ID"] != response["X-Request-ID"]


def test_a_safe_incoming_request_id_is_kept(client):
    response = client.get(reverse("login"), headers={"X-Request-ID": "proxy-4f2a9c01-77"})

    assert response["X-Request-ID"] == "proxy-4f2a9c01-77"


@pytest.mark.parametrize(
    "unsafe",
    ["court", "x" * 65, "avec des espaces", "fin\r\nfausse ligne", '{"level": "ERROR"}', "nom=Marchetti;"],
)
def test_an_unsafe_incoming_request_id_is_replaced_and_never_logged(client, unsafe):
    with captured_logs() as buffer:
        response = client.get(reverse("login"), headers={"X-Request-ID": unsafe})

    assert GENERATED.match(response["X-Request-ID"])
    assert unsafe not in buffer.getvalue()
    [line] = request_lines(buffer)
    assert line["request_id"] == response["X-Request-ID"]


def test_each_request_writes_one_json_line_with_route_status_duration_and_ids(client, owner, case, association):
    client.force_login(owner)

    with captured_logs() as buffer:
        response = client.get(reverse("case_detail", args=[case.pk]) + "?onglet=victimes&q=Marchetti")

    assert response.status_code == 200
    lines = json_lines(buffer)
    [line] = request_lines(buffer)
    assert REQUEST_KEYS | {"time", "level", "logger", "message"} <= set(line)
    assert line["method"] == "GET"
    assert line["route"] == "/affaires/<int:case_id>/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], int | float) and line["duration_ms"] >= 0
    assert line["user_id"] == owner.pk and line["association_id"] == association.pk
    assert line["request_id"] == response["X-Request-ID"]
    # Every line of the request carries its id; no username, no query string.
    assert all(other["request_id"] == response["X-Request-ID"] for other in lines)
    assert "Marchetti" not in buffer.getvalue() and owner.username not in buffer.getvalue()


def test_the_request_line_names_the_route_never_a_secret_in_the_path(client, owner):
    _token, secret = CalendarToken.issue(owner)

    with captured_logs() as buffer:
        assert client.get(reverse("calendar_feed", args=[secret])).status_code == 200
        assert client.get("/calendrier/pas-un-vrai-secret-123.ics").status_code == 404
        assert client.get("/page-inconnue/Marchetti/").status_code == 404

    found, unknown, unresolved = request_lines(buffer)
    assert found["route"] == unknown["route"] == "/calendrier/<str:token>.ics"
    assert found["user_id"] is None and unknown["status"] == 404
    assert unresolved["route"] is None and unresolved["status"] == 404
    output = buffer.getvalue()
    assert secret not in output and "pas-un-vrai-secret-123" not in output


def test_an_anonymous_request_is_logged_without_user_nor_association(client, django_assert_num_queries):
    with captured_logs() as buffer, django_assert_num_queries(0):
        client.get("/healthz-inconnu")

    [line] = request_lines(buffer)
    assert line["user_id"] is None and line["association_id"] is None


def test_the_text_format_puts_the_request_id_on_each_line(client):
    with captured_logs(log_format="text") as buffer:
        response = client.get(reverse("login"))

    [line] = buffer.getvalue().splitlines()
    assert f"[{response['X-Request-ID']}]" in line and "GET /connexion/ 200" in line


def test_a_task_queued_during_a_request_carries_its_id_in_the_message_headers():
    headers, outside = {}, {}
    token = request_id.set("req-0123456789")
    try:
        before_task_publish.send(sender="tests.task", headers=headers, body=None)
    finally:
        request_id.reset(token)
    before_task_publish.send(sender="tests.task", headers=outside, body=None)

    assert headers[TASK_HEADER] == "req-0123456789"
    assert TASK_HEADER not in outside


@pytest.mark.celery_worker
def test_a_real_worker_logs_the_task_under_the_request_id_then_forgets_it(celery_worker):
    with captured_logs() as buffer:
        token = request_id.set("req-abcdef0123")
        try:
            result = log_and_return_request_id.delay()
        finally:
            request_id.reset(token)
        assert result.get(timeout=30) == "req-abcdef0123"
        # A task queued outside any request (celery beat) has none, not the previous task's.
        assert log_and_return_request_id.delay().get(timeout=30) is None

    task_lines = [line for line in json_lines(buffer) if line["logger"] == "tests.task"]
    assert [line["request_id"] for line in task_lines] == ["req-abcdef0123", None]
    assert task_lines[0]["task_id"] == result.id
    assert task_lines[0]["task_name"] == "tests.log_and_return_request_id"


@pytest.mark.celery_worker
def test_a_celery_worker_process_logs_json_lines_through_the_django_settings():
    """`celery -A config worker`, as deployed: Django's LOGGING, not Celery's own format."""
    assert setup_logging.receivers, "sans récepteur de setup_logging, Celery installerait son propre format"
    url = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    root = Path(__file__).resolve().parent.parent
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "--quiet", "worker", "--pool=solo"]
    command += ["-Q", "default", "-n", f"journal-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _reset_celery_connections(app)
    worker = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        command, cwd=root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    answer = None
    try:
        token = request_id.set("req-worker-0042")
        try:
            result = app.send_task("config.ping")
        finally:
            request_id.reset(token)
        answer = result.get(timeout=90)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        app.conf.update(saved)
        _reset_celery_connections(app)

    assert answer == "pong", output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    # Celery's own format starts with « [date: LEVEL/process] »: it must not appear.
    assert not [line for line in output.splitlines() if re.match(r"^\[\d{4}-", line)], output
    succeeded = [line for line in lines if result.id in line["message"] and "succeeded" in line["message"]]
    assert succeeded, output
    assert succeeded[0]["request_id"] == "req-worker-0042"
    assert succeeded[0]["task_id"] == result.id


def test_the_development_servers_request_lines_lose_their_query_string():
    with captured_logs() as buffer:
        logging.getLogger("django.server").info('"%s" %s %s', "GET /recherche/?q=Marchetti&page=2 HTTP/1.1", 200, 1234)

    [line] = json_lines(buffer)
    assert line["message"] == '"GET /recherche/?••• HTTP/1.1" 200 1234'
