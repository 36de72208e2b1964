"""No personal data in the logs: the demo, then a lawyer's day (sign-in, home, a case, a victim
added and her identity revealed, a search by name, a dossier with real identities rendered by a
real worker), everything logged at DEBUG, and not one name, date of birth, address or password."""

import logging
import time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cases.demo import DEMO_USERS
from cases.demo_cases import DEMO_CASES
from cases.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from cases.models import Case, Platform, Victim
from reports.estimate import default_sections
from reports.models import Dossier
from tests.log_capture import captured_logs, json_lines

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

LAWYER = "avocate.acpe"
# A victim entered through the form during the scenario, with every identifying field filled.
ADDED_VICTIM = {
    "first_name": "Ondine",
    "last_name": "Marchetti-Zylberstein",
    "birth_date": "2010-02-14",
    "contact": "12 rue des Tilleuls, 59300 Valenciennes ; ondine.mz@exemple.invalid ; 06 12 34 56 78",
    "notes": "Scolarisée au collège Jean-Moulin",
    "age_at_facts": "13",
}
ADDED_VICTIM_NEEDLES = [
    "Ondine",
    "Marchetti",
    "Zylberstein",
    "2010-02-14",
    "14/02/2010",
    "20100214",
    "14 février 2010",
    "rue des Tilleuls",
    "ondine.mz@exemple.invalid",
    "06 12 34 56 78",
    "0612345678",
    "Jean-Moulin",
]


def demo_identities() -> list[str]:
    """The names the demo seeders give victims, suspects and users, and the users' addresses."""
    found = set()
    for case in DEMO_CASES:
        for victim in case["victims"]:
            found.update(victim[key] for key in ("first_name", "last_name") if victim.get(key))
            if victim.get("birth_date"):
                found.update({f"{victim['birth_date']:%d/%m/%Y}", victim["birth_date"].isoformat()})
        found.update(suspect["name"] for suspect in case["suspects"])
    for username, first_name, last_name, _association, _role in DEMO_USERS:
        found.update({f"{first_name} {last_name}", last_name, f"{username}@demo.invalid", username})
    return sorted(found)


@pytest.fixture
def reference_data(db):
    # A transactional test before this one may have emptied the tables the migrations filled.
    if not Platform.objects.filter(name="Coco.gg").exists():
        call_command("load_reference_data", stdout=StringIO(), stderr=StringIO())


def seed_demo(settings) -> None:
    settings.DEBUG = True  # seed_demo refuses production mode; the test runner turns DEBUG off
    try:
        call_command("seed_demo", "--sans-reference", stdout=StringIO())
    finally:
        settings.DEBUG = False


def wait_for(dossier: Dossier, timeout: float = 120) -> Dossier:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dossier.refresh_from_db()
        if dossier.is_finished:
            return dossier
        time.sleep(0.2)
    raise AssertionError(f"dossier still {dossier.status} after {timeout} s")


def lawyers_day(client) -> dict[str, str]:
    """The scenario; returns the request id of each step."""
    ids = {}
    response = client.post(reverse("login"), {"username": LAWYER, "password": DEFAULT_DEMO_PASSWORD})
    assert response.status_code == 302, "la connexion de démonstration a échoué"
    ids["login"] = response["X-Request-ID"]
    # The second factor is tested elsewhere: the session is marked verified (tests/conftest.py).
    client.force_login(get_user_model().objects.get(username=LAWYER))

    ids["home"] = client.get(reverse("home"))["X-Request-ID"]
    case = Case.objects.get(reference="ACPE-2024-002")
    ids["case"] = client.get(reverse("case_detail", args=[case.pk]))["X-Request-ID"]

    response = client.post(reverse("victim_add", args=[case.pk]), ADDED_VICTIM)
    assert response.status_code == 302, response.content.decode()[:2000]
    ids["victim_add"] = response["X-Request-ID"]
    for victim in Victim.objects.filter(case=case):
        response = client.get(reverse("victim_identity", args=[case.pk, victim.pk]))
        assert response.status_code == 200
        assert victim.first_name in response.content.decode()  # the identity is on the page, not in the logs
        ids[f"identity {victim.pseudonym}"] = response["X-Request-ID"]

    for query in ("Marchetti-Zylberstein", "Camille (fictif)", "14/02/2010"):
        response = client.get(reverse("global_search"), {"q": query})
        assert response.status_code == 200
        ids[f"search {query}"] = response["X-Request-ID"]

    response = client.post(
        reverse("dossier_request", args=[case.pk]),
        {
            "recipient": "Me Dupont, avocate de la partie civile",
            "sections": default_sections(case),
            "reveal_identities": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ids["dossier"] = response["X-Request-ID"]
    dossier = wait_for(Dossier.objects.filter(case=case).latest("pk"))
    assert dossier.status == "done", dossier.error
    assert dossier.reveal_identities
    ids["dossier page"] = client.get(reverse("dossier_detail", args=[dossier.pk]))["X-Request-ID"]
    return ids


def test_a_lawyers_day_on_the_demo_leaves_no_personal_data_in_the_logs(
    celery_worker, client, reference_data, settings, media_root
):
    # SQL logging on, as under DEBUG=1: the statements' parameters must still stay out.
    connection.force_debug_cursor = True
    try:
        with captured_logs(level="DEBUG") as buffer:
            logging.getLogger("tests.scenario").debug("journal au niveau DEBUG")
            seed_demo(settings)
            ids = lawyers_day(client)
    finally:
        connection.force_debug_cursor = False

    # Every line is one JSON object (json_lines fails otherwise).
    lines = json_lines(buffer)
    output = buffer.getvalue().casefold()
    needles = [*demo_identities(), *ADDED_VICTIM_NEEDLES, DEFAULT_DEMO_PASSWORD]
    assert len(needles) > 40
    leaked = [needle for needle in needles if needle.casefold() in output]
    assert leaked == [], [line for line in lines if any(n.casefold() in str(line).casefold() for n in leaked)][:5]

    # The capture did see the day: one request line per step, and the worker's lines of the
    # dossier under the id of the request that asked for it.
    logged_ids = {line["request_id"] for line in lines if line["logger"] == "config.request_log"}
    assert set(ids.values()) <= logged_ids
    rendering = [line for line in lines if line.get("task_name") == "reports.render_dossier"]
    assert rendering and all(line["request_id"] == ids["dossier"] for line in rendering)
    assert any(line["level"] == "DEBUG" for line in lines)
    assert not [line for line in lines if line["logger"].startswith("django.db")]
