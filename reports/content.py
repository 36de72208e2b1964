"""What a dossier says: the data of each section, read from `cases` and `procedures`, and the HTML
of each piece (templates under templates/reports/pdf/). User text always goes through the
templates' autoescaping: a title containing markup prints as text.

Victims appear by pseudonym only, unless the dossier was asked with real identities by a lawyer
of the lead association (loi du 29 juillet 1881, art. 39 bis): the templates receive plain dicts
built here, never Victim objects, so no template can print an identity by mistake."""

from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone, translation

from cases.models import Exhibit
from procedures.models import (
    Deadline,
    DeadlineStatus,
    Decision,
    EventKind,
    Filing,
    Hearing,
    Referral,
)
from procedures.panels import parquet_chains
from procedures.selectors import case_timeline

from . import aggregates
from .models import Dossier, DossierScope, Section, ordered_sections

# Sections that may be cut into slices rendered apart (several workers), with the weight of one
# of their rows: an annex line costs WeasyPrint about a fifth of a timeline paragraph.
SPLITTABLE = {Section.TIMELINE: 1, Section.BORDEREAU: 1, Section.ANNEX_PROCEDURES: 0.2, Section.ANNEX_TIMELINE: 0.2}
# Sections that are not HTML pages of the body.
NOT_IN_BODY = {Section.COVER, Section.EXHIBITS}
EVENT_KIND_LABELS = dict(EventKind.choices)


def section_label(key: str) -> str:
    """The heading a section has in the dossier (and in its table of contents)."""
    return {
        Section.SUMMARY: "Résumé de l’affaire",
        Section.PARTIES: "Parties",
        Section.PROCEDURES: "Procédures et parquets successifs",
        Section.TIMELINE: "Chronologie",
        Section.REFERRALS: "Saisines et signalements",
        Section.FILINGS: "Constitutions de partie civile",
        Section.HEARINGS: "Audiences et décisions",
        Section.DEADLINES: "Délais en cours",
        Section.PRESCRIPTION: "Prescription de l’action publique",
        Section.BORDEREAU: "Bordereau des pièces",
        Section.ANNEX_PROCEDURES: "Annexe 1 — Liste des procédures",
        Section.ANNEX_TIMELINE: "Annexe 2 — Chronologie complète",
        Section.EXHIBITS: "Pièces",
        Section.COVER: "Page de garde",
    }[key]


def issued_on(dossier: Dossier) -> date:
    """The day printed in « Remis à … le … »: the day the dossier was asked for, in Paris."""
    return timezone.localdate(dossier.created_at)


def common_context(dossier: Dossier) -> dict:
    case = dossier.case
    return {
        "dossier": dossier,
        "case": case,
        "association": dossier.association,
        "recipient": dossier.recipient,
        "issued_on": issued_on(dossier),
        "reveal": dossier.reveal_identities,
        "via_share": dossier.association_id != case.association_id,
        "scope": dossier.scope,
        "scoped_procedure": dossier.procedure if dossier.scope != DossierScope.CASE else None,
        "focus_hearing": dossier.hearing if dossier.scope == DossierScope.HEARING else None,
    }


def scoped(dossier: Dossier, queryset, field: str = "procedure"):
    """Rows of one procedure for a procedure or hearing dossier; every row of the case otherwise."""
    if dossier.scope == DossierScope.CASE:
        return queryset
    return queryset.filter(**{f"{field}_id": dossier.procedure_id})


def _render(template: str, context: dict) -> str:
    with translation.override("fr"):
        return render_to_string(template, context)


# --- planning: which rows go in which piece --------------------------------------------------------


def _timeline_keys(case) -> list[tuple[str, int]]:
    return [
        (day.isoformat(), pk)
        for day, pk in case.timeline.order_by("occurred_on", "pk").values_list("occurred_on", "pk")
    ]


