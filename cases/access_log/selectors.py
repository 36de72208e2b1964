"""Reads of the access log for an association's admins: filtered, newest first, paged by keyset.

The table grows by every read of a case, so a page never counts it nor skips with OFFSET: the next
page starts after the last row shown, `(at, id) < (…)`, which the index (association_id, at, id)
answers directly (see the figures in the report of 0009)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import AccessLog, Case, Membership, Role
from ..selectors import membership_get

PAGE_SIZE = 50


def admin_membership(user, active: Membership | None) -> Membership:
    """The active membership when it is an admin's; 404 for anyone else (the product answers 404
    for what is outside a user's rights, never 403)."""
    membership = active or None
    if membership is None or membership.role != Role.ADMIN:
        raise Http404
    # Re-read from the database: the session's choice must still be a membership of the user.
    return membership_get(user, membership.association_id)


@dataclass(frozen=True)
class AccessLogFilters:
    start: date | None = None
    end: date | None = None
    user_id: int | None = None
    action: str = ""
    case_id: int | None = None

    def as_query(self) -> dict[str, str]:
        values = {
            "du": self.start.isoformat() if self.start else "",
            "au": self.end.isoformat() if self.end else "",
            "utilisateur": str(self.user_id or ""),
            "action": self.action,
            "affaire": str(self.case_id or ""),
        }
        return {key: value for key, value in values.items() if value}


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_log_rows(*, association_id: int, filters: AccessLogFilters) -> QuerySet[AccessLog]:
    rows = AccessLog.objects.filter(association_id=association_id)
    if filters.start:
        rows = rows.filter(at__gte=_day_start(filters.start))
    if filters.end:
        # The end day is included, up to midnight Paris time.
        rows = rows.filter(at__lt=_day_start(filters.end + timedelta(days=1)))
    if filters.user_id:
        rows = rows.filter(user_id=filters.user_id)
    if filters.action:
        rows = rows.filter(action=filters.action)
    if filters.case_id:
        rows = rows.filter(case_id=filters.case_id)
    return rows.order_by("-at", "-id")


def encode_cursor(row: AccessLog) -> str:
    return f"{row.at.isoformat()}~{row.pk}"


def _decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    at_text, _sep, pk_text = (cursor or "").partition("~")
    try:
        at = parse_datetime(at_text)
        pk = int(pk_text)
    except (TypeError, ValueError):
        return None
    if at is None or at.tzinfo is None:
        return None
    return at, pk


def access_log_page(rows: QuerySet[AccessLog], *, after: str = "", size: int | None = None):
    """One page of rows (newest first) after the cursor, and the cursor of the next page or ""."""
    size = size or PAGE_SIZE
    position = _decode_cursor(after)
    if position is not None:
        table = AccessLog._meta.db_table
        rows = rows.filter(
            # Row comparison, so the index (association_id, at, id) is walked from the cursor on.
            RawSQL(f'("{table}"."at", "{table}"."id") < (%s, %s)', position, output_field=BooleanField())  # noqa: S611 - table name from the model, values are parameters
        )
    page = list(rows.select_related("user")[: size + 1])
    next_cursor = encode_cursor(page[size - 1]) if len(page) > size else ""
    return page[:size], next_cursor


def object_type_labels() -> dict[str, str]:
    """`case` → « affaire »…: the log keeps model names, the page shows what a lawyer calls them."""
    return {model._meta.model_name: str(model._meta.verbose_name) for model in apps.get_models()}


def case_references(*, association_id: int, case_ids) -> dict[int, str]:
    """References of the association's own cases among those ids; another association's case
    (read through a share) is shown by number only."""
    ids = {pk for pk in case_ids if pk}
    if not ids:
        return {}
    return dict(Case.objects.filter(association_id=association_id, pk__in=ids).values_list("pk", "reference"))


def case_id_from_reference(*, association_id: int, text: str) -> int | None:
    """A case given by its number or by its reference in the association; None when unknown."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    return (
        Case.objects.filter(association_id=association_id, reference__iexact=text).values_list("pk", flat=True).first()
    )


def association_users(*, association_id: int) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(memberships__association_id=association_id)
        .order_by("last_name", "first_name", "username")
    )
