"""Reads for procedures, always through the case's tenancy (cases.selectors.case_access)."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404

from cases.models import Association, Case, Membership, Role
from cases.selectors import access_require, case_get, case_queryset_for_user, viewing_association_ids

from . import eligibility as eligibility_engine
from .models import (
    Deadline,
    DeadlineStatus,
    Decision,
    Event,
    Filing,
    Hearing,
    HearingStatus,
    ImportJob,
    Procedure,
    Referral,
)


def procedure_get(user, procedure_id, *, require: str = "view", association_id=None) -> tuple[Procedure, object]:
    """404 when the user may not see the procedure's case; 403 when they lack the right asked for."""
    try:
        procedure = Procedure.objects.select_related(
            "case__association", "parquet__court_of_appeal", "transferred_from"
        ).get(pk=procedure_id)
    except (Procedure.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return procedure, access_require(user, procedure.case, require=require, association_id=association_id)


def import_job_get(user, job_id, *, association_id=None) -> tuple[ImportJob, Case]:
    """An import job, once its case says the user may change it (404 outsider, 403 staff)."""
    try:
        job = ImportJob.objects.get(pk=job_id)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    case, _access = case_get(user, job.case_id, require="change", association_id=association_id)
    job.case = case
    return job, case


def procedure_list(user, *, association_id=None) -> QuerySet[Procedure]:
    cases = case_queryset_for_user(user, association_id=association_id)
    return Procedure.objects.filter(case__in=cases).select_related("parquet", "case")


def referral_list(user, *, association_id=None) -> QuerySet[Referral]:
    """Referrals of the cases the user sees (own and shared)."""
    return Referral.objects.filter(case__in=case_queryset_for_user(user, association_id=association_id))


def filing_list_for_user(user, *, association_id=None) -> QuerySet[Filing]:
    return Filing.objects.filter(
        procedure__case__in=case_queryset_for_user(user, association_id=association_id)
    ).select_related("procedure", "association")


def hearing_list(user, *, association_id=None) -> QuerySet[Hearing]:
    return Hearing.objects.filter(
        procedure__case__in=case_queryset_for_user(user, association_id=association_id)
    ).select_related("procedure")


def decision_list(user, *, association_id=None) -> QuerySet[Decision]:
    return Decision.objects.filter(
        procedure__case__in=case_queryset_for_user(user, association_id=association_id)
    ).select_related("procedure")


def event_list(user, *, association_id=None) -> QuerySet[Event]:
    return Event.objects.filter(case__in=case_queryset_for_user(user, association_id=association_id)).select_related(
        "procedure__parquet"
    )


def deadline_list_visible(user, *, association_id=None) -> QuerySet[Deadline]:
    """Every deadline of the associations whose cases the user reads, whoever owns it. Deadlines
    are the lead association's work: a case shared with the user does not bring its deadlines."""
    return Deadline.objects.filter(
        association_id__in=viewing_association_ids(user, association_id=association_id)
    ).select_related("case")


def deadlines_opened_by(user, decision_ids, *, association_id=None) -> QuerySet[Deadline]:
    """The deadlines the given decisions opened, for the associations whose cases the user reads."""
    return Deadline.objects.filter(
        trigger_event__source_model=Decision._meta.model_name,
        trigger_event__source_id__in=list(decision_ids),
        association_id__in=viewing_association_ids(user, association_id=association_id),
    ).select_related("case", "trigger_event")


# Single records for the pages: each is found, then its case decides (404 outside, 403 without the right).


def _parent_id(queryset, field: str, record_id):
    try:
        return queryset.values_list(field, flat=True).get(pk=record_id)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def filing_get(user, filing_id, *, require: str = "view", association_id=None) -> tuple[Filing, object]:
    procedure_id = _parent_id(Filing.objects, "procedure_id", filing_id)
    procedure, access = procedure_get(user, procedure_id, require=require, association_id=association_id)
    return procedure.filings.select_related("association").get(pk=filing_id), access


def hearing_get(user, hearing_id, *, require: str = "view", association_id=None) -> tuple[Hearing, object]:
    procedure_id = _parent_id(Hearing.objects, "procedure_id", hearing_id)
    procedure, access = procedure_get(user, procedure_id, require=require, association_id=association_id)
    hearing = procedure.hearings.get(pk=hearing_id)
    hearing.procedure = procedure
    return hearing, access


def decision_get(user, decision_id, *, require: str = "view", association_id=None) -> tuple[Decision, object]:
    procedure_id = _parent_id(Decision.objects, "procedure_id", decision_id)
    procedure, access = procedure_get(user, procedure_id, require=require, association_id=association_id)
    decision = procedure.decisions.get(pk=decision_id)
    decision.procedure = procedure
    return decision, access


def referral_get(user, referral_id, *, require: str = "view", association_id=None) -> tuple[Referral, object]:
    case_id = _parent_id(Referral.objects, "case_id", referral_id)
    case, access = case_get(user, case_id, require=require, association_id=association_id)
    referral = case.referrals.get(pk=referral_id)
    referral.case = case
    return referral, access


def deadline_get(user, deadline_id, *, require: str = "view", association_id=None) -> tuple[Deadline, object]:
    case_id = _parent_id(Deadline.objects, "case_id", deadline_id)
    case, access = case_get(user, case_id, require=require, association_id=association_id)
    deadline = case.deadlines.select_related("procedure__parquet").get(pk=deadline_id)
    deadline.case = case
    return deadline, access


def hearing_list_upcoming(user, *, association_id=None, now, days: int) -> QuerySet[Hearing]:
    """The scheduled hearings of the cases the user can see, from now to `days` ahead, soonest first."""
    return (
        Hearing.objects.filter(
            procedure__case__in=case_queryset_for_user(user, association_id=association_id),
            status=HearingStatus.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=days),
        )
        .select_related("procedure__case", "procedure__parquet")
        .order_by("starts_at", "pk")
    )


