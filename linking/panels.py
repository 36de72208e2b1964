"""Sections of linking on other apps' pages (config/settings.py PROCEDURE_PAGE_SECTIONS,
PARTY_PAGE_SECTIONS): for the association's lawyers, each suspect and victim of a procedure, and a
suspect's or victim's own page, with where its person appears, « apparaît dans 14 procédures,
9 parquets », linked to the person's page. Nothing for other readers (staff, a shared case's other
associations): linking is the lawyers' work, within their association. Victims are named by
pseudonym only."""

from django.db.models import Q
from django.template.loader import render_to_string

from cases.models import Permission
from cases.selectors import user_has_permission

from .models import Judgement, MatchDecision, Person
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


def _row(person: Person) -> dict:
    members = cluster_of(person)
    _procedures, totals = appearances(members)
    return {"person": person, "members": len(members), **totals}


def procedure_persons_section(request, *, procedure, access) -> str:
    if not _for_lawyers(request, procedure, access):
        return ""
    persons = Person.objects.filter(association_id=procedure.case.association_id).select_related("suspect", "victim")
    suspects = persons.filter(suspect__procedures=procedure).order_by("suspect__name", "pk")
    victims = persons.filter(victim__procedures=procedure).order_by("victim__pseudonym", "pk")
    rows = [_row(person) for person in [*suspects, *victims]]
    if not rows:
        return ""
    return render_to_string("linking/_procedure_persons.html", {"rows": rows}, request=request)


def party_persons_section(request, *, case, suspect=None, victim=None) -> str:
    """On a suspect's or victim's page: where the person appears, the persons judged the same,
    and the candidate pairs still to review."""
    if not user_has_permission(request.user, case.association_id, Permission.CHANGE_CASES):
        return ""
    person = Person.objects.filter(
        association_id=case.association_id, **({"suspect": suspect} if suspect else {"victim": victim})
    ).first()
    pending = 0
    if person is not None:
        pending = (
            MatchDecision.objects.filter(judgement=Judgement.POSSIBLE, withdrawn_at__isnull=True)
            .filter(Q(left=person) | Q(right=person))
            .count()
        )
    context = {"row": _row(person) if person else None, "pending": pending}
    return render_to_string("linking/_party_person.html", context, request=request)
