"""Procedures at parquets (creation, parties, dessaisissement) and referrals (saisines)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Case, OffenceNature

from .. import openings
from ..models import (
    ComplaintLodgedWith,
    Deadline,
    DeadlineStatus,
    Event,
    EventKind,
    Outcome,
    Procedure,
    Referral,
    ReferralAnswer,
    ReferralKind,
)
from .base import PROCEDURE_FIELDS, REFERRAL_FIELDS, _assign, _event, _require_change, _save
from .deadlines import deadlines_open_for

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
            # Registering a procedure is not an act of art. 9-2: it interrupts nothing.
            interrupts=False,
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
    _referral_deadlines(referral, event, user)
    return referral


def _referral_deadlines(referral: Referral, event: Event, user) -> None:
    for procedure in referral.procedures.select_related("parquet", "case"):
        facts = openings.Facts(
            opener="referral",
            kind=referral.kind,
            on=referral.sent_on,
            complaint_with_procureur=referral.lodged_with
            in {ComplaintLodgedWith.PROCUREUR, ComplaintLodgedWith.POLICE_COPY_TO_PROCUREUR},
            by_the_association=referral.author_association_id == referral.case.association_id,
            any_crime=_any_crime(procedure),
        )
        deadlines_open_for(procedure=procedure, facts=facts, event=event, owner=user)
    if referral.answer == ReferralAnswer.CLASSEMENT and referral.answer_received_on:
        _refusal_ends_the_wait(referral, event)


def _refusal_ends_the_wait(referral: Referral, event: Event) -> None:
    """Art. 85 al. 2: the PACPC is admissible once the procureur has said he will not prosecute,
    if that comes before the three months: the waiting period ends on the day the answer came."""
    received = referral.answer_received_on
    reason = _(
        "Classement notifié le %(day)s : plainte avec constitution de partie civile recevable dès sa réception "
        "(art. 85 al. 2 CPP)."
    ) % {"day": f"{received:%d/%m/%Y}"}
    Deadline.objects.filter(
        trigger_event=event, rule="pacpc_after_complaint", status=DeadlineStatus.OPEN, due_on__gt=received
    ).update(due_on=received, override_reason=reason)


def _any_crime(procedure: Procedure) -> bool:
    offences = procedure.offences.all() if procedure.offences.exists() else procedure.case.offences.all()
    return offences.filter(nature=OffenceNature.CRIME).exists()


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
    event = _referral_event(referral)
    _referral_deadlines(referral, event, user)
    return referral
