"""The procedure page's section of linking (config/settings.py PROCEDURE_PAGE_SECTIONS): for the
association's lawyers, each suspect of the procedure with where its person appears, « apparaît
dans 14 procédures, 9 parquets », linked to the person's page. Nothing for other readers (staff,
a shared case's other associations): linking is the lawyers' work, within their association."""

from django.template.loader import render_to_string

from cases.models import Permission
from cases.selectors import user_has_permission

from .models import Person
from .selectors import appearances, cluster_of


def procedure_persons_section(request, *, procedure, access) -> str:
    if access.via_share or not user_has_permission(
        request.user, procedure.case.association_id, Permission.CHANGE_CASES
    ):
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
