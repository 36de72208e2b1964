"""Reads of linking, each within one association (its persons, its decisions); the pages are for
the association's lawyers (CHANGE_CASES), who are the ones to decide."""

from collections import defaultdict

from django.db.models import Q
from django.http import Http404

from cases.models import Permission
from cases.selectors import membership_require

from .duplicates import procedure_groups
from .models import ClusterMembership, Judgement, MatchDecision, Person, ProcedureDecision


def linking_membership(user, association_id: int):
    """404 for an outsider, 403 for a member who is not a lawyer."""
    return membership_require(user, association_id, Permission.CHANGE_CASES)


def review_queue(association_id: int):
    """The pairs proposed and not judged, best score first."""
    return (
        MatchDecision.objects.filter(
            association_id=association_id, judgement=Judgement.POSSIBLE, withdrawn_at__isnull=True
        )
        .select_related("left__suspect", "left__victim", "left__case", "right__suspect", "right__victim", "right__case")
        .order_by("-score", "pk")
    )


def person_get(association_id: int, person_id: int) -> Person:
    person = (
        Person.objects.select_related("suspect", "victim", "case")
        .filter(association_id=association_id, pk=person_id)
        .first()
    )
    if person is None:
        raise Http404
    return person


def cluster_of(person: Person) -> list[Person]:
    """The persons judged to be this one (itself included), in the order they were created."""
    membership = ClusterMembership.objects.filter(person=person, valid_to__isnull=True).first()
    if membership is None:
        return [person]
    ids = ClusterMembership.objects.filter(
        association_id=person.association_id, cluster=membership.cluster, valid_to__isnull=True
    ).values("person_id")
    return list(Person.objects.filter(pk__in=ids).select_related("suspect", "victim", "case").order_by("pk"))


def appearances(persons: list[Person]):
    """The procedures where these persons appear (as suspects or victims) and their count of
    distinct parquets: « apparaît dans 14 procédures, 9 parquets »."""
    from procedures.models import Procedure

    suspects = [person.suspect_id for person in persons if person.suspect_id]
    victims = [person.victim_id for person in persons if person.victim_id]
    procedures = (
        Procedure.objects.filter(Q(suspects__in=suspects) | Q(victims__in=victims))
        .distinct()
        .select_related("parquet", "case")
        .order_by("opened_on", "pk")
    )
    rows = list(Procedure.objects.filter(pk__in=procedures.values("pk")).values_list("pk", "parquet_id"))
    # Procedures judged one (imported twice) count once.
    association_id = persons[0].association_id if persons else None
    groups = procedure_groups(association_id, [pk for pk, _parquet in rows]) if rows else {}
    totals = {
        "procedures": len({groups.get(pk, pk) for pk, _parquet in rows}),
        "parquets": len({parquet for _pk, parquet in rows}),
    }
    return procedures, totals


def decisions_of(person: Person):
    return (
        MatchDecision.objects.filter(Q(left=person) | Q(right=person))
        .exclude(judgement=Judgement.POSSIBLE, withdrawn_at__isnull=False)
        .select_related(
            "left__suspect", "left__victim", "right__suspect", "right__victim", "decided_by", "withdrawn_by"
        )
        .order_by("-decided_at", "-pk")
    )


def procedure_review_queue(association_id: int):
    return (
        ProcedureDecision.objects.filter(
            association_id=association_id, judgement=Judgement.POSSIBLE, withdrawn_at__isnull=True
        )
        .select_related("left__parquet", "left__case", "right__parquet", "right__case")
        .order_by("pk")
    )


def procedure_decisions_of(procedure):
    return (
        ProcedureDecision.objects.filter(Q(left=procedure) | Q(right=procedure))
        .exclude(judgement=Judgement.POSSIBLE, withdrawn_at__isnull=False)
        .select_related("left__parquet", "right__parquet", "decided_by", "withdrawn_by")
        .order_by("-decided_at", "-pk")
    )


def suspects_same_person(case) -> dict[int, int]:
    """The suspects of a case a lawyer judged to be one person (live `same` decisions, through the
    clusters): suspect id → the smallest suspect id of its group. The prescription engine's art. 9-2
    last al. and serial offences read it (settings.SAME_PERSON_SUSPECTS)."""
    groups = defaultdict(list)
    for suspect_id, cluster in ClusterMembership.objects.filter(
        person__case=case, person__suspect__isnull=False, valid_to__isnull=True
    ).values_list("person__suspect_id", "cluster"):
        groups[cluster].append(suspect_id)
    return {suspect: min(group) for group in groups.values() if len(group) > 1 for suspect in group}
