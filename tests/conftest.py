"""Shared fixtures: the three standing users (STYLE.md) and a real Celery worker on Redis."""

import os
import shutil
import threading

import pytest

from cases.models import Role
from tests.factories import AssociationFactory, MembershipFactory, UserFactory


@pytest.fixture
def association(db):
    return AssociationFactory(short_name="ACPE-T", name="Association de test A")


@pytest.fixture
def other_association(db):
    return AssociationFactory(short_name="AUTRE-T", name="Association de test B")


@pytest.fixture
def owner(association):
    """A lawyer of the association: owns its cases."""
    return MembershipFactory(user=UserFactory(username="owner"), association=association, role=Role.LAWYER).user


@pytest.fixture
def colleague(association):
    """A staff member of the same association: reads and prints, writes nothing."""
    return MembershipFactory(user=UserFactory(username="colleague"), association=association, role=Role.STAFF).user


@pytest.fixture
def association_admin(association):
    return MembershipFactory(user=UserFactory(username="asso-admin"), association=association, role=Role.ADMIN).user


@pytest.fixture
def outsider(other_association):
    """A lawyer of another association: must always get 404 on the first association's objects."""
    return MembershipFactory(
        user=UserFactory(username="outsider"), association=other_association, role=Role.LAWYER
    ).user


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "password_only: force_login gives a session without the second factor (MFA tests)."
    )


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(request, monkeypatch):
    """Tests log in with client.force_login: for a user who must use a second factor, that session
    is also verified by a confirmed TOTP device, as after a real sign-in. Tests of the second
    factor itself opt out with @pytest.mark.password_only."""
    if request.node.get_closest_marker("password_only"):
        return
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        verified_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


def verified_session(client, user):
    """Marks the client's session as having passed the second factor (enrolling a device if needed)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.mfa.policy import mfa_required
    from cases.mfa.services import mark_verified

    if not mfa_required(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    mark_verified(session=session, device=device)
    session.save()


def _reset_celery_connections(app):
    # Drop cached connections and result backend so a changed broker_url takes effect.
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@pytest.fixture
def celery_worker():
    """A real Celery worker (celery's embedded test worker, in a thread) consuming from the real
    Redis broker given by TEST_CELERY_BROKER_URL. Tests touching the database through a task need
    `transactional_db`, since the worker uses its own connection."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    url = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _reset_celery_connections(app)
    app.loader.import_module("celery.contrib.testing.tasks")
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    try:
        with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=30) as worker:
            yield worker
    finally:
        app.conf.update(saved)
        _reset_celery_connections(app)


@pytest.fixture
def case(association, owner):
    from tests.factories import CaseFactory

    return CaseFactory(association=association, reference="ACPE-T-001", title="Valenciennois — test", lead_lawyer=owner)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_pdf_bytes(text: str = "Pièce de test") -> bytes:
    """A small valid PDF, made by WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>").write_pdf()


@pytest.fixture(scope="session")
def pdf_bytes():
    return make_pdf_bytes()


# --- browser tests: headless Debian Chromium through Selenium (never a downloaded browser) ---------

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def browser():
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail(
            f"Test navigateur impossible : {CHROMIUM} et {CHROMEDRIVER} sont requis "
            "(apt-get install chromium chromium-driver)."
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900"):
        options.add_argument(argument)
    # The console, for the tests that read CSP violations and script errors.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
