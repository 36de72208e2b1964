"""Workflows that write procedures and their records. Each one writes its timeline Event and opens
the deadlines the CPP attaches to it, in one transaction. Permission checks go through the case."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.selectors import case_access

from . import deadlines as engine
from .models import (
    Deadline,
    DeadlineStatus,
    Decision,
    DecisionKind,
    Event,
    EventKind,
    Filing,
    FilingStatus,
    Hearing,
    HearingStatus,
    LegalBasis,
    Outcome,
    Procedure,
    Referral,
    ReferralKind,
    Stage,
)
from .selectors import filing_eligibility

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
HEARING_FIELDS = ("starts_at", "court", "purpose", "status", "notes")
DECISION_FIELDS = ("kind", "decided_on", "outcome", "in_absentia", "notified_on", "summary")

# Which deadline a decision opens for the partie civile, and from which date (article in the rule).
DECISION_RULES = {
    DecisionKind.JUDGMENT_CORRECTIONNEL: "appeal_correctionnel",
    DecisionKind.VERDICT_ASSISES: "appeal_assises",
    DecisionKind.INSTRUCTION_ORDER: "appeal_instruction_order",
    DecisionKind.APPEAL_JUDGMENT: "pourvoi",
}


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


def _event(*, case, procedure, kind, occurred_on, title, source=None, details="", interrupts=False) -> Event:
    """The timeline row standing for a record; updated in place when the record changes."""
    values = {
        "case": case,
        "procedure": procedure,
        "kind": kind,
        "occurred_on": occurred_on,
        "title": title[:300],
        "details": details,
        "interrupts_prescription": interrupts,
    }
    if source is None:
        return Event.objects.create(**values)
    event, _created = Event.objects.update_or_create(
        source_model=source._meta.model_name, source_id=source.pk, defaults=values
    )
    return event


def deadline_open(*, procedure: Procedure, rule: str, trigger_date: date, event: Event | None, owner) -> Deadline:
    """Open (once) the deadline `rule` for the procedure's association. Idempotent on
    (association, procedure, rule, trigger date): recording the same decision twice opens nothing new."""
    due = engine.compute_due_date(rule, trigger_date, subdivision=procedure.parquet.holiday_subdivision or None)
    deadline, _created = Deadline.objects.get_or_create(
        association_id=procedure.association_id,
        procedure=procedure,
        rule=rule,
        trigger_date=trigger_date,
        defaults={
            "case": procedure.case,
            "trigger_event": event,
            "computed_due_on": due,
            "due_on": due,
            "owner": procedure.case.lead_lawyer or owner,
        },
    )
    return deadline


# --- Procedures ----------------------------------------------------------------------------------


@transaction.atomic
def procedure_create(*, user, case: Case, victims=(), suspects=(), offences=(), **fields) -> Procedure:
    _require_change(user, case)
    procedure = Procedure(case=case)
    _assign(procedure, PROCEDURE_FIELDS, fields)
    _save(procedure)
    _set_parties(procedure, case, victims, suspects, offences)
    if procedure.opened_on:
        _event(
            case=case,
            procedure=procedure,
            kind=EventKind.PROCEDURE_OPENED,
            occurred_on=procedure.opened_on,
            title=_("Procédure ouverte au %(parquet)s (n° %(reference)s)")
            % {"parquet": procedure.parquet, "reference": procedure.parquet_reference},
            source=procedure,
            interrupts=True,
        )
    return procedure


def _set_parties(procedure, case, victims, suspects, offences):
    if any(victim.case_id != case.pk for victim in victims) or any(suspect.case_id != case.pk for suspect in suspects):
        raise ValidationError(_("Les victimes et mis en cause d'une procédure sont ceux de son affaire."))
    procedure.victims.set(victims)
    procedure.suspects.set(suspects)
    procedure.offences.set(offences)


@transaction.atomic
def procedure_update(*, user, procedure: Procedure, victims=None, suspects=None, offences=None, **fields) -> Procedure:
    _require_change(user, procedure.case)
    procedure = Procedure.objects.select_for_update().select_related("case").get(pk=procedure.pk)
    _assign(procedure, PROCEDURE_FIELDS, fields)
    _save(procedure)
    if victims is not None or suspects is not None or offences is not None:
        _set_parties(
            procedure,
            procedure.case,
            procedure.victims.all() if victims is None else victims,
            procedure.suspects.all() if suspects is None else suspects,
            procedure.offences.all() if offences is None else offences,
        )
    return procedure


@transaction.atomic
def procedure_transfer(
    *, user, procedure: Procedure, parquet, parquet_reference: str, transferred_on: date
) -> Procedure:
    """Dessaisissement: the receiving parquet's procedure points to the one it came from."""
    _require_change(user, procedure.case)
    successor = procedure_create(
        user=user,
        case=procedure.case,
        parquet=parquet,
        parquet_reference=parquet_reference,
        opened_on=transferred_on,
        stage=procedure.stage,
        transferred_from=procedure,
        victims=list(procedure.victims.all()),
        suspects=list(procedure.suspects.all()),
        offences=list(procedure.offences.all()),
    )
    Procedure.objects.filter(pk=procedure.pk).update(outcome=Outcome.TRANSFERRED)
    _event(
        case=procedure.case,
        procedure=procedure,
        kind=EventKind.TRANSFER,
        occurred_on=transferred_on,
        title=_("Dessaisissement du %(source)s au profit du %(target)s")
        % {"source": procedure.parquet, "target": parquet},
    )
    return successor


