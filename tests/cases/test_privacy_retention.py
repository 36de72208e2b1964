"""Retention of closed cases (RGPD art. 5.1.e): a case closed more than CASE_RETENTION_YEARS ago is
listed by `purge_closed_cases`, and deleted with everything under it only with --apply."""

from datetime import date, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command

from cases import services
from cases.models import AccessAction, AccessLog, Case, CaseStatus, Exhibit, Victim
from cases.privacy.retention import CasePurgeBlocked, case_purge, case_purge_plan, cases_due_for_purge
from procedures.models import Procedure
from reports import services as dossier_services
from reports.models import Dossier
from tests.factories import CaseFactory
from tests.procedures.factories import ProcedureFactory
from tests.reports.conftest import build_rich_case

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime(2026, 12, 4, 9, tzinfo=PARIS)


def close(user, case, when: datetime, status=CaseStatus.CLOSED) -> Case:
    with time_machine.travel(when, tick=False):
        return services.case_update(user=user, case=case, status=status)


def test_closing_a_case_dates_it_and_reopening_it_clears_the_date(owner, case):
    case = close(owner, case, datetime(2024, 5, 3, 10, tzinfo=PARIS))
    assert case.closed_on == date(2024, 5, 3)
    case = close(owner, case, datetime(2024, 6, 1, 10, tzinfo=PARIS), status=CaseStatus.ARCHIVED)
    assert case.closed_on == date(2024, 5, 3)  # archiving a closed case keeps its closing day
    case = services.case_update(user=owner, case=case, status=CaseStatus.OPEN)
    assert case.closed_on is None


def test_only_cases_closed_longer_than_the_retention_are_due(owner, association, case, settings):
    settings.CASE_RETENTION_YEARS = 5
    old = close(owner, case, datetime(2021, 12, 3, 10, tzinfo=PARIS))
    recent = close(owner, CaseFactory(association=association), datetime(2021, 12, 5, 10, tzinfo=PARIS))
    CaseFactory(association=association)  # open
    with time_machine.travel(TODAY, tick=False):
        assert list(cases_due_for_purge()) == [old]
    assert recent.closed_on == date(2021, 12, 5)


@pytest.fixture
def rich_closed(owner, case, media_root):
    build_rich_case(owner, case)
    dossier = dossier_services.dossier_request(user=owner, case=case, recipient="Greffe", sections=["cover"])
    dossier_services.dossier_render(dossier_id=dossier.pk, parallel=False)
    services.access_log_write(
        user=owner, association_id=case.association_id, action=AccessAction.VIEW, object_type="case", object_id=case.pk
    )
    return close(owner, case, datetime(2019, 1, 10, 10, tzinfo=PARIS))


def stored_files(case_id) -> list[Path]:
    names = list(Exhibit.objects.filter(case_id=case_id).values_list("file", flat=True))
    names += list(Dossier.objects.filter(case_id=case_id).exclude(file="").values_list("file", flat=True))
    return [Path(Exhibit._meta.get_field("file").storage.path(name)) for name in names]


def test_the_command_is_a_dry_run_by_default(rich_closed):
    out = StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("purge_closed_cases", stdout=out)
    text = out.getvalue()
    assert "Simulation : 1 affaire(s)" in text
    assert f"affaire n° {rich_closed.pk}" in text and "procedures.Procedure 2" in text and "cases.Victim 2" in text
    assert Case.objects.filter(pk=rich_closed.pk).exists()
    assert not AccessLog.objects.filter(action=AccessAction.PURGE).exists()


def test_apply_deletes_the_case_everything_under_it_its_files_and_its_history(
    rich_closed, other_association, outsider, django_capture_on_commit_callbacks
):
    case_id = rich_closed.pk
    victim_ids = list(Victim.objects.filter(case_id=case_id).values_list("pk", flat=True))
    files = stored_files(case_id)
    assert len(files) == 3 and all(path.exists() for path in files)
    untouched = CaseFactory(association=other_association)
    views_before = AccessLog.objects.filter(case_id=case_id).count()

    with time_machine.travel(TODAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("purge_closed_cases", "--apply", stdout=StringIO())

    assert not Case.objects.filter(pk=case_id).exists()
    assert not Procedure.objects.filter(case_id=case_id).exists()
    assert not Victim.objects.filter(case_id=case_id).exists()
    assert not Exhibit.objects.filter(case_id=case_id).exists()
    assert not Dossier.objects.filter(case_id=case_id).exists()
    assert not any(path.exists() for path in files)
    assert Case.objects.filter(pk=untouched.pk).exists()
    # History keeps nothing of the purged rows; the access log keeps its ids and one PURGE row.
    assert not apps.get_model("cases", "CaseEvent").objects.filter(pgh_obj_id=case_id).exists()
    assert not apps.get_model("cases", "VictimEvent").objects.filter(pgh_obj_id__in=victim_ids).exists()
    purge = AccessLog.objects.get(action=AccessAction.PURGE, object_type="case", object_id=case_id)
    assert purge.case_id == case_id and purge.details["rows"]["procedures.Procedure"] == 2
    assert purge.details["files"] == 3 and purge.details["closed_on"] == "2019-01-10"
    assert AccessLog.objects.filter(case_id=case_id).exclude(action=AccessAction.PURGE).count() == views_before


def test_a_case_another_case_depends_on_is_blocked_and_nothing_is_deleted(rich_closed, association):
    procedure = ProcedureFactory(case=rich_closed)
    elsewhere = ProcedureFactory(case=CaseFactory(association=association), transferred_from=procedure)

    plan = case_purge_plan(rich_closed)
    assert plan.blocked.startswith("procedures.Procedure")
    with pytest.raises(CasePurgeBlocked):
        case_purge(case=rich_closed)
    assert Case.objects.filter(pk=rich_closed.pk).exists()
    assert Procedure.objects.filter(pk=elsewhere.pk).exists()


def test_purging_a_small_case_with_victims_and_no_procedure(owner, association, case, settings):
    services.victim_add(user=owner, case=case, first_name="Léa", last_name="Fictive")
    close(owner, case, datetime(2018, 3, 1, 10, tzinfo=PARIS))
    with time_machine.travel(TODAY, tick=False):
        plan = case_purge(case=case, user=owner)
    assert plan.counts["cases.Victim"] == 1
    assert not Case.objects.filter(pk=case.pk).exists()
    assert AccessLog.objects.get(action=AccessAction.PURGE).user == owner
