"""Deadlines: opened from the openings table, computed by the rule version in force on the
trigger's date, completed, moved by hand with a reason, cancelled, marked missed."""

from datetime import date

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Membership, Permission, Role

from .. import deadlines as engine
from .. import openings
from ..models import (
    CourtClosure,
    Deadline,
    DeadlineParty,
    DeadlineStatus,
    Event,
    Procedure,
)
from .base import _require_change, _save

# A typing slip (9999) would reach calendars and reminders: no procedural period runs that long
# (the longest, prescription, is not a deadline here).
LATEST_PLAUSIBLE_DUE_ON = date(2199, 12, 31)


def court_closures(parquet) -> frozenset[date]:
    """Days the court recorded as closed: only these extend a deadline over a customary day."""
    return frozenset(CourtClosure.objects.filter(parquet=parquet).values_list("closed_on", flat=True))


def deadline_compute(procedure: Procedure, rule: str, trigger_date: date) -> engine.Computation:
    return engine.compute(
        rule,
        trigger_date,
        subdivision=procedure.parquet.holiday_subdivision or None,
        closures=court_closures(procedure.parquet),
    )


def deadline_open(
    *, procedure: Procedure, rule: str, trigger_date: date, event: Event | None, owner, why: str = ""
) -> Deadline | None:
    """Open (once) the deadline `rule` in the procedure, computed by the rule version in force on
    the trigger's date. Idempotent on (association, procedure, rule, trigger date). Another party's
    period is recorded without an owner: it is information, not the association's task. A rule with
    no version in force on that date (a step the law did not know then) opens nothing."""
    try:
        computation = deadline_compute(procedure, rule, trigger_date)
    except engine.NoVersionInForce:
        return None
    explanation = computation.to_dict()
    if why:
        explanation["why"] = why
    party = computation.party
    deadline, _created = Deadline.objects.get_or_create(
        association_id=procedure.association_id,
        procedure=procedure,
        rule=rule,
        trigger_date=trigger_date,
        defaults={
            "case": procedure.case,
            "party": party,
            "trigger_event": event,
            "computed_due_on": computation.due_on,
            "due_on": computation.due_on,
            "rule_version": computation.version_label[:300],
            "explanation": explanation,
            "owner": (procedure.case.lead_lawyer or owner) if party == DeadlineParty.ASSOCIATION else None,
        },
    )
    return deadline


def deadlines_open_for(*, procedure: Procedure, facts: openings.Facts, event: Event | None, owner) -> list[str]:
    """Open every deadline the openings table attaches to `facts`; returns the sentences of the
    periods that cannot start yet (a signification still to come…)."""
    result = openings.deadlines_opened(facts)
    for opened in result.opened:
        deadline_open(
            procedure=procedure, rule=opened.rule, trigger_date=opened.trigger, event=event, owner=owner, why=opened.why
        )
        if event is not None:
            # A record completed later (its notification, the association's situation) moves the
            # starting day: the deadline counted from the former one no longer applies.
            Deadline.objects.filter(
                procedure=procedure, trigger_event=event, rule=opened.rule, status=DeadlineStatus.OPEN
            ).exclude(trigger_date=opened.trigger).update(
                status=DeadlineStatus.CANCELLED, notes=_("Point de départ remplacé par celui enregistré ensuite.")
            )
    return [waiting.why for waiting in result.waiting]