# --- Referrals -----------------------------------------------------------------------------------


@transaction.atomic
def referral_record(*, user, case: Case, procedures=(), **fields) -> Referral:
    _require_change(user, case)
    referral = Referral(case=case)
    _assign(referral, REFERRAL_FIELDS, fields)
    _save(referral)
    referral.procedures.set(procedures)
    event = _referral_event(referral)
    # Art. 85: a PACPC becomes admissible 3 months after a plainte simple left unanswered.
    if referral.kind == ReferralKind.PLAINTE_SIMPLE and referral.author_association_id == case.association_id:
        for procedure in referral.procedures.all():
            deadline_open(
                procedure=procedure,
                rule="pacpc_after_complaint",
                trigger_date=referral.sent_on,
                event=event,
                owner=user,
            )
    return referral


def _referral_event(referral: Referral) -> Event:
    title = _("%(kind)s — %(author)s à %(recipient)s") % {
        "kind": referral.get_kind_display(),
        "author": referral.author,
        "recipient": referral.recipient,
    }
    return _event(
        case=referral.case,
        procedure=referral.procedures.first(),
        kind=EventKind.REFERRAL,
        occurred_on=referral.sent_on,
        title=title,
        details=referral.subject,
        source=referral,
        interrupts=referral.kind in {ReferralKind.PACPC, ReferralKind.CITATION_DIRECTE},
    )


@transaction.atomic
def referral_update(*, user, referral: Referral, procedures=None, **fields) -> Referral:
    _require_change(user, referral.case)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _assign(referral, REFERRAL_FIELDS, fields)
    _save(referral)
    if procedures is not None:
        referral.procedures.set(procedures)
    _referral_event(referral)
    return referral


# --- Filings -------------------------------------------------------------------------------------


@transaction.atomic
def filing_submit(*, user, procedure: Procedure, association=None, **fields) -> Filing:
    """Record a constitution de partie civile with the eligibility explanation of that day. A
    filing no CPP article supports is refused unless the lawyer writes why."""
    association = association or procedure.case.association
    _require_change(user, procedure.case)
    if association.pk != procedure.case.association_id:
        raise ValidationError({"association": _("Seule l'association qui tient l'affaire se constitue ici.")})
    filing = Filing(procedure=procedure, association=association, created_by=user)
    _assign(filing, FILING_FIELDS, fields)
    _check_eligibility(filing)
    _save(filing)
    _filing_event(filing)
    return filing


def _check_eligibility(filing: Filing) -> None:
    result = filing_eligibility(filing.association, filing.procedure)
    filing.eligibility_snapshot = {**result.to_dict(), "computed_at": timezone.now().isoformat()}
    reason = (filing.override_reason or "").strip()
    if not result.applicable_articles and not reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "Aucun article du CPP ne permet à l'association de se constituer au vu des éléments saisis : "
                    "indiquez le motif du dépôt."
                )
            }
        )
    if (
        result.applicable_articles
        and filing.legal_basis not in {*result.applicable_articles, LegalBasis.NONE}
        and not reason
    ):
        raise ValidationError(
            {
                "legal_basis": _(
                    "Fondement non retenu par l'analyse (articles applicables : %(articles)s) : justifiez-le."
                )
                % {"articles": ", ".join(result.applicable_articles)}
            }
        )


def _filing_event(filing: Filing) -> None:
    if filing.filed_on:
        _event(
            case=filing.procedure.case,
            procedure=filing.procedure,
            kind=EventKind.FILING,
            occurred_on=filing.filed_on,
            title=_("Constitution de partie civile de %(association)s (%(mode)s)")
            % {"association": filing.association, "mode": filing.get_mode_display()},
            source=filing,
        )


@transaction.atomic
def filing_update(*, user, filing: Filing, **fields) -> Filing:
    _require_change(user, filing.procedure.case)
    filing = Filing.objects.select_for_update().select_related("procedure__case", "association").get(pk=filing.pk)
    was_draft = filing.status == FilingStatus.DRAFT
    _assign(filing, FILING_FIELDS, fields)
    if was_draft:
        # Until it is filed, the explanation follows the file; afterwards it stays as it was.
        _check_eligibility(filing)
    _save(filing)
    _filing_event(filing)
    return filing


# --- Hearings and decisions ----------------------------------------------------------------------


