"""The case page's lists loaded on demand: paginated, filtered, tenant-scoped, pseudonyms only."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from cases.models import Role
from procedures.models import Event, EventKind
from tests.factories import MembershipFactory, UserFactory, VictimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def steps(case):
    start = date(2024, 1, 1)
    Event.objects.bulk_create(
        Event(
            case=case,
            kind=EventKind.REFERRAL if n % 2 else EventKind.PROCEDURE_OPENED,
            occurred_on=start + timedelta(days=n),
            title=f"Étape {n:02d}",
        )
        for n in range(30)
    )


def test_the_timeline_is_paginated_newest_first(client, owner, case, steps):
    client.force_login(owner)
    url = reverse("case_timeline", args=[case.pk])
    first = client.get(url, headers={"X-Section": "1"}).content.decode()
    assert "Étape 29" in first and "Étape 04" not in first and "<html" not in first
    second = client.get(url + "?page=2", headers={"X-Section": "1"}).content.decode()
    assert "Étape 04" in second and "Étape 29" not in second


def test_the_timeline_filters_by_kind_and_ignores_a_bad_page(client, owner, case, steps):
    client.force_login(owner)
    url = reverse("case_timeline", args=[case.pk])
    html = client.get(url + f"?nature={EventKind.REFERRAL}").content.decode()
    assert "Étape 29" in html and "Étape 28" not in html
    assert "<html" in html  # without the script's header: a whole page
    assert client.get(url + "?page=abc&nature=nonsense").status_code == 200


def test_the_victims_list_filters_minors(client, owner, case):
    minor = VictimFactory(case=case, pseudonym="V-MINEURE")
    adult = VictimFactory(case=case, pseudonym="V-MAJEURE")
    type(minor).objects.filter(pk=minor.pk).update(minor_at_facts=True)
    type(adult).objects.filter(pk=adult.pk).update(minor_at_facts=False)
    client.force_login(owner)
    html = client.get(reverse("case_victims", args=[case.pk]) + "?mineures=oui").content.decode()
    assert "V-MINEURE" in html and "V-MAJEURE" not in html


def test_staff_see_pseudonyms_never_identities(client, colleague, case):
    victim = VictimFactory(case=case, pseudonym="V-001", age_at_facts=14)
    client.force_login(colleague)
    html = client.get(reverse("case_victims", args=[case.pk])).content.decode()
    assert "V-001" in html
    assert victim.last_name not in html and victim.first_name not in html
    assert reverse("victim_identity", args=[case.pk, victim.pk]) not in html


@pytest.mark.parametrize("name", ["case_victims", "case_timeline", "case_prescription", "case_history"])
def test_an_outsider_gets_404_on_every_list(client, outsider, case, name):
    client.force_login(outsider)
    assert client.get(reverse(name, args=[case.pk])).status_code == 404
    assert client.get(reverse(name, args=[999999])).status_code == 404


def test_the_prescription_summary_groups_victims_and_shows_the_rows_on_demand(client, owner, case):
    from tests.factories import OffenceFactory

    offence = OffenceFactory()
    case.offences.add(offence)
    case.facts_start = date(2023, 1, 1)
    case.save()
    VictimFactory(case=case, pseudonym="V-A", age_at_facts=30)
    VictimFactory(case=case, pseudonym="V-B", age_at_facts=31)
    client.force_login(owner)
    url = reverse("case_prescription", args=[case.pk])
    summary = client.get(url, headers={"X-Section": "1"}).content.decode()
    assert summary.count('<tr class="prescription') == 1  # both adults in one line
    assert "V-A" not in summary
    detail = client.get(url + f"?infraction={offence.pk}", headers={"X-Section": "1"}).content.decode()
    assert "V-A" in detail and "V-B" in detail


def test_the_prescription_summary_counts_the_interruptive_acts_and_gives_the_last(client, owner, case):
    from tests.factories import OffenceFactory
    from tests.procedures.factories import ProcedureFactory

    offence = OffenceFactory()
    case.offences.add(offence)
    case.facts_start = date(2023, 1, 1)
    case.save()
    victim = VictimFactory(case=case, pseudonym="V-A", age_at_facts=30)
    procedure = ProcedureFactory(case=case)
    procedure.victims.add(victim)
    procedure.offences.add(offence)
    for day in (date(2022, 6, 1), date(2024, 3, 4), date(2025, 6, 25)):  # the first precedes the facts
        Event.objects.create(
            case=case,
            procedure=procedure,
            kind=EventKind.REFERRAL,
            occurred_on=day,
            title="Acte",
            interrupts_prescription=True,
        )
    client.force_login(owner)
    html = client.get(reverse("case_prescription", args=[case.pk]), headers={"X-Section": "1"}).content.decode()
    assert "2 actes interruptifs, dernier le 25/06/2025" in html


def test_the_case_page_links_to_the_lists(client, owner, case):
    client.force_login(owner)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    for name in ("case_victims", "case_timeline", "case_prescription", "case_history"):
        assert reverse(name, args=[case.pk]) in html
    assert "js/sections.js" in html and "<script>" not in html


def test_a_colleague_of_the_association_may_read_the_history(client, association, case):
    admin = MembershipFactory(user=UserFactory(username="adm"), association=association, role=Role.LAWYER).user
    client.force_login(admin)
    assert client.get(reverse("case_history", args=[case.pk])).status_code == 200
