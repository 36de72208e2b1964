"""The case page as a summary (DESIGN.md, « reference scale »): counts, a by-parquet table
aggregated in SQL, the next deadlines and hearings, the last steps, and links to the paginated
lists loaded on demand (procedures/case_fragments.py). A constant number of queries, whatever the
number of procedures: never a row per procedure, victim or step."""

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import DeadlineStatus, Event, Hearing, Procedure
from .panels import UNFINISHED, mark_overdue

SUMMARY_LIMIT = 10


def case_counts(case, *, via_share: bool) -> dict:
    procedures = Procedure.objects.filter(case=case).aggregate(
        procedures=Count("pk"), with_filing=Count("pk", filter=Q(filings__isnull=False), distinct=True)
    )
    victims = case.victims.aggregate(victims=Count("pk"), minors=Count("pk", filter=Q(minor_at_facts=True)))
    return {
        **procedures,
        **victims,
        "suspects": case.suspects.count(),
        "open_deadlines": None if via_share else case.deadlines.own().filter(status__in=UNFINISHED).count(),
    }


def case_parquet_rows(case) -> list[dict]:
    """One row per parquet: its procedures, those with a civil-party filing, open deadlines."""
    return list(
        Procedure.objects.filter(case=case)
        .values("parquet_id", "parquet__name")
        .annotate(
            procedures=Count("pk", distinct=True),
            with_filing=Count("pk", filter=Q(filings__isnull=False), distinct=True),
            open_deadlines=Count("deadlines", filter=Q(deadlines__status=DeadlineStatus.OPEN), distinct=True),
        )
        .order_by("-procedures", "parquet__name")
    )


def case_summary_section(request, case, access) -> str:
    today = timezone.localdate()
    deadlines = (
        []
        if access.via_share
        else mark_overdue(
            case.deadlines.own()
            .filter(status__in=UNFINISHED)
            .select_related("procedure__parquet", "owner")
            .order_by("due_on", "pk")[:SUMMARY_LIMIT],
            today,
        )
    )
    hearings = list(
        Hearing.objects.filter(procedure__case=case, starts_at__gte=timezone.now())
        .select_related("procedure__parquet")
        .order_by("starts_at", "pk")[:SUMMARY_LIMIT]
    )
    events = list(
        Event.objects.filter(case=case)
        .select_related("procedure__parquet")
        .order_by("-occurred_on", "-pk")[:SUMMARY_LIMIT]
    )
    return render_to_string(
        "procedures/_case_summary.html",
        {
            "case": case,
            "access": access,
            "counts": case_counts(case, via_share=access.via_share),
            "parquet_rows": case_parquet_rows(case),
            "deadlines": deadlines,
            "hearings": hearings,
            "events": events,
            "referrals_count": case.referrals.count(),
            "procedure_list_url": _procedure_list_url(case),
        },
        request=request,
    )


def _procedure_list_url(case) -> str | None:
    """The case's procedure list (filters, sort, search) is its own page, named
    `case_procedure_list`; until it exists the summary links to the exports."""
    try:
        return reverse("case_procedure_list", args=[case.pk])
    except NoReverseMatch:
        return None