@transaction.atomic
def hearing_record(*, user, procedure: Procedure, **fields) -> Hearing:
    _require_change(user, procedure.case)
    hearing = Hearing(procedure=procedure)
    _assign(hearing, HEARING_FIELDS, fields)
    _save(hearing)
    event = _hearing_event(hearing)
    if hearing.status == HearingStatus.SCHEDULED and procedure.stage in {Stage.JUGEMENT, Stage.APPEL}:
        filed = procedure.filings.filter(
            association_id=procedure.association_id, status__in=[FilingStatus.FILED, FilingStatus.ADMITTED]
        )
        if not filed.exists():
            # Art. 420-1: a partie civile not yet constituted may do so by a letter received 24 h before.
            deadline_open(
                procedure=procedure,
                rule="letter_420_1",
                trigger_date=timezone.localdate(hearing.starts_at),
                event=event,
                owner=user,
            )
    return hearing


def _hearing_event(hearing: Hearing) -> Event:
    return _event(
        case=hearing.procedure.case,
        procedure=hearing.procedure,
        kind=EventKind.HEARING,
        occurred_on=timezone.localdate(hearing.starts_at),
        title=_("Audience — %(court)s (%(status)s)") % {"court": hearing.court, "status": hearing.get_status_display()},
        details=hearing.purpose,
        source=hearing,
    )


@transaction.atomic
def hearing_update(*, user, hearing: Hearing, **fields) -> Hearing:
    _require_change(user, hearing.procedure.case)
    hearing = Hearing.objects.select_for_update().get(pk=hearing.pk)
    _assign(hearing, HEARING_FIELDS, fields)
    _save(hearing)
    _hearing_event(hearing)
    return hearing


@transaction.atomic
def decision_record(*, user, procedure: Procedure, **fields) -> Decision:
    _require_change(user, procedure.case)
    decision = Decision(procedure=procedure)
    _assign(decision, DECISION_FIELDS, fields)
    _save(decision)
    event = _event(
        case=procedure.case,
        procedure=procedure,
        kind=EventKind.DECISION,
        occurred_on=decision.decided_on,
        title=f"{decision.get_kind_display()}{' — ' + decision.get_outcome_display() if decision.outcome else ''}",
        details=decision.summary,
        source=decision,
        interrupts=True,
    )
    if decision.outcome:
        Procedure.objects.filter(pk=procedure.pk).update(outcome=decision.outcome)
    for rule, trigger in _decision_deadlines(decision):
        deadline_open(procedure=procedure, rule=rule, trigger_date=trigger, event=event, owner=user)
    return decision


def _decision_deadlines(decision: Decision) -> list[tuple[str, date]]:
    rule = DECISION_RULES.get(decision.kind)
    if rule is None:
        return []
    if decision.in_absentia:
        # Art. 498 al. 2 / 491: for an absent party the periods run from the signification.
        if decision.notified_on is None:
            return []
        opened = [(rule, decision.notified_on)]
        if decision.kind == DecisionKind.JUDGMENT_CORRECTIONNEL:
            opened.append(("opposition", decision.notified_on))
        return opened
    if decision.kind == DecisionKind.INSTRUCTION_ORDER:
        # Art. 186: from the notification of the order.
        return [(rule, decision.notified_on or decision.decided_on)]
    return [(rule, decision.decided_on)]


# --- Other steps ---------------------------------------------------------------------------------


@transaction.atomic
def event_record(
    *,
    user,
    case: Case,
    procedure: Procedure | None = None,
    kind: str,
    occurred_on: date,
    title: str,
    details="",
    interrupts_prescription=False,
) -> Event:
    """A dated step with no record of its own; some open deadlines (rules chained in the engine)."""
    _require_change(user, case)
    if procedure is not None and procedure.case_id != case.pk:
        raise ValidationError({"procedure": _("La procédure doit appartenir à l'affaire.")})
    event = Event(
        case=case,
        procedure=procedure,
        kind=kind,
        occurred_on=occurred_on,
        title=title,
        details=details,
        interrupts_prescription=interrupts_prescription,
    )
    event.full_clean()
    event.save()
    if procedure is not None:
        for rule, trigger in _event_deadlines(event, procedure):
            deadline_open(procedure=procedure, rule=rule, trigger_date=trigger, event=event, owner=user)
    return event


def _event_deadlines(event: Event, procedure: Procedure) -> list[tuple[str, date]]:
    if event.kind == EventKind.AVIS_175:
        # Art. 175: intention to file requests within 15 days, then requests within 1 or 3 months.
        requests = "art175_requests_detained" if procedure.suspect_detained else "art175_requests"
        return [("art175_intent", event.occurred_on), (requests, event.occurred_on)]
    if event.kind == EventKind.REQUISITOIRE:
        observations = "art175_observations_detained" if procedure.suspect_detained else "art175_observations"
        return [(observations, event.occurred_on)]
    if event.kind == EventKind.APPEAL:
        # Art. 500: another party's appeal opens the incidental appeal, counted from the judgment.
        judgment = procedure.decisions.filter(
            kind=DecisionKind.JUDGMENT_CORRECTIONNEL, decided_on__lte=event.occurred_on
        ).last()
        if judgment is not None:
            return [("appeal_incident", judgment.decided_on)]
    return []


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
    """Open deadlines whose last day has passed become missed (run by the morning job)."""
    return Deadline.objects.open().filter(due_on__lt=today).update(status=DeadlineStatus.MISSED)
