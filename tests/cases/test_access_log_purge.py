"""Retention of the access log: the purge deletes rows past ACCESS_LOG_RETENTION_MONTHS (the only
delete the table allows), is safe to run twice, and writes its own PURGE row."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from cases.access_log.services import APPEND_ONLY_TRIGGER, access_log_purge
from cases.models import AccessAction, AccessLog
from cases.tasks import purge_access_log

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 4, 3, 40, tzinfo=PARIS)


@pytest.fixture
def rows(owner, association):
    def at(*args):
        with time_machine.travel(datetime(*args, tzinfo=PARIS), tick=False):
            return AccessLog.objects.create(
                user=owner, association_id=association.pk, action=AccessAction.VIEW, object_type="case", object_id=1
            )

    return {
        "old": [at(2025, 1, 5, 10), at(2025, 12, 3, 23)],
        "kept": [at(2025, 12, 4, 4), at(2026, 11, 30, 10)],
    }


def test_the_trigger_uri_is_the_one_pgtrigger_gives_the_protect_trigger():
    trigger = next(t for t in AccessLog._meta.triggers if t.name == "access_log_append_only")
    assert trigger.get_uri(AccessLog) == APPEND_ONLY_TRIGGER


def test_the_purge_deletes_rows_past_the_retention_and_logs_itself(rows, settings):
    settings.ACCESS_LOG_RETENTION_MONTHS = 12
    with time_machine.travel(NOW, tick=False):
        purge = access_log_purge()

    assert purge.count == 2
    assert not AccessLog.objects.filter(pk__in=[r.pk for r in rows["old"]]).exists()
    assert AccessLog.objects.filter(pk__in=[r.pk for r in rows["kept"]]).count() == 2
    entry = AccessLog.objects.get(action=AccessAction.PURGE)
    assert entry.user is None and entry.object_type == "accesslog"
    assert entry.details["purged"] == 2 and entry.details["months"] == 12
    assert entry.details["before"].startswith("2025-12-04T")


def test_running_the_purge_twice_deletes_nothing_more(rows):
    with time_machine.travel(NOW, tick=False):
        assert access_log_purge().count == 2
        assert access_log_purge().count == 0
    assert AccessLog.objects.exclude(action=AccessAction.PURGE).count() == 2
    assert list(AccessLog.objects.filter(action=AccessAction.PURGE).values_list("details__purged", flat=True)) in (
        [0, 2],
        [2, 0],
    )


def test_the_purge_goes_in_batches(rows, monkeypatch):
    monkeypatch.setattr("cases.access_log.services.PURGE_BATCH", 1)
    with time_machine.travel(NOW, tick=False):
        assert access_log_purge().count == 2


def test_outside_the_purge_the_table_still_refuses_deletes(rows):
    from django.db import transaction
    from django.db.utils import ProgrammingError

    with time_machine.travel(NOW, tick=False):
        access_log_purge()
    with pytest.raises(ProgrammingError), transaction.atomic():
        AccessLog.objects.all().delete()


def test_the_command_s_dry_run_prints_the_count_and_deletes_nothing(rows):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("purge_access_log", "--dry-run", stdout=out)
    assert "2 ligne(s)" in out.getvalue() and "Simulation" in out.getvalue()
    assert AccessLog.objects.count() == 4


def test_the_command_purges(rows):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("purge_access_log", stdout=out)
    assert "2 ligne(s)" in out.getvalue()
    assert AccessLog.objects.count() == 3  # two kept, one PURGE


def test_the_nightly_task_takes_no_argument_and_returns_the_count(rows):
    with time_machine.travel(NOW, tick=False):
        assert purge_access_log.apply().get() == 2


def test_celery_beat_runs_the_purge_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-access-log-every-night"]
    assert entry["task"] == "cases.purge_access_log"
    assert settings.ACCESS_LOG_RETENTION_MONTHS == 12
