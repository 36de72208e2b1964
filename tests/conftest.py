"""Shared fixtures: the three standing users (STYLE.md) and a real Celery worker on Redis."""

import os
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
