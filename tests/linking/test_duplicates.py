"""Procedures imported twice: found by their number's key, grouped reversibly by a lawyer with
a reason, counted once; nothing of either procedure moved."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from linking import services
from linking.duplicates import (
    duplicates_propose,
    number_key,
    procedure_decision_record,
    procedure_decision_withdraw,
)
from linking.models import Judgement, ProcedureDecision
from linking.selectors import appearances
from procedures.models import Procedure
from reports.statistics.compute import statistics_compute
from reports.statistics.figures import StatisticsFilter, compute_rows
from reports.statistics.models import StatisticsRun
from tests.factories import ParquetFactory, SuspectFactory
from tests.procedures.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reference", ["21/4857", "21004857", "P21.004857", "21 004 857", "21-04857"])
def test_the_spellings_of_one_number_share_a_key(reference):
    assert number_key(reference) == "21:4857"


def test_other_numbers_keep_other_keys():
    assert number_key("21/4858") != number_key("21/4857")
    assert number_key("22/4857") != number_key("21/4857")


@pytest.fixture
def twins(case):
    parquet = ParquetFactory()
    first = ProcedureFactory(case=case, parquet=parquet, parquet_reference="21/004857", opened_on="2021-03-02")
    second = ProcedureFactory(case=case, parquet=parquet, parquet_reference="21004857", opened_on="2021-03-02")
    ProcedureFactory(case=case, parquet=parquet, parquet_reference="21/4857 bis", opened_on="2021-05-02")
    ProcedureFactory(case=case, parquet=ParquetFactory(), parquet_reference="21/4857", opened_on="2021-03-02")
    return first, second


def test_only_the_same_parquets_same_number_same_date_are_proposed_once(case, twins):
    assert duplicates_propose(association_id=case.association_id) == 1
    proposal = ProcedureDecision.objects.get()
    assert {proposal.left_id, proposal.right_id} == {twins[0].pk, twins[1].pk}
    assert proposal.judgement == Judgement.POSSIBLE and proposal.decided_by is None
    assert duplicates_propose(association_id=case.association_id) == 0


def test_grouped_they_count_once_and_withdrawing_ungroups_them_with_history(owner, case, twins, client):
    first, second = twins
    suspect = SuspectFactory(case=case, name="Jean Dupont")
    suspect.procedures.set([first, second])
    person = services.person_sync_suspect(suspect)
    assert appearances([person])[1] == {"procedures": 2, "parquets": 1}
    decision = procedure_decision_record(
        user=owner, left=second, right=first, judgement=Judgement.SAME, reason="Même numéro, même date"
    )
    assert appearances([person])[1] == {"procedures": 1, "parquets": 1}
    assert Procedure.objects.filter(pk__in=[first.pk, second.pk]).count() == 2  # nothing deleted
    client.force_login(owner)
    page = client.get(reverse("procedure_detail", args=[first.pk])).content.decode()
    assert "Même procédure (regroupées)" in page and "Même numéro, même date" in page
    client.post(reverse("linking_procedure_withdraw", args=[decision.pk]))
    assert appearances([person])[1] == {"procedures": 2, "parquets": 1}
    decision.refresh_from_db()
    assert decision.withdrawn_at is not None and decision.withdrawn_by == owner


def test_deciding_from_the_review_page_needs_a_reason_and_a_lawyer(owner, colleague, case, twins, client):
    duplicates_propose(association_id=case.association_id)
    proposal = ProcedureDecision.objects.get()
    client.force_login(owner)
    page = client.get(reverse("linking_review")).content.decode()
    assert "Procédures en double probables" in page and "21004857" in page
    client.post(reverse("linking_procedure_decide", args=[proposal.pk]), {"judgement": "same", "reason": ""})
    assert not ProcedureDecision.objects.filter(judgement=Judgement.SAME).exists()
    client.post(
        reverse("linking_procedure_decide", args=[proposal.pk]), {"judgement": "same", "reason": "Doublon d'import"}
    )
    assert ProcedureDecision.objects.filter(judgement=Judgement.SAME, withdrawn_at__isnull=True).count() == 1
    with pytest.raises(PermissionDenied):
        procedure_decision_record(
            user=colleague, left=twins[0], right=twins[1], judgement=Judgement.NOT_SAME, reason="x"
        )


def test_procedures_of_two_cases_are_never_duplicates(owner, case, twins):
    other = ProcedureFactory(case__association=case.association, parquet=twins[0].parquet, parquet_reference="21/4857")
    with pytest.raises(ValidationError):
        procedure_decision_record(user=owner, left=twins[0], right=other, judgement=Judgement.SAME, reason="x")


def test_the_statistics_count_a_grouped_pair_once_until_the_judgement_is_withdrawn(
    owner, case, twins, django_capture_on_commit_callbacks
):
    first, second = twins
    statistics_compute(full=True)
    assert _procedures_counted(case) == 4
    with django_capture_on_commit_callbacks(execute=True):
        decision = procedure_decision_record(user=owner, left=first, right=second, judgement="same", reason="Même n°")
    # The pair's facts were marked changed and the incremental run queued (run here: no broker).
    assert StatisticsRun.objects.filter(mode="incremental", status="done").count() == 1
    assert _procedures_counted(case) == 3
    assert Procedure.objects.filter(pk=second.pk).exists()  # nothing deleted
    with django_capture_on_commit_callbacks(execute=True):
        procedure_decision_withdraw(user=owner, decision=decision)
    assert _procedures_counted(case) == 4


def _procedures_counted(case):
    return compute_rows(StatisticsFilter(case.association_id))[("total", "")]["procedures"]