def _weights(dossier: Dossier, sections: list[str], *, large: bool) -> dict[str, int]:
    case = dossier.case
    counters = {
        Section.SUMMARY: lambda: 15,
        Section.PARTIES: lambda: case.victims.count() + case.suspects.count() + 2,
        Section.PROCEDURES: lambda: (
            2 * case.procedures.values("parquet").distinct().count() + 10
            if large
            else 4 * _procedures_of(dossier).count() + 1
        ),
        Section.TIMELINE: lambda: aggregates.recent_steps() + aggregates.major_steps(),
        Section.PRESCRIPTION: lambda: 4 * case.offences.count() + 10,
        Section.REFERRALS: lambda: 3 * case.referrals.count() + 1,
        Section.FILINGS: lambda: 4 * scoped(dossier, Filing.objects.filter(procedure__case=case)).count() + 1,
        Section.HEARINGS: lambda: (
            scoped(dossier, Hearing.objects.filter(procedure__case=case)).count()
            + 2 * scoped(dossier, Decision.objects.filter(procedure__case=case)).count()
            + 1
        ),
        Section.DEADLINES: lambda: scoped(dossier, case.deadlines.own().filter(status=DeadlineStatus.OPEN)).count() + 1,
    }
    return {key: counters[key]() for key in sections if key in counters}


