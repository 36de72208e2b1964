"""The case page's lists loaded on demand: the timeline and the prescription, paginated and
filtered (cases/sections.py). Reading the case page is already in the access log; these lists
reveal nothing the page does not lead to (pseudonyms, dates), so they are not logged again."""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.sections import section_paginate, section_render
from cases.selectors import case_get

from .models import Event, EventKind
from .prescription_rows import for_viewer, prescription_events, prescription_rows
from .selectors import case_timeline


@login_required
@require_GET
def case_timeline_view(request, case_id):
    case, _access = case_get(request.user, case_id)
    kind = request.GET.get("nature", "")
    events = Event.objects.filter(case=case).select_related("procedure__parquet").order_by("-occurred_on", "-pk")
    if kind in EventKind.values:
        events = events.filter(kind=kind)
    else:
        kind = ""
    return section_render(
        request,
        template="procedures/_case_timeline_list.html",
        title=_("Chronologie"),
        case=case,
        context={"page_obj": section_paginate(request, events), "kinds": EventKind.choices, "kind": kind},
    )


@login_required
@require_GET
def case_prescription_view(request, case_id):
    """One line per offence and group of victims (minor at the facts, adult, age unknown) with the
    earliest date; the rows of one offence on demand (?infraction=<id>), paginated."""
    case, access = case_get(request.user, case_id)
    offences = list(case.offences.order_by("article", "label"))
    rows = for_viewer(
        prescription_rows(
            case,
            victims=list(case.victims.all()),
            offences=offences,
            today=timezone.localdate(),
            timeline=list(prescription_events(case_timeline(case).select_related(None))),
        ),
        can_reveal_identity=access.can_reveal_identity,
    )
    chosen = request.GET.get("infraction", "")
    detail = [row for row in rows if str(row.offence.pk) == chosen] if chosen else []
    return section_render(
        request,
        template="procedures/_case_prescription_list.html",
        title=_("Prescription de l'action publique"),
        case=case,
        context={
            "groups": prescription_groups(rows),
            "chosen": chosen,
            "page_obj": section_paginate(request, detail) if chosen else None,
        },
    )


def prescription_groups(rows) -> list[dict]:
    groups = defaultdict(list)
    for row in rows:
        minor = getattr(row.victim, "minor_at_facts", None)
        groups[(row.offence.article, row.offence.label, row.offence.pk, minor)].append(row)
    summary = []
    for (_article, _label, _pk, minor), members in sorted(groups.items(), key=lambda item: item[0][:3]):
        dated = [row for row in members if row.result and row.result.date]
        earliest = min(dated, key=lambda row: row.result.date) if dated else None
        summary.append(
            {
                "offence": members[0].offence,
                "minor": minor,
                "count": len(members),
                "earliest": earliest,
                "warnings": sum(1 for row in members if row.warning),
                "prescribed": sum(1 for row in members if row.prescribed),
            }
        )
    return summary
