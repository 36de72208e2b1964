"""The world of the browser scenarios: the reference-scale case (23,051 procedures, 70 parquets, 480
victims) of one association, its lawyer, staff member and admin, and a lawyer of another association,
served by a live server to Debian's Chromium.

The reference case takes tens of seconds to import, so it is loaded once for the module and
committed (the live server's thread reads through its own connection), instead of once per test as
pytest-django's `live_server` would (its transactional tests empty the database after each test).
The tests of a module share that committed world; the module's end empties the database and puts
back what the migrations wrote, so the rest of the suite finds the database as it was."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import override_settings
from django.utils import timezone

from cases.models import Role
from tests.factories import AssociationFactory, MembershipFactory, UserFactory

PASSWORD = "mot-de-passe-e2e-2024"
# How long a page may take to arrive: a CI host running the suite on 2 cores once took over 20 s
# to serve the home page after the second factor (the page came just after the wait gave up).
PAGE_WAIT = 60


@dataclass
class ReferenceWorld:
    url: str
    case: object
    users: dict = field(default_factory=dict)
    devices: dict = field(default_factory=dict)
    hearing: object = None


def _member(username, association, role):
    user = UserFactory(username=username, first_name=username.split("-")[1].capitalize(), last_name="(test)")
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(user=user, association=association, role=role)
    return user


def _totp(user):
    """The phone and the recovery codes a sign-up leaves (cases/mfa): enrolled, as after day one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.mfa.services import recovery_codes_regenerate

    recovery_codes_regenerate(user=user)
    return TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)


def _instruction_open_to_a_filing(association, case):
    """A procedure at the instruction stage where the association may file (art. 2-3 CPP: a minor
    victim), numbered as courts write it (« 23187000123 »): the lawyer's scenario."""
    from procedures.models import Procedure, Stage
    from procedures.selectors import filing_eligibility

    candidates = Procedure.objects.filter(case=case, stage=Stage.INSTRUCTION, parquet_reference__regex=r"^[0-9]{11}$")
    for procedure in candidates.order_by("pk")[:200]:
        if filing_eligibility(association, procedure).applicable_articles:
            return procedure
    raise AssertionError("Aucune procédure à l'instruction ouverte à une constitution dans l'affaire de référence.")


@pytest.fixture(scope="module")
def reference_world(django_db_setup, django_db_blocker, tmp_path_factory):
    from pytest_django.live_server_helper import LiveServer

    media = tmp_path_factory.mktemp("e2e-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        # What the migrations wrote (parquets, offences…): put back after the flush below, since
        # the tests of the suite that run after this module expect it.
        snapshot = connection.creation.serialize_db_to_string()
        try:
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            try:
                yield _build(server.url)
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
        finally:
            # Also when the world could not be built: nothing committed may outlive the module.
            for open_connection in connections.all():
                open_connection.close()
            # What a TransactionTestCase with serialized_rollback does: empty, then as migrated.
            call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(snapshot)
            # flush restarted every sequence at 1 while the rows came back with their ids: the next
            # insert of a later test would collide with them (« Key (id)=(1) already exists »).
            _reset_sequences()


def _reset_sequences() -> None:
    from django.apps import apps
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _build(url: str) -> ReferenceWorld:
    from procedures import services as procedure_services
    from procedures.models import HearingStatus
    from procedures.reference_case import reference_case_load

    call_command("load_reference_data", verbosity=0)
    # Declared in 1995: five years before any fact of the case, as art. 2-3 CPP asks.
    association = AssociationFactory(
        short_name="ACPE-E2E", name="Association de protection de l'enfance (test)", declared_on=date(1995, 3, 1)
    )
    elsewhere = AssociationFactory(short_name="AUTRE-E2E", name="Autre association (test)")
    users = {
        "lawyer": _member("e2e-avocate", association, Role.LAWYER),
        "staff": _member("e2e-secretariat", association, Role.STAFF),
        "admin": _member("e2e-administratrice", association, Role.ADMIN),
        "outsider": _member("e2e-ailleurs", elsewhere, Role.LAWYER),
    }
    devices = {role: _totp(users[role]) for role in ("lawyer", "admin", "outsider")}
    # Committed, as `make run` loads it: the import's commit queues the statistics refresh.
    case = reference_case_load(association=association, user=users["lawyer"]).case
    procedure = _instruction_open_to_a_filing(association, case)
    hearing = procedure_services.hearing_record(
        user=users["lawyer"],
        procedure=procedure,
        starts_at=timezone.now().replace(hour=9, minute=30, second=0, microsecond=0) + timedelta(days=12),
        court=f"{procedure.parquet.court}, chambre correctionnelle",
        purpose="audience de fond",
        status=HearingStatus.SCHEDULED,
    )
    return ReferenceWorld(url=url, case=case, users=users, devices=devices, hearing=hearing)


def sign_in(browser, world: ReferenceWorld, role: str, *, on_page=None) -> None:
    """Through the real sign-in form, then the second factor with the code the phone would show.
    `on_page(name)` is called on each page of the way (axe and screenshots)."""
    from django_otp.oath import totp

    # A browser set to French, as the associations' are (the pages follow Accept-Language).
    agent = browser.execute_script("return navigator.userAgent")
    browser.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": agent, "acceptLanguage": "fr-FR,fr"})
    browser.delete_all_cookies()
    browser.get(world.url + "/connexion/")
    if on_page:
        on_page("connexion")
    user = world.users[role]
    browser.find_element("id", "id_username").send_keys(user.username)
    browser.find_element("id", "id_password").send_keys(PASSWORD)
    browser.find_element("css selector", "form.login-form button[type=submit]").click()
    if role in world.devices:
        deadline = time.monotonic() + PAGE_WAIT
        while "/double-authentification/" not in browser.current_url and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "/connexion/double-authentification/" in browser.current_url, browser.current_url
        if on_page:
            on_page("double-authentification")
        device = world.devices[role]
        device.refresh_from_db()
        code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"
        browser.find_element("id", "id_token").send_keys(code)
        browser.find_element("css selector", "main form button[type=submit]").click()
    started = time.monotonic()
    while not browser.find_elements("css selector", "details.user-menu") and time.monotonic() < started + PAGE_WAIT:
        time.sleep(0.2)
    assert browser.find_elements("css selector", "details.user-menu"), (
        f"{role} n'est pas connecté·e après {time.monotonic() - started:.0f} s : {browser.current_url}\n"
        f"{browser.find_element('tag name', 'body').text[:1000]}"
    )