def plan_parts(dossier: Dossier, *, rows_per_part: int) -> list[dict]:
    """Cut the body of the dossier into pieces of about `rows_per_part` rows. A long timeline or
    bordereau is sliced by key ranges (date and id of the events, numbers of the exhibits), so
    each piece reads exactly its rows even if rows are added meanwhile."""
    body = [key for key in ordered_sections(dossier.sections) if key not in NOT_IN_BODY]
    # A large case prints summaries of its procedures and timeline; its full lists are annexes.
    large = aggregates.summarised(dossier)
    weights = _weights(dossier, body, large=large)
    parts: list[dict] = []
    current: list[dict] = []
    weight = 0

    def flush():
        nonlocal current, weight
        if current:
            parts.append({"blocks": current, "weight": max(weight, 1)})
        current, weight = [], 0

    for key in body:
        summary = large and key in {Section.PROCEDURES, Section.TIMELINE}
        if key not in SPLITTABLE or summary:
            if current and weight + weights[key] > rows_per_part:
                flush()
            current.append({"section": key, "summary": True} if summary else {"section": key})
            weight += weights[key]
            continue
        keys = _slice_keys(dossier, key)
        if not keys:
            current.append({"section": key, "empty": True})
            weight += 1
            continue
        cost = SPLITTABLE[key]
        start = 0
        while start < len(keys):
            room = rows_per_part - weight
            if current and room < max(1, rows_per_part // 5):
                flush()
                room = rows_per_part
            piece = keys[start : start + max(1, int(room / cost))]
            block = {"section": key, "continued": start > 0}
            if key in (Section.TIMELINE, Section.ANNEX_TIMELINE):
                block["after"] = list(keys[start - 1]) if start else None
                block["upto"] = list(piece[-1])
            elif key == Section.ANNEX_PROCEDURES:
                block["ids"] = [pk for pk, _parquet in piece]
                block["previous_parquet"] = keys[start - 1][1] if start else None
            else:
                block["first"], block["last"] = piece[0], piece[-1]
            current.append(block)
            weight += max(1, round(len(piece) * cost))
            start += len(piece)
            if weight >= rows_per_part:
                flush()
    flush()
    return parts


def _slice_keys(dossier: Dossier, key: str) -> list:
    if key in (Section.TIMELINE, Section.ANNEX_TIMELINE):
        return _timeline_keys(dossier.case)
    if key == Section.ANNEX_PROCEDURES:
        return aggregates.annex_procedure_keys(dossier.case)
    return list(dossier.case.exhibits.order_by("number").values_list("number", flat=True))


# --- the sections' data ---------------------------------------------------------------------------


def _summary(dossier, block):
    case = dossier.case
    return {"offences": list(case.offences.order_by("article", "label"))}


def _victim_row(victim, reveal: bool) -> dict:
    row = {
        "pseudonym": victim.pseudonym,
        "age_at_facts": victim.age_at_facts,
        "minor_at_facts": victim.minor_at_facts,
        "deceased": victim.deceased,
        "consent_given_on": victim.consent_given_on,
        "consent_by": victim.get_consent_by_display() if victim.consent_by else "",
    }
    if reveal:
        row["identity"] = victim.identity_display
        row["birth_date"] = victim.birth_date
    return row


def _parties(dossier, block):
    case = dossier.case
    return {
        "victims": [_victim_row(victim, dossier.reveal_identities) for victim in case.victims.order_by("pseudonym")],
        "suspects": list(case.suspects.order_by("name")),
    }


def _procedures_of(dossier):
    procedures = dossier.case.procedures.all()
    if dossier.scope != DossierScope.CASE:
        procedures = procedures.filter(pk=dossier.procedure_id)
    return procedures


def _procedures(dossier, block):
    if block.get("summary"):
        return aggregates.procedures_by_parquet(dossier, block)
    procedures = list(
        _procedures_of(dossier)
        .select_related("parquet__court_of_appeal")
        .prefetch_related("victims", "suspects", "offences")
        .order_by("opened_on", "pk")
    )
    # The chain of parquets reads the case's other procedures (transferred_from) even for one.
    chains = parquet_chains(
        procedures
        if dossier.scope == DossierScope.CASE
        else list(dossier.case.procedures.select_related("parquet__court_of_appeal"))
    )
    rows = []
    for procedure in procedures:
        rows.append(
            {
                "procedure": procedure,
                "chain": [link.parquet.name for link in chains[procedure.pk]],
                "victims": [victim.pseudonym for victim in procedure.victims.all()],
                "suspects": [suspect.name for suspect in procedure.suspects.all()],
                "offences": list(procedure.offences.all()),
            }
        )
    return {"procedures": rows}


def _timeline(dossier, block):
    if block.get("summary"):
        return aggregates.recent_and_major_steps(dossier, block)
    if block.get("empty"):
        return {"years": []}
    events = aggregates.timeline_slice(case_timeline(dossier.case), block)
    previous_year = date.fromisoformat(block["after"][0]).year if block.get("after") else None
    years: list[dict] = []
    for event in events:
        year = event.occurred_on.year
        if not years or years[-1]["year"] != year:
            years.append({"year": year, "continued": year == previous_year and not years, "events": []})
        event.kind_label = EVENT_KIND_LABELS.get(event.kind, event.kind)
        event.parquet_name = event.procedure.parquet.name if event.procedure_id else ""
        years[-1]["events"].append(event)
    return {"years": years}


def _referrals(dossier, block):
    referrals = (
        Referral.objects.filter(case=dossier.case)
        .select_related("recipient_parquet__court_of_appeal", "author_association")
        .prefetch_related("procedures__parquet")
        .order_by("sent_on", "pk")
    )
    return {"referrals": list(referrals)}


# The eligibility engine's verdicts (procedures/eligibility.py), as a lawyer reads them.
APPLIES_FR = {"yes": "applicable", "no": "non applicable", "unknown": "à vérifier"}
CONDITION_FR = {"met": "remplie", "missing": "non remplie", "unknown": "inconnue"}


def _eligibility(snapshot: dict) -> dict:
    if not snapshot:
        return {}
    assessments = []
    for assessment in snapshot.get("assessments", []):
        if assessment.get("applies") == "no" and not assessment.get("offences_covered"):
            continue
        assessments.append(
            {
                "article": assessment.get("article", ""),
                "title": assessment.get("title_fr", ""),
                "applies": APPLIES_FR.get(assessment.get("applies", ""), assessment.get("applies", "")),
                "conditions": [
                    {
                        "label": c.get("label_fr", ""),
                        "status": CONDITION_FR.get(c.get("status", ""), c.get("status", "")),
                        "source": c.get("source", ""),
                    }
                    for c in assessment.get("conditions", [])
                ],
            }
        )
    computed = snapshot.get("computed_at", "")
    return {
        "applicable": snapshot.get("applicable_articles", []),
        "assessments": assessments,
        "computed_on": computed[:10],
    }


def _filings(dossier, block):
    filings = list(
        scoped(dossier, Filing.objects.filter(procedure__case=dossier.case))
        .select_related("procedure__parquet", "association")
        .order_by("filed_on", "pk")
    )
    for filing in filings:
        filing.eligibility = _eligibility(filing.eligibility_snapshot)
    return {"filings": filings}


def _hearings(dossier, block):
    case = dossier.case
    return {
        "hearings": list(
            scoped(dossier, Hearing.objects.filter(procedure__case=case))
            .select_related("procedure__parquet")
            .order_by("starts_at")
        ),
        "decisions": list(
            scoped(dossier, Decision.objects.filter(procedure__case=case))
            .select_related("procedure__parquet")
            .order_by("decided_on", "pk")
        ),
    }


def _deadlines(dossier, block):
    # Deadlines are the lead association's own work: a dossier asked through a share has none.
    deadlines = (
        scoped(dossier, Deadline.objects.own())
        .filter(case=dossier.case, association=dossier.association, status=DeadlineStatus.OPEN)
        .select_related("procedure__parquet", "owner")
        .order_by("due_on", "pk")
    )
    today = timezone.localdate()
    rows = list(deadlines)
    for deadline in rows:
        deadline.overdue = deadline.due_on < today
    return {"deadlines": rows}


def _bordereau(dossier, block):
    if block.get("empty"):
        return {"exhibits": []}
    exhibits = dossier.case.exhibits.select_related("replaces").order_by("number")
    exhibits = exhibits.filter(number__gte=block["first"], number__lte=block["last"])
    return {"exhibits": list(exhibits)}


LOADERS = {
    Section.SUMMARY: _summary,
    Section.PARTIES: _parties,
    Section.PROCEDURES: _procedures,
    Section.TIMELINE: _timeline,
    Section.REFERRALS: _referrals,
    Section.FILINGS: _filings,
    Section.HEARINGS: _hearings,
    Section.DEADLINES: _deadlines,
    Section.PRESCRIPTION: aggregates.prescription_summary,
    Section.BORDEREAU: _bordereau,
    Section.ANNEX_PROCEDURES: aggregates.annex_procedures,
    Section.ANNEX_TIMELINE: aggregates.annex_timeline,
}


# --- the pieces' HTML -----------------------------------------------------------------------------


def part_html(dossier: Dossier, spec: dict, *, stylesheet: str = "reports/print.css") -> str:
    blocks = []
    for block in spec["blocks"]:
        key = block["section"]
        blocks.append(
            {
                **block,
                "label": section_label(key),
                "template": f"reports/pdf/sections/{key}{'_summary' if block.get('summary') else ''}.html",
                **LOADERS[key](dossier, block),
            }
        )
    return _render("reports/pdf/part.html", {**common_context(dossier), "blocks": blocks, "stylesheet": stylesheet})


def front_matter_html(dossier: Dossier, *, entries: list[dict], cover: bool) -> str:
    """The cover page and the table of contents; entries are {label, page, level}."""
    return _render(
        "reports/pdf/front.html",
        {
            **common_context(dossier),
            "cover": cover,
            "entries": entries,
            "section_labels": [
                section_label(key) for key in ordered_sections(dossier.sections) if key != Section.COVER
            ],
            "requested_by": dossier.requested_by,
        },
    )


def frame_html(dossier: Dossier) -> str:
    """The running header and the « Remis à … le … » footer, drawn on every page."""
    return _render("reports/pdf/frame.html", common_context(dossier))


def exhibit_sheet_html(dossier: Dossier, exhibit: Exhibit, *, problem: str = "") -> str:
    """A page for an image exhibit, or, with a problem, the page that stands for an exhibit that
    could not be reproduced (damaged file, fingerprint that no longer matches…)."""
    return _render(
        "reports/pdf/exhibit_sheet.html", {**common_context(dossier), "exhibit": exhibit, "problem": problem}
    )


def exhibits_of(dossier: Dossier) -> list[Exhibit]:
    return list(dossier.case.exhibits.order_by("number"))
