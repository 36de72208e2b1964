"""What every workflow shares: the fields each accepts, permission, validation, timeline rows."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.models import Case
from cases.selectors import case_access

from ..models import (
    Event,
)

PROCEDURE_FIELDS = (
    "parquet",
    "parquet_reference",
    "opened_on",
    "stage",
    "outcome",
    "classement_reason",
    "investigating_service",
    "investigating_judge",
    "suspect_detained",
    "transferred_from",
    "notes",
    "conduct_ended_on",
)
REFERRAL_FIELDS = (
    "kind",
    "author",
    "author_association",
    "recipient",
    "recipient_parquet",
    "sent_on",
    "reference",
    "subject",
    "lodged_with",
    "acknowledged_on",
    "answer_received_on",
    "answer",
    "answer_details",
    "general_prosecutor_appeal_on",
)
FILING_FIELDS = (
    "mode",
    "legal_basis",
    "status",
    "filed_on",
    "consignation_amount",
    "consignation_due_on",
    "consignation_paid_on",
    "damages_claimed",
    "damages_awarded",
    "override_reason",
)
HEARING_FIELDS = ("starts_at", "court", "purpose", "status", "summoned_by_association", "defendant_residence", "notes")
# A step recorded by hand (the other records write their own).
EVENT_FIELDS = (
    "kind",
    "occurred_on",
    "title",
    "details",
    "interrupts_prescription",
    "suspends_prescription",
    "suspension_ends_on",
)
DECISION_FIELDS = (
    "kind",
    "order_kind",
    "decided_on",
    "outcome",
    "prevenu_character",
    "association_presence",
    "notified_on",
    "prevenu_served_on",
    "prevenu_outside_metropole",
    "summary",
)


def _require_change(user, case: Case) -> None:
    if not case_access(user, case).can_change:
        raise PermissionDenied


def _assign(instance, fields, values: dict) -> None:
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(instance, name, value)


def _save(instance) -> None:
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ValidationError(
            _("Cet enregistrement entre en conflit avec un autre : %(error)s") % {"error": error}
        ) from error


def _event(
    *, case, procedure, kind, occurred_on, title, source=None, details="", interrupts=False, suspends=False
) -> Event:
    """The timeline row standing for a record; updated in place when the record changes."""
    values = {
        "case": case,
        "procedure": procedure,
        "kind": kind,
        "occurred_on": occurred_on,
        "title": title[:300],
        "details": details,
        "interrupts_prescription": interrupts,
        "suspends_prescription": suspends,
    }
    if source is None:
        return Event.objects.create(**values)
    event, _created = Event.objects.update_or_create(
        source_model=source._meta.model_name, source_id=source.pk, defaults=values
    )
    return event
