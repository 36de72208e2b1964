"""A user's ICS calendar feed of open deadlines (RFC 5545, built with `icalendar`), and the
secret tokens that open it. Only the pseudonymous case reference and title go in the feed: a
calendar is synchronised to phones and third-party services, never a victim's identity."""

from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress

from .deadlines import UnknownRuleError, get_rule
from .models import CalendarToken, Deadline, DeadlineStatus
from .reminders import site_url
from .selectors import deadline_list_for_user

PRODID = "-//Coco affaires//Mes délais//FR"
CALENDAR_NAME = "Mes délais"
UID_DOMAIN = "coco-affaires"
FEED_TIMEZONE = "Europe/Paris"
# The organiser RFC 5546 requires of a published event: the application, never a person.
ORGANIZER_NAME = "Suivi des affaires"
# All-day events start at midnight: 15 hours before is 09:00 the day before the due date.
ALARM_BEFORE = timedelta(hours=15)


def feed_deadlines(user):
    """The deadlines in the user's feed: open, owned by them, in cases they can still see."""
    return deadline_list_for_user(user).filter(status=DeadlineStatus.OPEN)


def deadlines_ics(user) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("x-wr-timezone", FEED_TIMEZONE)
    # RFC 5545 §3.6: a calendar holds at least one component, so an empty feed would be invalid
    # (strict parsers such as libical refuse it); the zone named by X-WR-TIMEZONE is one.
    calendar.add_component(_feed_timezone(timezone.localdate().year))
    stamp = timezone.now()
    base = site_url()
    organizer = _organizer()
    for deadline in feed_deadlines(user):
        calendar.add_component(_event(deadline, stamp, base, organizer))
    return calendar.to_ical()


@lru_cache(maxsize=2)
def _feed_timezone(year: int) -> Timezone:
    # Transitions from tzdata, over a window that keeps the feed small: the events are all-day
    # dates, which no time zone shifts.
    return Timezone.from_tzid(FEED_TIMEZONE, first_date=date(year - 1, 1, 1), last_date=date(year + 10, 1, 1))


def _organizer() -> vCalAddress:
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = ORGANIZER_NAME
    return organizer


def _event(deadline: Deadline, stamp, base: str, organizer: vCalAddress) -> Event:
    try:
        rule = get_rule(deadline.rule)
        label, article = rule.label_fr, rule.article
    except UnknownRuleError:
        label, article = deadline.rule, ""
    summary = f"{label} — {deadline.case.reference}"
    description = [f"Affaire {deadline.case.reference} — {deadline.case.title}"]
    if article:
        description.append(f"Article : {article}")
    if deadline.procedure:
        description.append(f"Procédure : {deadline.procedure.parquet.name} n° {deadline.procedure.parquet_reference}")
    description.append(f"Échéance : {deadline.due_on:%d/%m/%Y} à 24 heures (art. 801 CPP)")
    if deadline.is_overridden:
        description.append(
            f"Échéance modifiée à la main (calculée : {deadline.computed_due_on:%d/%m/%Y}) : {deadline.override_reason}"
        )
    if deadline.rule_version:
        description.append(f"Règle : {deadline.rule_version}")
    lines = deadline.explanation_lines
    if lines:
        description.append("Calcul :")
        description.extend(f"- {line}" for line in lines)
    detail_url = base + reverse("deadline_detail", args=[deadline.pk])
    # The event opens the procedure the deadline belongs to; the computation stays one link away.
    url = base + reverse("procedure_detail", args=[deadline.procedure_id]) if deadline.procedure_id else detail_url
    description.append(f"Détail du calcul : {detail_url}")
    if deadline.procedure_id:
        description.append(f"Procédure en ligne : {url}")

    event = Event()
    event.add("uid", f"deadline-{deadline.pk}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", deadline.due_on)
    # An all-day event ends the next day; the last representable day has none.
    event.add("dtend", deadline.due_on + timedelta(days=1) if deadline.due_on < date.max else deadline.due_on)
    event.add("organizer", organizer)
    event.add("summary", summary)
    event.add("description", "\n".join(description))
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    return event


def calendar_token_issue(*, user) -> tuple[CalendarToken, str]:
    """A new feed token; the secret is returned once and only its hash is kept."""
    return CalendarToken.issue(user)


@transaction.atomic
def calendar_token_revoke(*, user, token_id) -> CalendarToken:
    """Revoke one of the user's own tokens; someone else's (or an unknown one) is a 404."""
    token = CalendarToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def calendar_tokens_active(user):
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def calendar_feed_user(secret: str):
    """The active user a feed secret belongs to, or None (unknown, revoked, or deactivated user)."""
    token = CalendarToken.lookup(secret)
    if token is None or not token.user.is_active:
        return None
    return token.user
