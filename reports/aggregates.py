"""A dossier of a large case (DESIGN.md, « reference scale »): its procedures summarised by
parquet, its timeline reduced to the recent and major steps, its prescription one line per
offence and group of victims, and the full lists as annexes cut into chunks by keys, each chunk
reading only its own rows with `.values()` streamed by `.iterator()`: never 23,051 model
instances with their prefetches.

Victims appear by pseudonym only (the annexes never print identities, whoever asked)."""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from procedures.case_fragments import prescription_groups
from procedures.case_summary import case_parquet_rows
from procedures.models import EventKind, Outcome, Procedure, Stage
from procedures.prescription_rows import for_viewer, prescription_events, prescription_rows
from procedures.selectors import case_timeline

from .models import DossierScope, Section

STAGE_LABELS = dict(Stage.choices)
OUTCOME_LABELS = dict(Outcome.choices)
EVENT_KIND_LABELS = dict(EventKind.choices)
# Steps a lawyer looks for first in a long timeline: what a court or a party did.
MAJOR_KINDS = [
    EventKind.REFERRAL,
    EventKind.TRANSFER,
    EventKind.FILING,
    EventKind.HEARING,
    EventKind.DECISION,
    EventKind.APPEAL,
    EventKind.APPEAL_PROCUREUR_GENERAL,
    EventKind.AVIS_175,
    EventKind.DECLARATION_175,
    EventKind.REQUISITOIRE,
]
STREAM_ROWS = 500
# Lines of an annex are written as blocks of this many lines (`white-space: pre-line`): a tagged
# paragraph per block rather than per line, a quarter of the structure elements (and of the
# assembly's memory) and twice WeasyPrint's speed.
LINES_PER_BLOCK = 25


def _blocks(lines: list[str]) -> list[str]:
    return ["\n".join(lines[start : start + LINES_PER_BLOCK]) for start in range(0, len(lines), LINES_PER_BLOCK)]


def summary_above() -> tuple[int, int]:
    """Above these numbers of procedures or steps, a case dossier prints summaries in its body and
    leaves the full lists to the annexes."""
    return (
        getattr(settings, "DOSSIER_SUMMARY_PROCEDURES", 200),
        getattr(settings, "DOSSIER_SUMMARY_EVENTS", 1000),
    )


def recent_steps() -> int:
    return getattr(settings, "DOSSIER_RECENT_STEPS", 40)


def major_steps() -> int:
    return getattr(settings, "DOSSIER_MAJOR_STEPS", 120)


def is_large(case, *, procedures: int | None = None, events: int | None = None) -> bool:
    procedures_limit, events_limit = summary_above()
    procedures = Procedure.objects.filter(case=case).count() if procedures is None else procedures
    if procedures > procedures_limit:
        return True
    events = case.timeline.count() if events is None else events
    return events > events_limit


def summarised(dossier) -> bool:
    """Only a whole-case dossier can be large: a procedure's dossier is one procedure."""
    return dossier.scope == DossierScope.CASE and is_large(dossier.case)


# --- summaries of the body ------------------------------------------------------------------------


# Column headings of the by-parquet tables: short, so that one parquet holds on one line.
STAGE_COLUMNS = [
    (Stage.ENQUETE, "Enquête"),
    (Stage.INSTRUCTION, "Instruc\u00adtion"),
    (Stage.JUGEMENT, "Juge\u00adment"),
    (Stage.APPEL, "Appel"),
    (Stage.CASSATION, "Cassa\u00adtion"),
    (Stage.EXECUTION, "Exécu\u00adtion"),
]
OUTCOME_COLUMNS = [
    (Outcome.PENDING, "En cours"),
    (Outcome.CLASSEMENT, "Classe\u00adment"),
    (Outcome.ALTERNATIVE, "Alterna\u00adtive"),
    (Outcome.POURSUITES, "Pour\u00adsuites"),
    (Outcome.CONVICTION, "Condam\u00adnation"),
    (Outcome.ACQUITTAL, "Relaxe, acquit\u00adtement"),
    (Outcome.NON_LIEU, "Non-lieu"),
    (Outcome.TRANSFERRED, "Dessai\u00adsisse\u00adment"),
]


