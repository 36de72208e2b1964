"""What procedures adds to the pages of `cases` (listed in settings.HOME_PANELS and
CASE_PAGE_SECTIONS, see cases/panels.py): the lawyer's « Mes délais » panel and the case page's
procedures, referrals, timeline, deadlines and prescription sections."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import Offence, Victim

from .eligibility import add_years
from .models import DeadlineStatus, Procedure
from .prescription import PrescriptionResult, is_prescribed, majority_date, prescription_date, warning_due
from .selectors import case_timeline, deadline_list_for_user, hearing_list_upcoming

PANEL_LIMIT = 15
# Staff print the dossiers a hearing needs: a month ahead leaves time to ask for missing pieces.
HEARINGS_DAYS_AHEAD = 30
PRESCRIPTION_WARNING_MONTHS = 6
UNFINISHED = {DeadlineStatus.OPEN, DeadlineStatus.MISSED}


def mark_overdue(deadlines, today: date) -> list:
    """The deadlines as a list, each with `.overdue`: its last day has passed and it is not done."""
    deadlines = list(deadlines)
    for deadline in deadlines:
        deadline.overdue = deadline.status in UNFINISHED and deadline.due_on < today
    return deadlines


def parquet_chains(procedures) -> dict[int, list[Procedure]]:
    """For each procedure, the whole chain of parquets it belongs to (dessaisissements), oldest
    first, built from procedures already loaded: no query per link."""
    by_pk = {procedure.pk: procedure for procedure in procedures}
    successor = {p.transferred_from_id: p for p in procedures if p.transferred_from_id in by_pk}
    chains = {}
    for procedure in procedures:
        first, seen = procedure, {procedure.pk}
        while first.transferred_from_id in by_pk and first.transferred_from_id not in seen:
            first = by_pk[first.transferred_from_id]
            seen.add(first.pk)
        chain, current = [], first
        while current is not None and current not in chain:
            chain.append(current)
            current = successor.get(current.pk)
        chains[procedure.pk] = chain
    return chains


# --- « Mes délais » on the lawyer's home page ---------------------------------------------------


def my_deadlines_panel(request, membership) -> str:
    deadlines = deadline_list_for_user(request.user, association_id=membership.association_id)
    shown = mark_overdue(deadlines[: PANEL_LIMIT + 1], timezone.localdate())
    return render_to_string(
        "procedures/_my_deadlines_panel.html",
        {"deadlines": shown[:PANEL_LIMIT], "has_more": len(shown) > PANEL_LIMIT},
        request=request,
    )


def upcoming_hearings_panel(request, membership) -> str:
    hearings = list(
        hearing_list_upcoming(
            request.user, association_id=membership.association_id, now=timezone.now(), days=HEARINGS_DAYS_AHEAD
        )[: PANEL_LIMIT + 1]
    )
    return render_to_string(
        "procedures/_upcoming_hearings_panel.html",
        {"hearings": hearings[:PANEL_LIMIT], "has_more": len(hearings) > PANEL_LIMIT, "days": HEARINGS_DAYS_AHEAD},
        request=request,
    )


# --- Prescription of the public action ----------------------------------------------------------


@dataclass(frozen=True)
class PrescriptionRow:
    victim: Victim | None
    offence: Offence
    facts_date: date | None
    result: PrescriptionResult | None
    explanation: str
    warning: bool
    prescribed: bool
    birth_date_estimated: bool = False


def _birth_date_for_computation(victim: Victim | None, facts_date: date) -> tuple[date | None, bool]:
    """The birth date the rules need (minors: art. 7 and 8 count from the majority), or, when only
    the age at the facts is known, the earliest birth date that age allows: the earliest majority,
    so the earliest prescription date, which is the safe side for a warning."""
    if victim is None:
        return None, False
    if victim.birth_date:
        return victim.birth_date, False
    if victim.age_at_facts is not None:
        return add_years(facts_date, -(victim.age_at_facts + 1)) + timedelta(days=1), True
    return None, False


def _hide_birth_date(explanation: str, birth_date: date | None) -> str:
    """The explanation names the majority date, which gives away the birth date (identity, loi de
    1881 art. 39 bis): keep only that it counts from the majority."""
    if birth_date is None:
        return explanation
    majority = majority_date(birth_date)
    return explanation.replace(
        f"Point de départ : {majority:%d/%m/%Y} (majorité de la victime).", "Point de départ : majorité de la victime."
    )


def prescription_row(
    *, victim: Victim | None, offence: Offence, case_facts_start: date | None, interruptions, today: date
) -> PrescriptionRow:
    facts_date = (victim.facts_date if victim else None) or case_facts_start
    if facts_date is None:
        return PrescriptionRow(
            victim, offence, None, None, "Date des faits inconnue : calcul impossible.", False, False
        )
    birth_date, estimated = _birth_date_for_computation(victim, facts_date)
    try:
        result = prescription_date(
            nature=offence.nature,
            facts_date=facts_date,
            victim_birth_date=birth_date,
            article=offence.article if offence.code == "Code pénal" else None,
            # An act before the facts cannot interrupt them (a step about other facts of the case).
            interruptions=[day for day in interruptions if day >= facts_date],
        )
    except ValueError as error:
        return PrescriptionRow(victim, offence, facts_date, None, str(error), False, False)
    explanation = _hide_birth_date(result.explanation_fr, birth_date)
    if estimated and facts_date < majority_date(birth_date):
        explanation += " Date de naissance inconnue : majorité estimée au plus tôt d'après l'âge aux faits."
    return PrescriptionRow(
        victim=victim,
        offence=offence,
        facts_date=facts_date,
        result=result,
        explanation=explanation,
        warning=warning_due(result, today, months=PRESCRIPTION_WARNING_MONTHS),
        prescribed=is_prescribed(result, today),
        birth_date_estimated=estimated,
    )


def prescription_rows(case, *, victims, offences, interruptions, today: date) -> list[PrescriptionRow]:
    """One row per victim and offence of the case (per offence alone when no victim is recorded)."""
    return [
        prescription_row(
            victim=victim, offence=offence, case_facts_start=case.facts_start, interruptions=interruptions, today=today
        )
        for victim in (victims or [None])
        for offence in offences
    ]


# --- The case page's sections -------------------------------------------------------------------


def case_procedures_section(request, case, access) -> str:
    today = timezone.localdate()
    procedures = list(case.procedures.select_related("parquet", "parquet__court_of_appeal").order_by("opened_on", "pk"))
    chains = parquet_chains(procedures)
    for procedure in procedures:
        procedure.chain = chains[procedure.pk]
    referrals = list(
        case.referrals.select_related("recipient_parquet__court_of_appeal", "author_association")
        .prefetch_related("procedures__parquet")
        .order_by("sent_on", "pk")
    )
    timeline = list(case_timeline(case))
    # Deadlines are the lead association's own work: a case shared read-only does not show them.
    deadlines = (
        []
        if access.via_share
        else mark_overdue(
            case.deadlines.filter(status__in=UNFINISHED).select_related("procedure__parquet", "owner"), today
        )
    )
    rows = prescription_rows(
        case,
        victims=list(case.victims.all()),
        offences=list(case.offences.order_by("article", "label")),
        interruptions=[event.occurred_on for event in timeline if event.interrupts_prescription],
        today=today,
    )
    return render_to_string(
        "procedures/_case_section.html",
        {
            "case": case,
            "access": access,
            "procedures": procedures,
            "referrals": referrals,
            "timeline": timeline,
            "deadlines": deadlines,
            "prescription_rows": rows,
            "warning_months": PRESCRIPTION_WARNING_MONTHS,
        },
        request=request,
    )