def case_timeline(case: Case) -> QuerySet[Event]:
    """Every dated step of a case across all its procedures, in order: one query."""
    return case.timeline.select_related("procedure__parquet").order_by("occurred_on", "pk")


def procedure_timeline(procedure: Procedure) -> QuerySet[Event]:
    return procedure.timeline.order_by("occurred_on", "pk")


def deadline_list_for_user(user, *, association_id=None, include_closed: bool = False) -> QuerySet[Deadline]:
    """'Mes délais': the deadlines the user owns in the cases they can see, soonest first."""
    # Only the association's own deadlines: another party's period (the prévenu's opposition, the
    # procureur général's appeal) is information on the timeline, never a task (art. 489-492, 505).
    deadlines = Deadline.objects.own().filter(
        owner=user, case__in=case_queryset_for_user(user, association_id=association_id)
    )
    if not include_closed:
        deadlines = deadlines.filter(status__in=[DeadlineStatus.OPEN, DeadlineStatus.MISSED])
    return deadlines.select_related("case", "procedure__parquet").order_by("due_on", "pk")


def deadlines_due(today: date, *, days_ahead: int) -> QuerySet[Deadline]:
    return (
        Deadline.objects.own().open().filter(due_on=today + timedelta(days=days_ahead)).select_related("case", "owner")
    )


def association_facts(association: Association) -> eligibility_engine.AssociationFacts:
    return eligibility_engine.AssociationFacts(
        purposes=frozenset(association.purposes),
        declared_on=association.declared_on,
        public_utility=association.public_utility,
        ministry_approved=association.ministry_approved,
    )


def procedure_facts(procedure: Procedure) -> eligibility_engine.ProcedureFacts:
    case = procedure.case
    victims = list(procedure.victims.all()) or list(case.victims.all())
    offences = list(procedure.offences.all()) or list(case.offences.all())
    return eligibility_engine.ProcedureFacts(
        facts_date=case.facts_start,
        public_action_started=procedure.public_action_started,
        offences=[
            eligibility_engine.OffenceFacts(article=offence.article)
            for offence in offences
            if offence.code == "Code pénal"
        ],
        victims=[
            eligibility_engine.VictimFacts(
                minor_at_facts=victim.minor_at_facts, consent=bool(victim.consent_given_on), deceased=victim.deceased
            )
            for victim in victims
        ],
    )


def filing_eligibility(association: Association, procedure: Procedure) -> eligibility_engine.Eligibility:
    """Which CPP article lets this association file in this procedure, condition by condition."""
    return eligibility_engine.evaluate(association_facts(association), procedure_facts(procedure))


def filing_list(procedure: Procedure) -> QuerySet[Filing]:
    return procedure.filings.select_related("association")


def deadline_team_list(*, association_id: int, owner_id=None) -> QuerySet[Deadline]:
    """The association's unfinished own deadlines across all its cases, whoever owns them: the team
    view. Soonest first, so the overdue come first. The caller has checked the membership."""
    deadlines = Deadline.objects.own().filter(
        association_id=association_id, status__in=[DeadlineStatus.OPEN, DeadlineStatus.MISSED]
    )
    if owner_id == "none":
        deadlines = deadlines.filter(owner__isnull=True)
    elif owner_id:
        deadlines = deadlines.filter(owner_id=owner_id)
    return deadlines.select_related("case", "procedure__parquet", "owner").order_by("due_on", "pk")


def deadline_team_owners(*, association_id: int):
    """The lawyers a deadline may be given to: active lawyer members of the association."""
    lawyer_ids = Membership.objects.filter(association_id=association_id, role=Role.LAWYER).values("user_id")
    return get_user_model().objects.filter(pk__in=lawyer_ids, is_active=True).order_by("last_name", "username")
