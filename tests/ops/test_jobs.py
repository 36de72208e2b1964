"""Background work as rows: queues, the health page, the admins' panel and the sweeper that sends
again what a lost message or a killed worker left behind (config/jobs.py)."""

import time
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connections
from django.utils import timezone

from cases.models import Role
from config.celery import app
from config.jobs import jobs_sweep, oldest_waiting
from procedures import services
from procedures.models import Deadline, DeadlineReminder, DeadlineStatus, TaskRun, TaskRunKind, TaskRunStatus
from reports.models import Dossier, DossierStatus
from reports.statistics.compute import LOCK_KEY
from reports.statistics.models import RunMode, RunStatus, StatisticsRun
from tests.factories import MembershipFactory, ParquetFactory, UserFactory

from .processes import wait_until

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("reports.render_dossier", "dossiers"),
        ("reports.render_dossier_chunk", "dossiers"),
        ("reports.render_statistics_report", "dossiers"),
        ("reports.compute_statistics", "statistics"),
        ("reports.compute_statistics_nightly", "statistics"),
        ("procedures.run_import", "imports"),
        ("procedures.send_deadline_reminders", "default"),
        ("procedures.open_referral_deadlines", "default"),
        ("config.sweep_jobs", "default"),
    ],
)
def test_each_task_goes_to_its_queue_with_its_queue_limits(task, queue, settings):
    route = app.amqp.router.route({}, task)
    assert route["queue"].name == queue
    if queue != "default":
        annotated = app.tasks[task]
        assert annotated.time_limit == settings.WORKER_QUEUES[queue]["time_limit"]
        assert annotated.soft_time_limit < annotated.time_limit


def test_a_worker_takes_the_largest_ceiling_of_its_queues(settings):
    from config.worker_limits import memory_ceiling_mb, worker_queues

    settings.WORKER_QUEUES = {
        "default": {"time_limit": 600, "memory_mb": 300},
        "dossiers": {"time_limit": 330, "memory_mb": 1500},
    }
    assert worker_queues({"queues": "default"}) == ["default"]
    assert worker_queues({}) == ["default", "dossiers"]
    assert memory_ceiling_mb(worker_queues({"queues": "default"})) == 300
    assert memory_ceiling_mb(worker_queues({"queues": ["default", "dossiers"]})) == 1500


@pytest.mark.django_db
def test_health_gives_each_queue_its_waiting_jobs_and_the_oldest_age(client, case, owner):
    asked = timezone.now() - timedelta(minutes=7)
    dossier = Dossier.objects.create(
        case=case, association=case.association, requested_by=owner, recipient="Me X", sections=["summary"]
    )
    Dossier.objects.filter(pk=dossier.pk).update(created_at=asked)
    StatisticsRun.objects.create(mode=RunMode.INCREMENTAL)

    queues = client.get("/healthz").json()["queues"]

    assert set(queues) == {"default", "dossiers", "statistics", "imports"}
    assert queues["dossiers"]["waiting"] == 1
    assert 7 * 60 - 5 <= queues["dossiers"]["oldest_seconds"] <= 7 * 60 + 60
    assert queues["statistics"]["waiting"] == 1
    assert queues["imports"] == {"waiting": 0, "oldest_seconds": None, "messages": 0}


