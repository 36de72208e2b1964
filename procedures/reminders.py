"""The morning reminder job: one e-mail per owner listing their deadlines due in 7, 3 and 1 days
and those missed. Safe to run twice: a reminder is recorded (DeadlineReminder, unique per
deadline, recipient and step) in the same transaction that sends it, so a second run finds it
recorded and sends nothing, and a failed send rolls the record back for the next run."""

import logging
import smtplib
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.selectors import case_queryset_for_user

from .models import Deadline, DeadlineReminder, DeadlineStatus
from .services import deadlines_mark_missed

logger = logging.getLogger(__name__)

# Days before the due date -> step recorded in DeadlineReminder.step.
UPCOMING_STEPS = {7: "J-7", 3: "J-3", 1: "J-1"}
MISSED_STEP = "missed"
# First key of pg_advisory_xact_lock(int, int); the second is the owner: one run at a time per owner.
ADVISORY_LOCK_NAMESPACE = 0x52454D44  # "REMD"
DEFAULT_SITE_URL = "http://127.0.0.1:8000"
TEMPLATE = "procedures/email/deadline_reminder"


@dataclass
class ReminderReport:
    today: date
    marked_missed: int = 0
    emails_sent: int = 0
    reminders_sent: int = 0
    owners_without_email: int = 0
    owners_failed: int = 0

    def as_dict(self) -> dict:
        return {**asdict(self), "today": self.today.isoformat()}


def site_url() -> str:
    return (getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL).rstrip("/")


def send_deadline_reminders(*, today: date) -> ReminderReport:
    report = ReminderReport(today=today, marked_missed=deadlines_mark_missed(today=today))
    owner_ids = _candidates(today).values_list("owner_id", flat=True).distinct().order_by("owner_id")
    owners = get_user_model().objects.filter(pk__in=list(owner_ids), is_active=True).order_by("pk")
    for owner in owners:
        if not (owner.email or "").strip():
            report.owners_without_email += 1
            continue
        try:
            sent = _remind_owner(owner, today)
        except (smtplib.SMTPException, OSError):
            # The transaction rolled back: nothing is recorded, so the next run sends it again.
            logger.exception("Deadline reminder to user %s failed", owner.pk)
            report.owners_failed += 1
            continue
        if sent:
            report.emails_sent += 1
            report.reminders_sent += sent
    return report


def _candidates(today: date):
    upcoming = [today + timedelta(days=days) for days in UPCOMING_STEPS]
    return (
        Deadline.objects.own()
        .filter(owner__isnull=False)
        .filter(Q(status=DeadlineStatus.OPEN, due_on__in=upcoming) | Q(status=DeadlineStatus.MISSED))
    )


def _step(deadline: Deadline, today: date) -> str:
    if deadline.status == DeadlineStatus.MISSED:
        return MISSED_STEP
    return UPCOMING_STEPS[(deadline.due_on - today).days]


def _remind_owner(owner, today: date) -> int:
    """Record then send the owner's reminders not yet recorded; returns how many were sent."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Held until commit: a concurrent run for the same owner waits, then sees our rows.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s::integer, %s::integer)", [ADVISORY_LOCK_NAMESPACE, owner.pk]
            )
        deadlines = list(
            _candidates(today)
            .filter(owner=owner, case__in=case_queryset_for_user(owner))
            .select_related("case", "procedure__parquet")
            .order_by("due_on", "pk")
        )
        already = set(
            DeadlineReminder.objects.filter(recipient=owner, deadline__in=deadlines).values_list("deadline_id", "step")
        )
        due = [(deadline, _step(deadline, today)) for deadline in deadlines]
        due = [(deadline, step) for deadline, step in due if (deadline.pk, step) not in already]
        if not due:
            return 0
        # ignore_conflicts=False: under the lock a conflict cannot happen, and if it ever did the
        # IntegrityError would roll everything back rather than send a reminder twice.
        DeadlineReminder.objects.bulk_create(
            [DeadlineReminder(deadline=deadline, recipient=owner, step=step, sent_on=today) for deadline, step in due],
            ignore_conflicts=False,
        )
        _message(owner, today, due).send(fail_silently=False)
    return len(due)


def _message(owner, today: date, due: list[tuple[Deadline, str]]) -> EmailMultiAlternatives:
    base = site_url()
    items = [
        {
            "step": step,
            "days": None if step == MISSED_STEP else (deadline.due_on - today).days,
            "case_reference": deadline.case.reference,
            "case_title": deadline.case.title,
            "procedure": (
                f"{deadline.procedure.parquet.name} n° {deadline.procedure.parquet_reference}"
                if deadline.procedure
                else ""
            ),
            "rule": deadline.get_rule_display(),
            "due_on": deadline.due_on,
            "url": base + reverse("case_detail", args=[deadline.case_id]),
        }
        for deadline, step in due
    ]
    missed = [item for item in items if item["step"] == MISSED_STEP]
    upcoming = [item for item in items if item["step"] != MISSED_STEP]
    upcoming.sort(key=lambda item: (item["days"], item["due_on"]))
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "owner_name": owner.get_full_name() or owner.username,
            "today": today,
            "missed": missed,
            "upcoming": upcoming,
            "site_url": base,
        }
        subject = _subject(today, len(upcoming), len(missed))
        text = render_to_string(f"{TEMPLATE}.txt", context)
        html = render_to_string(f"{TEMPLATE}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[owner.email])
    message.attach_alternative(html, "text/html")
    return message


def _subject(today: date, upcoming: int, missed: int) -> str:
    parts = []
    if upcoming:
        parts.append(
            ngettext("%(count)d délai à échéance proche", "%(count)d délais à échéance proche", upcoming)
            % {"count": upcoming}
        )
    if missed:
        parts.append(ngettext("%(count)d délai manqué", "%(count)d délais manqués", missed) % {"count": missed})
    return _("Vos délais au %(date)s : %(summary)s") % {"date": f"{today:%d/%m/%Y}", "summary": ", ".join(parts)}
