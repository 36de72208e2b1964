"""Filings, hearings, decisions and other steps: each writes its timeline row and opens the
deadlines the openings table attaches to it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case

from .. import openings
from ..models import (
    DeadlineStatus,
    Decision,
    DecisionKind,
    Event,
    EventKind,
    Filing,
    FilingMode,
    FilingStatus,
    Hearing,
    HearingStatus,
    LegalBasis,
    Outcome,
    Procedure,
    Stage,
)
from ..nomenclature import with_names_of
from ..selectors import filing_eligibility
from .base import DECISION_FIELDS, FILING_FIELDS, HEARING_FIELDS, _assign, _event, _require_change, _save
from .deadlines import deadlines_open_for

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
    _check_mode(filing)
    _check_eligibility(filing)
    _save(filing)
    _filing_event(filing)
    _consignation_deadline(filing, user)
    return filing


def filing_problems(*, procedure: Procedure, association=None, filing: Filing | None = None, **fields) -> dict:
    """Every objection filing_submit (or filing_update of a draft) would raise, all at once and
    without saving, so that the form shows them with its own field errors in one pass."""
    association = association or procedure.case.association
    if filing is None:
        filing = Filing(procedure=procedure, association=association)
    _assign(filing, FILING_FIELDS, fields)
    problems: dict[str, list[str]] = {}
    for check in (_check_mode, _check_eligibility):
        try:
            check(filing)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                problems.setdefault(name, []).extend(messages)
    return problems


# Art. 2-3 al. 1, 2-16 and 2-22 need the public action « mise en mouvement par le ministère public ou
# la partie lésée »: such an association joins a prosecution, it cannot start one by a PACPC.
NEEDS_PUBLIC_ACTION = {LegalBasis.ART_2_3, LegalBasis.ART_2_16, LegalBasis.ART_2_22}
# Art. 2-3 al. 2: an association registered with the Ministry of Justice may act alone for 227-23.
ART_2_3_AL_2_OFFENCES = {"227-23"}


def _check_mode(filing: Filing) -> None:
    procedure, reason = filing.procedure, (filing.override_reason or "").strip()
    if filing.mode == FilingMode.PACPC and filing.legal_basis in NEEDS_PUBLIC_ACTION:
        exempt = (
            filing.legal_basis == LegalBasis.ART_2_3
            and filing.association.ministry_approved
            and procedure.offences.filter(article__in=ART_2_3_AL_2_OFFENCES).exists()
        )
        if not exempt:
            raise ValidationError(
                {
                    "mode": _(
                        "L'art. %(article)s CPP exige que l'action publique ait déjà été mise en mouvement par le "
                        "parquet ou la victime : l'association ne peut pas la déclencher par une plainte avec "
                        "constitution de partie civile (art. 85). Intervenez dans la procédure (art. 87) ou à "
                        "l'audience (art. 418, 420-1) une fois les poursuites engagées."
                    )
                    % {"article": filing.legal_basis}
                }
            )
    first_instance_modes = {FilingMode.HEARING, FilingMode.LETTER}
    if filing.mode in first_instance_modes and procedure.stage in {Stage.APPEL, Stage.CASSATION} and not reason:
        earlier = Filing.objects.filter(
            procedure__in=procedure.parquet_chain(),
            association=filing.association,
            status__in=[FilingStatus.FILED, FilingStatus.ADMITTED],
        ).exclude(pk=filing.pk)
        if not earlier.exists():
            raise ValidationError(
                {
                    "mode": _(
                        "Une première constitution de partie civile en cause d'appel est irrecevable : elle se fait "
                        "en première instance (art. 418 à 420-1 CPP). Si l'association s'était constituée en "
                        "première instance, enregistrez d'abord cette constitution, ou indiquez-le en motif."
                    )
                }
            )


def _consignation_deadline(filing: Filing, user) -> None:
    """Art. 88: the consignation fixed by the juge d'instruction, due by the date he set, « sous peine
    de non-recevabilité de la plainte »: a deadline of the association, done once paid."""
    procedure = filing.procedure
    current = procedure.deadlines.filter(rule="consignation_88", status=DeadlineStatus.OPEN)
    if filing.consignation_paid_on:
        current.update(status=DeadlineStatus.DONE, completed_on=filing.consignation_paid_on)
        return
    if filing.consignation_due_on is None:
        return
    current.exclude(trigger_date=filing.consignation_due_on).update(
        status=DeadlineStatus.CANCELLED, notes=_("Date de consignation modifiée.")
    )
    facts = openings.Facts(
        opener="filing",
        kind="consignation",
        consignation_due_on=filing.consignation_due_on,
        consignation_paid=bool(filing.consignation_paid_on),
    )
    deadlines_open_for(procedure=procedure, facts=facts, event=None, owner=user)


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
        _check_mode(filing)
        _check_eligibility(filing)
    _save(filing)
    _filing_event(filing)
    _consignation_deadline(filing, user)
    return filing


# --- Hearings and decisions ----------------------------------------------------------------------


@transaction.atomic
def hearing_record(*, user, procedure: Procedure, **fields) -> Hearing:
    _require_change(user, procedure.case)
    hearing = Hearing(procedure=procedure)
    _assign(hearing, HEARING_FIELDS, fields)
    _save(hearing)
    event = _hearing_event(hearing)
    _hearing_deadlines(hearing, event, user)
    return hearing


def _hearing_deadlines(hearing: Hearing, event: Event, user) -> None:
    if hearing.status != HearingStatus.SCHEDULED:
        return
    procedure = hearing.procedure
    filed = procedure.filings.filter(
        association_id=procedure.association_id, status__in=[FilingStatus.FILED, FilingStatus.ADMITTED]
    ).exists()
    facts = openings.Facts(
        opener="hearing",
        kind="scheduled",
        on=timezone.localdate(hearing.starts_at),
        stage=procedure.stage,
        association_filed=filed,
        summoned_by_association=hearing.summoned_by_association,
        defendant_residence=hearing.defendant_residence,
    )
    deadlines_open_for(procedure=procedure, facts=facts, event=event, owner=user)


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
    hearing = Hearing.objects.select_for_update().select_related("procedure__parquet").get(pk=hearing.pk)
    _assign(hearing, HEARING_FIELDS, fields)
    _save(hearing)
    event = _hearing_event(hearing)
    _hearing_deadlines(hearing, event, user)
    return hearing


@transaction.atomic
def decision_record(*, user, procedure: Procedure, **fields) -> Decision:
    _require_change(user, procedure.case)
    decision = Decision(procedure=procedure)
    _assign(decision, DECISION_FIELDS, fields)
    _save(decision)
    if decision.outcome:
        Procedure.objects.filter(pk=procedure.pk).update(outcome=decision.outcome)
    _decision_event_and_deadlines(decision, user)
    return decision


@transaction.atomic
def decision_update(*, user, decision: Decision, **fields) -> Decision:
    """Complete a decision (a signification, the order's kind…): the periods that were waiting for
    that fact open now; those already open stay as they are."""
    _require_change(user, decision.procedure.case)
    decision = (
        Decision.objects.select_for_update().select_related("procedure__case", "procedure__parquet").get(pk=decision.pk)
    )
    _assign(decision, DECISION_FIELDS, fields)
    _save(decision)
    _decision_event_and_deadlines(decision, user)
    return decision


def _decision_event_and_deadlines(decision: Decision, user) -> None:
    procedure = decision.procedure
    classement = decision.kind == DecisionKind.PROSECUTOR_DECISION
    event = _event(
        case=procedure.case,
        procedure=procedure,
        kind=EventKind.DECISION,
        occurred_on=decision.decided_on,
        title=with_names_of(
            f"{decision.get_kind_display()}{' — ' + decision.get_outcome_display() if decision.outcome else ''}",
            decision.decided_on,
        ),
        details=decision.summary,
        source=decision,
        # Art. 9-2 4°: a judgment or an order interrupts; the procureur's classement sans suite does
        # not, and an alternative of art. 41-1 suspends instead (art. 41-1, last alinéa).
        interrupts=not classement,
        suspends=classement and decision.outcome == Outcome.ALTERNATIVE,
    )
    deadlines_open_for(procedure=procedure, facts=decision_facts(decision), event=event, owner=user)


def decision_facts(decision: Decision) -> openings.Facts:
    return openings.Facts(
        opener="decision",
        kind=decision.kind,
        on=decision.decided_on,
        association_served_on=decision.notified_on,
        prevenu_served_on=decision.prevenu_served_on,
        prevenu_character=decision.prevenu_character,
        association_presence=decision.association_presence,
        prevenu_outside_metropole=decision.prevenu_outside_metropole,
        order_kind=decision.order_kind,
    )


def decision_waiting(decision: Decision) -> list[str]:
    """The periods of this decision that cannot run yet, said on the procedure's page."""
    return [waiting.why for waiting in openings.deadlines_opened(decision_facts(decision)).waiting]


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
    suspends_prescription=False,
    suspension_ends_on: date | None = None,
) -> Event:
    """A dated step with no record of its own; some open deadlines (the openings table)."""
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
        suspends_prescription=suspends_prescription,
        suspension_ends_on=suspension_ends_on,
    )
    if kind == EventKind.ALTERNATIVE_41_1:
        event.suspends_prescription = True
    event.full_clean()
    event.save()
    if procedure is not None:
        deadlines_open_for(procedure=procedure, facts=event_facts(event, procedure), event=event, owner=user)
    return event


def event_facts(event: Event, procedure: Procedure) -> openings.Facts:
    avis = procedure.timeline.filter(kind=EventKind.AVIS_175, occurred_on__lte=event.occurred_on).last()
    judgment = procedure.decisions.filter(
        kind=DecisionKind.JUDGMENT_CORRECTIONNEL, decided_on__lte=event.occurred_on
    ).last()
    return openings.Facts(
        opener="event",
        kind=event.kind,
        on=event.occurred_on,
        detained=procedure.suspect_detained,
        avis_175_on=avis.occurred_on if avis else None,
        declared_175=procedure.timeline.filter(kind=EventKind.DECLARATION_175).exists(),
        judgment_on=judgment.decided_on if judgment else None,
    )
