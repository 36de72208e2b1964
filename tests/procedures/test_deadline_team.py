"""Days left and the legal explanation on every deadline list; the association's team view and
reassignment (lawyers and admins of the association; staff neither; outsiders 404)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from cases.models import Role
from procedures import services
from procedures.models import Deadline, DeadlineStatus
from tests.factories import MembershipFactory, ParquetFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 5)
_triggers = iter(range(1, 100_000))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-12-05 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def procedure(owner, case):
    return services.procedure_create(
        user=owner,
        case=case,
        parquet=ParquetFactory(name="Parquet de Lille"),
        parquet_reference="24 001 000 001",
        opened_on=date(2024, 1, 15),
    )


@pytest.fixture
def second_lawyer(association):
    user = UserFactory(username="second", first_name="Claire", last_name="Martin")
    MembershipFactory(user=user, association=association, role=Role.LAWYER)
    return user


def make_deadline(procedure, *, owner, due_on, status=DeadlineStatus.OPEN, rule="appeal_correctionnel"):
    return Deadline.objects.create(
        case=procedure.case,
        procedure=procedure,
        association=procedure.association,
        rule=rule,
        trigger_date=date(2000, 1, 1) + timedelta(days=next(_triggers)),
        computed_due_on=due_on,
        due_on=due_on,
        status=status,
        owner=owner,
        explanation={
            "why": "Jugement contradictoire du tribunal correctionnel",
            "citation": "art. 498 CPP",
            "steps": [],
        },
    )


# --- Days left and explanation --------------------------------------------------------------------


def test_countdown_says_days_left_today_and_days_overdue_in_words(procedure, owner):
    assert make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=5)).countdown(TODAY) == "J-5"
    assert make_deadline(procedure, owner=owner, due_on=TODAY).countdown(TODAY) == "J-0 (aujourd'hui)"
    assert (
        make_deadline(procedure, owner=owner, due_on=TODAY - timedelta(days=3)).countdown(TODAY) == "dépassé de 3 jours"
    )
    assert (
        make_deadline(procedure, owner=owner, due_on=TODAY - timedelta(days=1)).countdown(TODAY) == "dépassé de 1 jour"
    )
    done = make_deadline(procedure, owner=owner, due_on=TODAY - timedelta(days=1), status=DeadlineStatus.DONE)
    assert done.countdown(TODAY) == ""


def test_my_deadlines_show_days_left_overdue_in_text_and_the_legal_explanation(client, procedure, owner):
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=5))
    make_deadline(procedure, owner=owner, due_on=TODAY - timedelta(days=3), status=DeadlineStatus.MISSED)
    client.force_login(owner)

    html = client.get(reverse("deadline_list")).content.decode()

    assert "J-5" in html
    assert "En retard — dépassé de 3 jours" in html
    assert "Jugement contradictoire du tribunal correctionnel — art. 498 CPP" in html
    assert html.index("dépassé de 3 jours") < html.index("J-5")


def test_home_panel_case_and_procedure_pages_show_days_left_and_explanation(client, procedure, owner):
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=5))
    client.force_login(owner)

    for url in (
        reverse("home"),
        reverse("case_detail", args=[procedure.case_id]),
        reverse("procedure_detail", args=[procedure.pk]),
    ):
        html = client.get(url).content.decode()
        assert "J-5" in html, url
        assert "art. 498 CPP" in html, url


def test_my_deadlines_are_paginated_with_a_constant_number_of_queries(
    client, procedure, owner, django_assert_max_num_queries
):
    for day in range(60):
        make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=day))
    client.force_login(owner)
    client.get(reverse("deadline_list"))

    with django_assert_max_num_queries(20) as first:
        response = client.get(reverse("deadline_list"))
    assert len(response.context["deadlines"]) == 50
    assert "Page 1 sur 2" in response.content.decode()
    for day in range(60, 160):
        make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=day))
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("deadline_list") + "?page=2")
    assert len(response.context["deadlines"]) == 50


# --- Team view --------------------------------------------------------------------------------


def test_team_view_lists_every_open_deadline_of_the_association_with_its_owner_overdue_first(
    client, procedure, owner, second_lawyer, outsider, other_association
):
    later = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=10))
    overdue = make_deadline(procedure, owner=second_lawyer, due_on=TODAY - timedelta(days=2))
    make_deadline(procedure, owner=owner, due_on=TODAY, status=DeadlineStatus.DONE)
    client.force_login(owner)

    response = client.get(reverse("deadline_team"))

    assert [d.pk for d in response.context["deadlines"]] == [overdue.pk, later.pk]
    html = response.content.decode()
    assert "Claire Martin" in html
    assert "dépassé de 2 jours" in html


def test_team_view_filters_by_owner(client, procedure, owner, second_lawyer):
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=10))
    mine = make_deadline(procedure, owner=second_lawyer, due_on=TODAY + timedelta(days=3))
    client.force_login(owner)

    response = client.get(reverse("deadline_team") + f"?responsable={second_lawyer.pk}")

    assert [d.pk for d in response.context["deadlines"]] == [mine.pk]


def test_team_view_never_shows_another_associations_deadlines(client, procedure, owner, outsider):
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=10))
    client.force_login(outsider)

    response = client.get(reverse("deadline_team"))

    assert response.status_code == 200
    assert list(response.context["deadlines"]) == []


def test_team_view_is_for_lawyers_and_admins_not_staff(client, procedure, owner, colleague, association_admin):
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=10))
    client.force_login(colleague)
    assert client.get(reverse("deadline_team")).status_code == 403
    client.force_login(association_admin)
    response = client.get(reverse("deadline_team"))
    assert response.status_code == 200
    # Admins organise the team but do not read case files: no case or procedure reference.
    html = response.content.decode()
    assert "J-10" in html
    assert procedure.case.reference not in html and procedure.parquet_reference not in html


def test_a_lawyer_reassigns_a_deadline_to_another_lawyer_and_history_keeps_it(client, procedure, owner, second_lawyer):
    deadline = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=10))
    client.force_login(owner)

    response = client.post(reverse("deadline_reassign", args=[deadline.pk]), {"owner": second_lawyer.pk})

    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.owner == second_lawyer
    event = deadline.events.order_by("-pgh_id").first()
    assert event.owner_id == second_lawyer.pk
    assert event.pgh_context.metadata["reason"] == "deadline_reassign"
    assert str(event.pgh_context.metadata["user"]) == str(owner.pk)


def test_an_admin_reassigns_but_staff_cannot(client, procedure, owner, second_lawyer, colleague, association_admin):
    deadline = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=10))
    url = reverse("deadline_reassign", args=[deadline.pk])
    client.force_login(colleague)
    assert client.post(url, {"owner": second_lawyer.pk}).status_code == 403
    client.force_login(association_admin)
    assert client.post(url, {"owner": second_lawyer.pk}).status_code == 302
    deadline.refresh_from_db()
    assert deadline.owner == second_lawyer


def test_an_outsider_gets_404_on_reassignment(client, procedure, owner, outsider):
    deadline = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=10))
    client.force_login(outsider)

    assert client.post(reverse("deadline_reassign", args=[deadline.pk]), {"owner": outsider.pk}).status_code == 404
    assert client.post(reverse("deadline_reassign", args=[999999]), {"owner": outsider.pk}).status_code == 404


def test_a_deadline_goes_only_to_a_lawyer_of_the_association(client, procedure, owner, colleague, outsider):
    deadline = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=10))
    client.force_login(owner)

    for target in (colleague.pk, outsider.pk, "x"):
        response = client.post(reverse("deadline_reassign", args=[deadline.pk]), {"owner": target})
        assert response.status_code == 400
    deadline.refresh_from_db()
    assert deadline.owner == owner


def _links(client) -> set[str]:
    import re

    return set(re.findall(r'href="([^"]+)"', client.get(reverse("home")).content.decode()))


def test_navigation_shows_each_role_only_what_it_may_use(client, owner, colleague, association_admin):
    client.force_login(owner)
    links = _links(client)
    assert {reverse("deadline_list"), reverse("calendar_page"), reverse("deadline_team")} <= links
    client.force_login(colleague)
    links = _links(client)
    assert reverse("case_list") in links
    assert not {reverse("deadline_team"), reverse("statistics_dashboard"), reverse("access_log")} & links
    client.force_login(association_admin)
    links = _links(client)
    assert not {reverse("case_list"), reverse("deadline_list")} & links
    assert {reverse("deadline_team"), reverse("access_log")} <= links