def deadlines_open_for_many(*, procedures, facts_of, event: Event | None, owner) -> int:
    """`deadlines_open_for` over many procedures at once (an article 40 notice may name the 23,051
    of a case): the openings and each computation are worked out once per distinct facts and
    parquet, the deadlines written in batches. Idempotent like `deadline_open`: a deadline
    already open for the same trigger is left as it is. Returns the number of rows written."""
    procedures = list(procedures)
    results: dict = {}
    computations: dict = {}
    parquet_ids = {procedure.parquet_id for procedure in procedures}
    closures: dict = {parquet_id: set() for parquet_id in parquet_ids}
    for parquet_id, closed_on in CourtClosure.objects.filter(parquet_id__in=parquet_ids).values_list(
        "parquet_id", "closed_on"
    ):
        closures[parquet_id].add(closed_on)
    rows, replaced = [], {}
    for procedure in procedures:
        facts = facts_of(procedure)
        if facts not in results:
            results[facts] = openings.deadlines_opened(facts)
        for opened in results[facts].opened:
            key = (opened.rule, opened.trigger, procedure.parquet_id)
            if key not in computations:
                try:
                    computations[key] = engine.compute(
                        opened.rule,
                        opened.trigger,
                        subdivision=procedure.parquet.holiday_subdivision or None,
                        closures=frozenset(closures[procedure.parquet_id]),
                    )
                except engine.NoVersionInForce:
                    computations[key] = None
            computation = computations[key]
            if computation is None:
                continue
            explanation = computation.to_dict()
            if opened.why:
                explanation["why"] = opened.why
            association = computation.party == DeadlineParty.ASSOCIATION
            rows.append(
                Deadline(
                    association_id=procedure.association_id,
                    procedure=procedure,
                    case_id=procedure.case_id,
                    rule=opened.rule,
                    trigger_date=opened.trigger,
                    party=computation.party,
                    trigger_event=event,
                    computed_due_on=computation.due_on,
                    due_on=computation.due_on,
                    rule_version=computation.version_label[:300],
                    explanation=explanation,
                    owner_id=(procedure.case.lead_lawyer_id or owner.pk) if association else None,
                )
            )
            replaced.setdefault((opened.rule, opened.trigger), []).append(procedure.pk)
    written = len(Deadline.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True))
    if event is not None:
        # As in deadlines_open_for: a starting day recorded since replaces the former one.
        for (rule, trigger), ids in replaced.items():
            Deadline.objects.filter(
                procedure_id__in=ids, trigger_event=event, rule=rule, status=DeadlineStatus.OPEN
            ).exclude(trigger_date=trigger).update(
                status=DeadlineStatus.CANCELLED, notes=_("Point de départ remplacé par celui enregistré ensuite.")
            )
    return written


# --- Deadlines -----------------------------------------------------------------------------------


@transaction.atomic
def deadline_complete(*, user, deadline: Deadline, completed_on: date | None = None) -> Deadline:
    _require_change(user, deadline.case)
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    deadline.status = DeadlineStatus.DONE
    deadline.completed_on = completed_on or timezone.localdate()
    deadline.save(update_fields=["status", "completed_on"])
    return deadline


@transaction.atomic
def deadline_override(*, user, deadline: Deadline, due_on: date, reason: str) -> Deadline:
    """Move a due date by hand: only with a reason, kept with the before/after in history."""
    _require_change(user, deadline.case)
    if not (reason or "").strip():
        raise ValidationError({"override_reason": _("Une échéance modifiée à la main exige un motif.")})
    if not (LATEST_PLAUSIBLE_DUE_ON.replace(year=1900) <= due_on <= LATEST_PLAUSIBLE_DUE_ON):
        raise ValidationError({"due_on": _("Échéance invraisemblable : vérifiez l'année saisie.")})
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    deadline.due_on = due_on
    deadline.override_reason = reason.strip()
    if deadline.status == DeadlineStatus.MISSED and due_on >= timezone.localdate():
        deadline.status = DeadlineStatus.OPEN
    _save(deadline)
    return deadline


@transaction.atomic
def deadline_cancel(*, user, deadline: Deadline, reason: str) -> Deadline:
    _require_change(user, deadline.case)
    if not (reason or "").strip():
        raise ValidationError({"notes": _("Indiquez pourquoi ce délai est sans objet.")})
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    deadline.status = DeadlineStatus.CANCELLED
    deadline.notes = reason.strip()
    deadline.save(update_fields=["status", "notes"])
    return deadline


def deadlines_mark_missed(*, today: date) -> int:
    """The association's open deadlines whose last day has passed become missed (morning job).
    Another party's period is information: it is not « missed » by the association."""
    return Deadline.objects.own().open().filter(due_on__lt=today).update(status=DeadlineStatus.MISSED)


