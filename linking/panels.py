"""The procedure page's section of linking (config/settings.py PROCEDURE_PAGE_SECTIONS): for the
association's lawyers, each suspect of the procedure with where its person appears, « apparaît
dans 14 procédures, 9 parquets », linked to the person's page. Nothing for other readers (staff,
a shared case's other associations): linking is the lawyers' work, within their association."""

from django.template.loader import render_to_string

from cases.models import Permission
from cases.selectors import user_has_permission

from .models import Person
from .selectors import appearances, cluster_of, procedure_decisions_of


def _for_lawyers(request, procedure, access) -> bool:
    return not access.via_share and user_has_permission(
        request.user, procedure.case.association_id, Permission.CHANGE_CASES
    )


def procedure_duplicates_section(request, *, procedure, access) -> str:
    """Its duplicates: grouped with another procedure (by whom, when, why; withdrawable), or
    proposed as one."""
    if not _for_lawyers(request, procedure, access):
        return ""
    decisions = list(procedure_decisions_of(procedure))
    if not decisions:
        return ""
    rows = [
        {"decision": decision, "other": decision.right if decision.left_id == procedure.pk else decision.left}
        for decision in decisions
    ]
    return render_to_string("linking/_procedure_duplicates.html", {"rows": rows}, request=request)


def procedure_persons_section(request, *, procedure, access) -> str:
    if not _for_lawyers(request, procedure, access):
        return ""
    persons = list(
        Person.objects.filter(suspect__procedures=procedure, association_id=procedure.case.association_id)
        .select_related("suspect")
        .order_by("suspect__name", "pk")
    )
    if not persons:
        return ""
    rows = []
    for person in persons:
        members = cluster_of(person)
        _procedures, totals = appearances(members)
        rows.append({"person": person, "members": len(members), **totals})
    return render_to_string("linking/_procedure_persons.html", {"rows": rows}, request=request)
