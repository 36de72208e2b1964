"""The case page at the reference scale (23,051 procedures, 70 parquets, 480 victims), loaded
once for the module through procedures/reference_case.py: a summary, never a row per procedure."""

from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from cases.models import Role
from procedures.models import Procedure
from procedures.reference_case import REFERENCE_PROCEDURES, reference_case_load
from tests.factories import AssociationFactory, MembershipFactory, UserFactory

MAX_BYTES, MAX_NODES = 300_000, 3_000


class _Tags(HTMLParser):
    count = 0

    def handle_starttag(self, tag, attrs):
        self.count += 1


def dom_nodes(html: str) -> int:
    parser = _Tags()
    parser.feed(html)
    return parser.count


@pytest.fixture(scope="module")
def reference(django_db_setup, django_db_blocker):
    """Built once, inside a transaction rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_reference_data", verbosity=0)
        association = AssociationFactory(short_name="REF-T", name="Association de référence")
        lawyer = MembershipFactory(user=UserFactory(username="ref-lawyer"), association=association, role=Role.LAWYER)
        staff = MembershipFactory(user=UserFactory(username="ref-staff"), association=association, role=Role.STAFF)
        result = reference_case_load(association=association, user=lawyer.user)
        yield {"case": result.case, "lawyer": lawyer.user, "staff": staff.user, "association": association}
        transaction.set_rollback(True)


def test_the_reference_case_holds_the_coco_volume_and_loading_it_again_adds_nothing(db, reference):
    case = reference["case"]
    assert Procedure.objects.filter(case=case).count() == REFERENCE_PROCEDURES
    assert case.victims.count() == 480
    assert Procedure.objects.filter(case=case).values("parquet").distinct().count() == 70
    again = reference_case_load(association=reference["association"])
    assert again.created is False and again.case.pk == case.pk
    assert Procedure.objects.filter(case=case).count() == REFERENCE_PROCEDURES


@pytest.mark.parametrize("role", ["lawyer", "staff"])
def test_the_case_page_is_a_summary_at_the_reference_scale(db, client, reference, role, django_assert_max_num_queries):
    client.force_login(reference[role])
    with django_assert_max_num_queries(40):
        response = client.get(reverse("case_detail", args=[reference["case"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < MAX_BYTES
    assert dom_nodes(html) < MAX_NODES
    assert html.count('class="procedure"') == 0  # no row per procedure
    assert html.count("<tr>") <= 80  # the by-parquet table: 70 parquets and its header
    assert "23051" in html or "23 051" in html or "23\u202f051" in html


def test_the_fragments_stay_small_at_the_reference_scale(db, client, reference, django_assert_max_num_queries):
    client.force_login(reference["lawyer"])
    case = reference["case"]
    for name in ("case_victims", "case_timeline"):
        with django_assert_max_num_queries(20):
            response = client.get(reverse(name, args=[case.pk]) + "?page=3", headers={"X-Section": "1"})
        assert response.status_code == 200
        assert len(response.content) < 50_000
        assert "<html" not in response.content.decode()


def test_a_procedure_page_never_loads_the_other_procedures_of_the_case(
    db, client, reference, django_assert_max_num_queries
):
    """The chain of parquets is walked in SQL: a page of one procedure instantiates a handful of
    procedures, not the 23,051 of its case."""
    from unittest import mock

    procedure = Procedure.objects.filter(case=reference["case"]).order_by("pk").first()
    client.force_login(reference["lawyer"])
    original = Procedure.from_db.__func__
    loaded_count = []

    def counting(cls, *args, **kwargs):
        loaded_count.append(1)
        return original(cls, *args, **kwargs)

    with mock.patch.object(Procedure, "from_db", classmethod(counting)), django_assert_max_num_queries(30):
        response = client.get(reverse("procedure_detail", args=[procedure.pk]))
    assert response.status_code == 200
    assert len(loaded_count) < 10
    assert len(response.content) < MAX_BYTES
