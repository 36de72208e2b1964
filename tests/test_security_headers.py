"""Every page carries the Content-Security-Policy and the other security headers; templates hold no
inline script or style; in production plain HTTP is redirected and HTTPS answers with HSTS."""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import CaseFactory
from tests.test_settings import _django_setup, production_keys

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict:
    return dict(directive.strip().split(" ", 1) for directive in header.split(";"))


def routes(patterns, namespace=""):
    """(name, path parameters) of every named route outside the admin."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, set(pattern.pattern.regex.groupindex)


def test_every_html_page_carries_the_content_security_policy(client, owner, association):
    case = CaseFactory(association=association)
    known = {"case_id": case.pk, "association_id": association.pk}
    client.force_login(owner)
    pages = 0
    missing = []
    for name, parameters in sorted(routes(get_resolver().url_patterns)):
        if not parameters <= known.keys():
            continue
        response = client.get(reverse(name, kwargs={key: known[key] for key in parameters}))
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages += 1
        if directives(response.get("Content-Security-Policy", "none x")).items() < POLICY.items():
            missing.append((name, response.status_code, response.get("Content-Security-Policy")))
    assert pages > 15
    assert not missing, missing


def test_the_login_page_carries_every_security_header(client):
    response = client.get("/connexion/")
    # Always in this order (config.middleware.ContentSecurityPolicyMiddleware).
    assert response["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; object-src 'none'; style-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_statistics_dashboard_only_adds_style_attributes_for_echarts(client, owner):
    client.force_login(owner)
    response = client.get("/statistiques/")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == {**POLICY, "style-src-attr": "'unsafe-inline'"}


def test_swagger_ui_starts_from_a_script_file_under_the_strict_policy(client):
    response = client.get("/api/docs/")
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert not re.search(rb"<script>|<style", response.content)
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"] == "application/javascript"


def test_redoc_may_write_styles_and_start_a_worker_but_runs_our_scripts_only(client):
    response = client.get("/api/redoc/")
    assert directives(response["Content-Security-Policy"]) == {
        **POLICY,
        "style-src": "'self' 'unsafe-inline'",
        "worker-src": "'self' blob:",
    }
    assert not re.search(rb"<script>|<style|fonts.googleapis", response.content)


# E-mails and the PDFs WeasyPrint renders on the server are not pages a browser opens.
NOT_PAGES = ("templates/procedures/email/", "templates/reports/pdf/", "templates/reports/statistics/pdf/")
INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style|\sstyle=|\son[a-z]+=", re.I)


def test_no_page_template_holds_an_inline_script_style_or_event_handler():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if not str(path.relative_to(ROOT)).startswith(NOT_PAGES)
        for match in INLINE.finditer(path.read_text())
    ]
    assert not found, found


# Production's static storage needs collectstatic's manifest (tests/test_deploy.py runs it): here
# the storage that reads the source folders, since only the headers are under test.
PRODUCTION_REQUESTS = """
from django.test import Client
from django.test.utils import override_settings
from django.conf import settings
storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
override_settings(STORAGES=storages).enable()
client = Client()
plain = client.get("/connexion/")
print(plain.status_code, plain["Location"])
secure = client.get("/connexion/", secure=True)
print(secure["Strict-Transport-Security"])
print(client.get("/healthz").status_code != 301)
"""


def test_in_production_plain_http_is_redirected_and_https_answers_with_hsts():
    result = _django_setup(PRODUCTION_REQUESTS, **production_keys())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == [
        "301 https://testserver/connexion/",
        "max-age=31536000; includeSubDomains",
        "True",
    ]
