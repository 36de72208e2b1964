"""Celery entry points of procedures: thin, they parse their arguments and call a service."""

from datetime import date
from zoneinfo import ZoneInfo

from celery import shared_task
from django.utils import timezone

from .reminders import send_deadline_reminders as reminders_send

PARIS = ZoneInfo("Europe/Paris")


@shared_task(name="procedures.send_deadline_reminders", bind=True, max_retries=3, default_retry_delay=15 * 60)
def send_deadline_reminders(self, day: str | None = None) -> dict:
    """The morning reminder job (beat, 07:00 Europe/Paris). `day` is an ISO date, today in Paris
    by default. Safe to run twice; owners whose e-mail failed are retried the same day."""
    from .jobs import task_run_finish, task_run_release, task_run_start
    from .models import TaskRunKind

    today = date.fromisoformat(day) if day else timezone.localdate(timezone=PARIS)
    key = today.isoformat()
    run = task_run_start(kind=TaskRunKind.REMINDERS, key=key, arguments=[key])
    try:
        report = reminders_send(today=today).as_dict()
    except Exception as error:
        task_run_release(run, reason=f"{type(error).__name__}: {error}")
        raise
    if report["owners_failed"]:
        task_run_release(run, reason=f"{report['owners_failed']} envoi(s) en échec, nouvel essai prévu")
        # Same day on retry: a J-1 reminder retried after midnight must stay the J-1 of that day.
        raise self.retry(args=[key])
    task_run_finish(run, result=report)
    return report


@shared_task(
    name="procedures.open_referral_deadlines", bind=True, max_retries=5, default_retry_delay=30, acks_late=True
)
def open_referral_deadlines(self, referral_id: int, event_id: int, user_id: int) -> str:
    """The deadlines of a referral naming many procedures (services.referral_deadlines_open).
    Safe to run twice; a referral or event deleted meanwhile has nothing left to open."""
    from django.contrib.auth import get_user_model
    from django.db import OperationalError

    from .jobs import task_run_finish, task_run_release, task_run_start
    from .models import Event, Referral, TaskRunKind
    from .services.procedures import referral_deadlines_open

    run = task_run_start(
        kind=TaskRunKind.REFERRAL_DEADLINES, key=f"{referral_id}:{event_id}", arguments=[referral_id, event_id, user_id]
    )
    referral = Referral.objects.select_related("case").filter(pk=referral_id).first()
    event = Event.objects.filter(pk=event_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if referral is None or event is None or user is None:
        task_run_finish(run, result={"outcome": "gone"})
        return "gone"
    try:
        referral_deadlines_open(referral=referral, event=event, user=user)
    except OperationalError as error:
        task_run_release(run, reason=f"{type(error).__name__}: {error}")
        raise self.retry(exc=error) from error
    task_run_finish(run, result={"outcome": "done"})
    return "done"