def deadline_recomputed_values(deadline, computation) -> dict:
    """What a deadline becomes under the rule version in force on its trigger date: the computed
    date, its explanation and whose right it is. A due date moved by hand (with its reason) stays."""
    own = computation.party == DeadlineParty.ASSOCIATION
    values = {
        "party": computation.party,
        "computed_due_on": computation.due_on,
        "rule_version": computation.version_label[:300],
        "explanation": {
            **computation.to_dict(),
            **({"why": deadline.explanation["why"]} if "why" in (deadline.explanation or {}) else {}),
        },
    }
    if deadline.due_on == deadline.computed_due_on or not (deadline.override_reason or "").strip():
        values["due_on"] = computation.due_on
    if not own:
        values["owner_id"] = None
        if deadline.status == DeadlineStatus.MISSED:
            values["status"] = DeadlineStatus.OPEN
    return values


def deadlines_recompute(*, deadlines=None, reason: str) -> dict[str, int]:
    """Recompute deadlines with the rule versions in force on their trigger dates (after a law
    change or a corrected rule), keeping manual overrides; each change is a history event with
    `reason`. A deadline whose rule had no version in force on its trigger date is cancelled."""
    counts = {"changed": 0, "unchanged": 0, "cancelled": 0}
    queryset = deadlines if deadlines is not None else Deadline.objects.all()
    closures: dict[int, frozenset] = {}
    with pghistory.context(command="recompute_deadlines", reason=reason):
        for deadline in queryset.select_related("procedure__parquet").iterator(chunk_size=2000):
            counts[_recompute_one(deadline, closures)] += 1
    return counts


def _recompute_one(deadline, closures: dict) -> str:
    parquet = deadline.procedure.parquet if deadline.procedure_id else None
    if parquet is not None and parquet.pk not in closures:
        closures[parquet.pk] = court_closures(parquet)
    try:
        computation = engine.compute(
            deadline.rule,
            deadline.trigger_date,
            subdivision=(parquet.holiday_subdivision or None) if parquet else None,
            closures=closures.get(parquet.pk, frozenset()) if parquet else frozenset(),
        )
    except engine.NoVersionInForce as error:
        if deadline.status != DeadlineStatus.OPEN:
            return "unchanged"
        Deadline.objects.filter(pk=deadline.pk).update(status=DeadlineStatus.CANCELLED, notes=str(error)[:1000])
        return "cancelled"
    values = deadline_recomputed_values(deadline, computation)
    if all(getattr(deadline, name) == value for name, value in values.items()):
        return "unchanged"
    Deadline.objects.filter(pk=deadline.pk).update(**values)
    return "changed"


# --- The association's team view ------------------------------------------------------------------


def deadline_reassign_allowed(user, association_id) -> bool:
    """Who redistributes the association's deadlines: its lawyers (they do the work) and its admins
    (they organise the team when a lawyer leaves or is away). Staff change nothing (ROLE_PERMISSIONS)."""
    membership = Membership.objects.filter(user=user, association_id=association_id).first()
    return membership is not None and (
        membership.has_permission(Permission.CHANGE_CASES) or membership.has_permission(Permission.MANAGE_MEMBERS)
    )


@transaction.atomic
def deadline_reassign(*, user, deadline: Deadline, owner) -> Deadline:
    """Give one of the association's own deadlines to another of its lawyers. The change of owner is
    kept in the case's history (pghistory) with who made it."""
    if not deadline_reassign_allowed(user, deadline.association_id):
        raise PermissionDenied
    if not deadline.is_own:
        raise ValidationError({"owner": _("Le délai d'une autre partie n'a pas de responsable dans l'association.")})
    if (
        owner is None
        or not Membership.objects.filter(
            user=owner, user__is_active=True, association_id=deadline.association_id, role=Role.LAWYER
        ).exists()
    ):
        raise ValidationError({"owner": _("Choisissez un·e avocat·e de l'association.")})
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.status not in (DeadlineStatus.OPEN, DeadlineStatus.MISSED):
        raise ValidationError({"owner": _("Ce délai est clos : il ne se réattribue plus.")})
    if deadline.owner_id == owner.pk:
        return deadline
    with pghistory.context(reason="deadline_reassign", by=user.pk):
        deadline.owner = owner
        deadline.save(update_fields=["owner"])
    return deadline