def procedures_by_parquet(dossier, block) -> dict:
    """One line per parquet: its procedures by stage and by outcome, those with a filing, open
    deadlines; two aggregate queries whatever the number of procedures."""
    case = dossier.case
    stages, outcomes = defaultdict(lambda: defaultdict(int)), defaultdict(lambda: defaultdict(int))
    for parquet_id, stage, outcome, number in (
        Procedure.objects.filter(case=case)
        .values_list("parquet_id", "stage", "outcome")
        .annotate(number=Count("pk"))
        .order_by()
    ):
        stages[parquet_id][stage] += number
        outcomes[parquet_id][outcome] += number
        stages[None][stage] += number
        outcomes[None][outcome] += number
    own = dossier.association_id == case.association_id
    rows = [
        {
            "name": row["parquet__name"],
            "procedures": row["procedures"],
            "with_filing": row["with_filing"],
            "open_deadlines": row["open_deadlines"] if own else None,
            "stages": [stages[row["parquet_id"]][key] for key, _label in STAGE_COLUMNS],
            "outcomes": [outcomes[row["parquet_id"]][key] for key, _label in OUTCOME_COLUMNS],
        }
        for row in case_parquet_rows(case)
    ]
    return {
        "summary": True,
        "parquets": rows,
        "total": sum(row["procedures"] for row in rows),
        "total_with_filing": sum(row["with_filing"] for row in rows),
        "total_stages": [stages[None][key] for key, _label in STAGE_COLUMNS],
        "total_outcomes": [outcomes[None][key] for key, _label in OUTCOME_COLUMNS],
        "stage_columns": [label for _key, label in STAGE_COLUMNS],
        "outcome_columns": [label for _key, label in OUTCOME_COLUMNS],
        "annexed": Section.ANNEX_PROCEDURES in dossier.sections,
    }


def recent_and_major_steps(dossier, block) -> dict:
    """The last steps of the case and its major ones (hearings, decisions, filings, appeals…),
    in date order; the full timeline is the annex."""
    events = case_timeline(dossier.case)
    recent = list(events.order_by("-occurred_on", "-pk").values_list("pk", flat=True)[: recent_steps()])
    major = list(
        events.filter(kind__in=MAJOR_KINDS)
        .order_by("-occurred_on", "-pk")
        .values_list("pk", flat=True)[: major_steps()]
    )
    chosen = events.filter(pk__in=set(recent) | set(major))
    years: list[dict] = []
    for event in chosen:
        if not years or years[-1]["year"] != event.occurred_on.year:
            years.append({"year": event.occurred_on.year, "continued": False, "events": []})
        event.kind_label = EVENT_KIND_LABELS.get(event.kind, event.kind)
        event.parquet_name = event.procedure.parquet.name if event.procedure_id else ""
        years[-1]["events"].append(event)
    return {
        "summary": True,
        "years": years,
        "total": dossier.case.timeline.count(),
        "recent": recent_steps(),
        "annexed": Section.ANNEX_TIMELINE in dossier.sections,
    }


def prescription_summary(dossier, block) -> dict:
    """One line per offence and group of victims with the earliest date, as on the case page;
    a dossier without real identities never prints a date counted from a victim's majority."""
    case = dossier.case
    offences = list(case.offences.order_by("article", "label"))
    rows = prescription_rows(
        case,
        victims=list(case.victims.all()),
        offences=offences,
        today=timezone.localdate(),
        timeline=list(prescription_events(case.timeline.all())),
    )
    rows = for_viewer(rows, can_reveal_identity=dossier.reveal_identities)
    return {"groups": prescription_groups(rows)}


# --- annexes: the full lists, sliced by keys ------------------------------------------------------


