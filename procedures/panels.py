"""What procedures adds to the pages of `cases` (listed in settings.HOME_PANELS and
CASE_PAGE_SECTIONS, see cases/panels.py): the lawyer's « Mes délais » panel and the case page's
procedures, referrals, timeline, deadlines and prescription sections."""

from datetime import date

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import CaseShare, Permission, ShareAccess
from cases.pagination import DeferredJoinPaginator

from .models import DeadlineStatus, Procedure
from .prescription_rows import PRESCRIPTION_WARNING_MONTHS, for_viewer, prescription_rows
from .selectors import case_timeline, deadline_list_for_user, hearing_list_upcoming

PANEL_LIMIT = 15
CASE_DEADLINES_LIMIT = 50
# Staff print the dossiers a hearing needs: a month ahead leaves time to ask for missing pieces.
HEARINGS_DAYS_AHEAD = 30
UNFINISHED = {DeadlineStatus.OPEN, DeadlineStatus.MISSED}


def mark_overdue(deadlines, today: date) -> list:
    """The deadlines as a list, each with `.overdue` (its last day has passed and it is not done)
    and `.days_label` (« J-5 », « dépassé de 3 jours »)."""
    deadlines = list(deadlines)
    for deadline in deadlines:
        deadline.overdue = deadline.status in UNFINISHED and deadline.due_on < today
        deadline.days_label = deadline.countdown(today)
    return deadlines


def paginate_deadlines(deadlines, number, per_page: int):
    """A page of deadlines at the reference scale: the ordering and LIMIT run on narrow rows (ids),
    then only the page's rows are read with their explanation. Sorting 23,051 full rows (each with
    its JSON computation) to keep 50 took ~0.4 s; three constant queries instead."""
    return DeferredJoinPaginator(deadlines, per_page).get_page(number)


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


def procedure_chain(procedure) -> list[Procedure]:
    """The chain of one procedure (oldest parquet first) in two queries whatever the size of its
    case: a recursive walk of `transferred_from` in both directions, then the links themselves."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE up(id, transferred_from_id) AS (
                SELECT id, transferred_from_id FROM procedures_procedure WHERE id = %(pk)s
                UNION
                SELECT p.id, p.transferred_from_id FROM procedures_procedure p JOIN up ON p.id = up.transferred_from_id
            ), down(id) AS (
                SELECT id FROM procedures_procedure WHERE id = %(pk)s
                UNION
                SELECT p.id FROM procedures_procedure p JOIN down ON p.transferred_from_id = down.id
            )
            SELECT id FROM up UNION SELECT id FROM down
            """,
            {"pk": procedure.pk},
        )
        ids = [row[0] for row in cursor.fetchall()]
    links = list(Procedure.objects.filter(pk__in=ids, case_id=procedure.case_id).select_related("parquet"))
    return parquet_chains(links)[procedure.pk]


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
    shown = hearings[:PANEL_LIMIT]
    for hearing, printable in zip(shown, _printable(membership, shown), strict=True):
        hearing.printable = printable
    return render_to_string(
        "procedures/_upcoming_hearings_panel.html",
        {"hearings": shown, "has_more": len(hearings) > PANEL_LIMIT, "days": HEARINGS_DAYS_AHEAD},
        request=request,
    )


def _printable(membership, hearings) -> list[bool]:
    """Whether the member may print each hearing's dossier (the rule of case_access: the
    association's own cases with the print right, or a share that allows printing), in one query."""
    if not hearings or not membership.has_permission(Permission.PRINT_DOSSIERS):
        return [False] * len(hearings)
    shared = set(
        CaseShare.objects.active()
        .filter(association_id=membership.association_id, access=ShareAccess.READ_PRINT)
        .filter(case_id__in={hearing.procedure.case_id for hearing in hearings})
        .values_list("case_id", flat=True)
    )
    return [
        hearing.procedure.case.association_id == membership.association_id or hearing.procedure.case_id in shared
        for hearing in hearings
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
    # The soonest only: after decisions a 23,051-procedure case holds as many open deadlines; the
    # whole list is paginated in « Mes délais » and the team view.
    unfinished = case.deadlines.own().filter(status__in=UNFINISHED)
    deadlines = (
        []
        if access.via_share
        else mark_overdue(
            unfinished.select_related("procedure__parquet", "owner").order_by("due_on", "pk")[:CASE_DEADLINES_LIMIT],
            today,
        )
    )
    deadlines_total = unfinished.count() if len(deadlines) == CASE_DEADLINES_LIMIT else len(deadlines)
    other_deadlines = (
        []
        if access.via_share
        else list(
            case.deadlines.others()
            .filter(status=DeadlineStatus.OPEN, due_on__gte=today)
            .select_related("procedure__parquet")
            .order_by("due_on", "pk")[:PANEL_LIMIT]
        )
    )
    rows = for_viewer(
        prescription_rows(
            case,
            victims=list(case.victims.all()),
            offences=list(case.offences.order_by("article", "label")),
            today=today,
            timeline=timeline,
        ),
        can_reveal_identity=access.can_reveal_identity,
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
            "deadlines_total": deadlines_total,
            "other_deadlines": other_deadlines,
            "prescription_rows": rows,
            "warning_months": PRESCRIPTION_WARNING_MONTHS,
        },
        request=request,
    )