@pytest.mark.django_db
def test_the_admins_home_shows_the_queues_and_a_late_one(client, association, case, owner):
    admin = MembershipFactory(association=association, role=Role.ADMIN, user=UserFactory(username="adm")).user
    dossier = Dossier.objects.create(
        case=case, association=association, requested_by=owner, recipient="Me X", sections=["summary"]
    )
    Dossier.objects.filter(pk=dossier.pk).update(created_at=timezone.now() - timedelta(minutes=42))
    client.force_login(admin)
    page = client.get("/").content.decode()
    assert "Tâches de fond" in page
    assert '<tr class="late">' in page and "42 min" in page
    client.force_login(owner)
    assert "Tâches de fond" not in client.get("/").content.decode()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_sweeper_sends_again_a_referral_whose_message_was_lost(owner, case, association, settings, celery_worker):
    """The broker lost the message (Redis restarted empty): the row is still queued; the sweeper
    sends it, the worker opens the deadlines, and a second sweep sends nothing more."""
    settings.REFERRAL_DEADLINES_INLINE = 1
    parquet = ParquetFactory()
    procedures = [
        services.procedure_create(
            user=owner, case=case, parquet=parquet, parquet_reference=f"25/{n}", opened_on=date(2024, 6, 1)
        )
        for n in range(3)
    ]
    # The message never reaches the broker: as if Redis had lost it.
    with mock.patch("procedures.jobs._send"):
        services.referral_record(
            user=owner,
            case=case,
            procedures=procedures,
            author_association=association,
            kind="plainte_simple",
            author="L'association",
            recipient="Procureur de la République",
            lodged_with="procureur",
            sent_on=date(2025, 1, 15),
        )
    run = TaskRun.objects.get(kind=TaskRunKind.REFERRAL_DEADLINES)
    assert run.status == TaskRunStatus.QUEUED
    time.sleep(1)
    assert not Deadline.objects.filter(rule="pacpc_after_complaint").exists()

    report = jobs_sweep(now=timezone.now() + timedelta(minutes=6))
    assert f"referral_deadlines:{run.key}" in report["procedures.jobs"]["resent"]
    wait_until(lambda: TaskRun.objects.get(pk=run.pk).status == TaskRunStatus.DONE, timeout=30)
    assert Deadline.objects.filter(rule="pacpc_after_complaint").count() == 3
    again = jobs_sweep(now=timezone.now() + timedelta(minutes=12))["procedures.jobs"]["resent"]
    assert not [key for key in again if key.startswith("referral_deadlines")]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_morning_without_reminders_gets_them_from_the_sweeper_once(owner, case, settings, celery_worker):
    """Beat was down at 07:00 (or its message lost): at 07:05 the sweeper finds no run for the day
    and sends it; the next sweeps find the day's row and send nothing; one e-mail in all."""
    today = date(2025, 3, 10)
    procedure = services.procedure_create(
        user=owner, case=case, parquet=ParquetFactory(), parquet_reference="25/1", opened_on=date(2024, 6, 1)
    )
    Deadline.objects.create(
        case=case,
        association=case.association,
        procedure=procedure,
        rule="appeal_correctionnel",
        trigger_date=today - timedelta(days=7),
        computed_due_on=today + timedelta(days=3),
        due_on=today + timedelta(days=3),
        owner=owner,
        status=DeadlineStatus.OPEN,
    )
    before = datetime(2025, 3, 10, 6, 50, tzinfo=PARIS)
    after = datetime(2025, 3, 10, 7, 6, tzinfo=PARIS)
    assert jobs_sweep(now=before)["procedures.jobs"]["resent"] == []
    with time_machine.travel(after, tick=True):
        assert jobs_sweep(now=after)["procedures.jobs"]["resent"] == ["reminders:2025-03-10"]
        wait_until(
            lambda: TaskRun.objects.filter(kind=TaskRunKind.REMINDERS, status=TaskRunStatus.DONE).exists(), timeout=30
        )
        assert jobs_sweep(now=after + timedelta(minutes=1))["procedures.jobs"]["resent"] == []
    assert DeadlineReminder.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_statistics_run_left_running_by_a_dead_worker_is_queued_again_only_when_no_one_holds_the_lock(settings):
    run = StatisticsRun.objects.create(mode=RunMode.INCREMENTAL, status=RunStatus.RUNNING)
    StatisticsRun.objects.filter(pk=run.pk).update(requested_at=timezone.now() - timedelta(minutes=20))
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:  # a live run elsewhere holds the job's lock
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        with mock.patch("reports.jobs.dispatch") as send:
            jobs_sweep()
            assert StatisticsRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
            assert not [call for call in send.call_args_list if call.args[0] == "reports.compute_statistics"]
            with other.cursor() as cursor:  # that run's process died: PostgreSQL freed its lock
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
            jobs_sweep(now=timezone.now())
            assert StatisticsRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
            sent = [call for call in send.call_args_list if call.args[0] == "reports.compute_statistics"]
            assert sent == [mock.call("reports.compute_statistics", [run.pk])]
    finally:
        other.close()


@pytest.mark.django_db
def test_waiting_rows_count_per_queue(case, owner):
    Dossier.objects.create(
        case=case, association=case.association, requested_by=owner, recipient="Me X", sections=["summary"]
    )
    Dossier.objects.create(
        case=case,
        association=case.association,
        requested_by=owner,
        recipient="Me Y",
        sections=["summary"],
        status=DossierStatus.FAILED,
        error="x",
    )
    TaskRun.objects.create(kind=TaskRunKind.REMINDERS, key="2025-01-01")
    states = oldest_waiting()
    assert states["dossiers"]["waiting"] == 1
    assert states["default"]["waiting"] == 1
    assert states["imports"]["waiting"] == 0