def annex_procedure_keys(case) -> list[tuple[int, int]]:
    """(pk, parquet id) of every procedure, in the annex's order: by parquet, then number."""
    return list(
        Procedure.objects.filter(case=case)
        .order_by("parquet__name", "parquet_reference", "pk")
        .values_list("pk", "parquet_id")
        .iterator(chunk_size=5000)
    )


def annex_procedures(dossier, block) -> dict:
    """The procedures of one slice (`ids`), grouped by parquet; a parquet cut by the previous
    slice is headed « (suite) »."""
    ids = block.get("ids") or []
    if not ids:
        return {"parquets": []}
    victims = defaultdict(list)
    for procedure_id, pseudonym in (
        Procedure.victims.through.objects.filter(procedure_id__in=ids)
        .order_by("victim__pseudonym")
        .values_list("procedure_id", "victim__pseudonym")
        .iterator(chunk_size=STREAM_ROWS)
    ):
        victims[procedure_id].append(pseudonym)
    articles = defaultdict(list)
    for procedure_id, article in (
        Procedure.offences.through.objects.filter(procedure_id__in=ids)
        .order_by("offence__article")
        .values_list("procedure_id", "offence__article")
        .iterator(chunk_size=STREAM_ROWS)
    ):
        articles[procedure_id].append(article)
    parquets: list[dict] = []
    rows = (
        Procedure.objects.filter(pk__in=ids)
        .order_by("parquet__name", "parquet_reference", "pk")
        .values_list("pk", "parquet_id", "parquet__name", "parquet_reference", "opened_on", "stage", "outcome")
        .iterator(chunk_size=STREAM_ROWS)
    )
    for pk, parquet_id, name, number, opened_on, stage, outcome in rows:
        if not parquets or parquets[-1]["id"] != parquet_id:
            continued = not parquets and block.get("previous_parquet") == parquet_id
            parquets.append({"id": parquet_id, "name": name, "continued": continued, "lines": []})
        line = f"{number} · {opened_on:%d/%m/%Y} · {STAGE_LABELS.get(stage, stage).lower()} · {OUTCOME_LABELS.get(outcome, outcome).lower()}"
        if victims.get(pk):
            line += " · " + ", ".join(victims[pk])
        if articles.get(pk):
            line += " · art. " + ", ".join(articles[pk])
        parquets[-1]["lines"].append(line)
    for parquet in parquets:
        parquet["blocks"] = _blocks(parquet.pop("lines"))
    return {"parquets": parquets}


def timeline_slice(events, block):
    after, upto = block.get("after"), block.get("upto")
    if after:
        day, pk = date.fromisoformat(after[0]), after[1]
        events = events.filter(Q(occurred_on__gt=day) | Q(occurred_on=day, pk__gt=pk))
    if upto:
        day, pk = date.fromisoformat(upto[0]), upto[1]
        events = events.filter(Q(occurred_on__lt=day) | Q(occurred_on=day, pk__lte=pk))
    return events


def annex_timeline(dossier, block) -> dict:
    """Every step of one slice of the timeline, one line each, grouped by year."""
    if block.get("empty"):
        return {"years": []}
    events = (
        timeline_slice(dossier.case.timeline.order_by("occurred_on", "pk"), block)
        .values_list("occurred_on", "kind", "title", "procedure__parquet__name", "interrupts_prescription")
        .iterator(chunk_size=STREAM_ROWS)
    )
    previous_year = date.fromisoformat(block["after"][0]).year if block.get("after") else None
    years: list[dict] = []
    for occurred_on, kind, title, parquet, interrupts in events:
        if not years or years[-1]["year"] != occurred_on.year:
            years.append(
                {"year": occurred_on.year, "continued": occurred_on.year == previous_year and not years, "lines": []}
            )
        line = f"{occurred_on:%d/%m/%Y} · {EVENT_KIND_LABELS.get(kind, kind)} — {title}"
        # The title of an opening already names its parquet.
        if parquet and parquet not in title:
            line += f" ({parquet})"
        if interrupts:
            line += " — interruptif de prescription"
        years[-1]["lines"].append(line)
    for year in years:
        year["blocks"] = _blocks(year.pop("lines"))
    return {"years": years}
