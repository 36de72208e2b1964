"""Procedures at parquets (creation, parties, dessaisissement) and referrals (saisines)."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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
from .deadlines import deadlines_open_for_many

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


def referral_deadlines_inline() -> int:
    """Past this many procedures, a referral's deadlines open in a worker, not in the request:
    16,583 deadlines (a complaint naming the whole reference case) take about a minute to write."""
    return getattr(settings, "REFERRAL_DEADLINES_INLINE", 500)


def _referral_deadlines(referral: Referral, event: Event, user) -> None:
    """Open now, or queue once the referral is committed; `referral.deadlines_queued` tells the
    page to say so."""
    referral.deadlines_queued = referral.procedures.count() > referral_deadlines_inline()
    if referral.deadlines_queued:
        from ..jobs import task_run_queue
        from ..models import TaskRunKind

        # A row first: if the message is lost, the sweeper sends it again (procedures/jobs.py).
        task_run_queue(
            kind=TaskRunKind.REFERRAL_DEADLINES,
            key=f"{referral.pk}:{event.pk}",
            arguments=[referral.pk, event.pk, user.pk],
        )
    else:
        referral_deadlines_open(referral=referral, event=event, user=user)


@transaction.atomic
def referral_deadlines_open(*, referral: Referral, event: Event, user) -> None:
    """The deadlines a referral opens in each of its procedures (complaint: art. 85 al. 2 CPP's
    three months before a PACPC…). Idempotent: run again, it writes nothing new."""
    procedures = referral.procedures.select_related("parquet", "case")
    crimes = _crime_procedure_ids(procedures)
    facts = {
        any_crime: openings.Facts(
            opener="referral",
            kind=referral.kind,
            on=referral.sent_on,
            complaint_with_procureur=referral.lodged_with
            in {ComplaintLodgedWith.PROCUREUR, ComplaintLodgedWith.POLICE_COPY_TO_PROCUREUR},
            by_the_association=referral.author_association_id == referral.case.association_id,
            any_crime=any_crime,
        )
        for any_crime in (False, True)
    }
    # Most referrals open nothing per procedure (an article 40 notice): no procedure is read then.
    if any(openings.deadlines_opened(described).opened for described in facts.values()):
        deadlines_open_for_many(
            procedures=procedures.iterator(chunk_size=2000),
            facts_of=lambda procedure: facts[procedure.pk in crimes],
            event=event,
            owner=user,
        )
    if referral.answer == ReferralAnswer.CLASSEMENT and referral.answer_received_on:
        _refusal_ends_the_wait(referral, event)


def _crime_procedure_ids(procedures) -> set[int]:
    """The procedures qualified as a crime: by their own offences, or, for those that have none
    yet, by their case's (one query for the whole set)."""
    crime = Q(offences__nature=OffenceNature.CRIME) | Q(
        offences__isnull=True, case__offences__nature=OffenceNature.CRIME
    )
    return set(procedures.filter(crime).values_list("pk", flat=True).distinct())


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
