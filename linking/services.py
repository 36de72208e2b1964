"""Workflows of linking: keep persons in step with the suspects and victims they stand for, record
and withdraw decisions, rebuild the clusters, propose candidate pairs. Deciding is a lawyer's
work (CHANGE_CASES): it processes data on criminal offences."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Permission, Suspect, Victim
from cases.selectors import membership_require

from . import normalise
from .engine import match
from .identifiers import identifiers_sync, records_of
from .models import ClusterMembership, Judgement, MatchDecision, Person, PersonRole
from .resolver import clusters

CLUSTER_LOCK = 0x4C4E4B43  # "LNKC": pg_advisory_xact_lock's namespace for cluster rebuilds


def _name_forms(given: str, family: str) -> dict:
    if not given and " " in family.strip():
        given, family = normalise.split_full_name(family)
    else:
        given = normalise.given_name(given)
    return {
        "given_name": given,
        "surname": normalise.surname(family),
        "surname_core": normalise.surname_core(family),
    }


def person_sync_suspect(suspect: Suspect) -> Person:
    """The person a suspect stands for, its normal forms from the suspect's name as written, and
    its identifiers from those entered."""
    forms = _name_forms("", suspect.name or "")
    person, _created = Person.objects.update_or_create(
        suspect=suspect,
        defaults={
            "association_id": suspect.case.association_id,
            "case": suspect.case,
            "role": PersonRole.SUSPECT,
            **forms,
        },
    )
    identifiers_sync(person, suspect.identifier_list() if hasattr(suspect, "identifier_list") else [])
    return person


def person_sync_victim(victim: Victim) -> Person:
    """The person a victim stands for; an erased identity leaves only its birth date, if any."""
    forms = _name_forms(victim.first_name or "", victim.last_name or "")
    person, _created = Person.objects.update_or_create(
        victim=victim,
        defaults={
            "association_id": victim.case.association_id,
            "case": victim.case,
            "role": PersonRole.VICTIM,
            "birth_date": normalise.birth_date(victim.birth_date) if victim.birth_date else "",
            **forms,
        },
    )
    return person


def persons_sync_case(case) -> int:
    count = 0
    for suspect in case.suspects.all():
        person_sync_suspect(suspect)
        count += 1
    for victim in case.victims.all():
        person_sync_victim(victim)
        count += 1
    return count


def _ordered(left: Person, right: Person) -> tuple[Person, Person]:
    if left.pk == right.pk:
        raise ValidationError({"right": _("Une personne ne peut être rapprochée d'elle-même.")})
    return (left, right) if left.pk < right.pk else (right, left)


@transaction.atomic
def decision_record(*, user, left: Person, right: Person, judgement: str, reason: str) -> MatchDecision:
    """A lawyer's same / not same / possible on a pair; the pair's previous live decision is
    withdrawn (kept), then the clusters are rebuilt."""
    if left.association_id != right.association_id:
        raise PermissionDenied
    membership_require(user, left.association_id, Permission.CHANGE_CASES)
    if judgement not in Judgement.values:
        raise ValidationError({"judgement": _("Décision inconnue.")})
    reason = (reason or "").strip()
    if judgement != Judgement.POSSIBLE and not reason:
        raise ValidationError({"reason": _("Donnez le motif de la décision (ce qui concorde ou diffère).")})
    left, right = _ordered(left, right)
    now = timezone.now()
    MatchDecision.objects.select_for_update().filter(left=left, right=right, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=user
    )
    decision = MatchDecision.objects.create(
        association_id=left.association_id, left=left, right=right, judgement=judgement, reason=reason, decided_by=user
    )
    clusters_rebuild(association_id=left.association_id, now=now)
    return decision


@transaction.atomic
def decision_withdraw(*, user, decision: MatchDecision) -> MatchDecision:
    membership_require(user, decision.association_id, Permission.CHANGE_CASES)
    now = timezone.now()
    if MatchDecision.objects.filter(pk=decision.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=user
    ):
        clusters_rebuild(association_id=decision.association_id, now=now)
    decision.refresh_from_db()
    return decision


def clusters_rebuild(*, association_id: int, now=None) -> int:
    """The association's clusters from its live decisions; a membership that changes is closed
    (valid_to) and a new one opened, so any past state can be read back. Returns the changes."""
    now = now or timezone.now()
    with transaction.atomic():
        # One rebuild at a time per association (held until commit): two would each close the
        # other's memberships.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::integer, %s::integer)", [CLUSTER_LOCK, association_id])
        persons = list(Person.objects.filter(association_id=association_id).values_list("pk", flat=True))
        live = MatchDecision.objects.filter(association_id=association_id, withdrawn_at__isnull=True)
        same = list(
            live.filter(judgement=Judgement.SAME).order_by("decided_at", "pk").values_list("left_id", "right_id")
        )
        apart = live.filter(judgement=Judgement.NOT_SAME).values_list("left_id", "right_id")
        wanted = clusters(persons, same, apart)
        current = dict(
            ClusterMembership.objects.filter(association_id=association_id, valid_to__isnull=True).values_list(
                "person_id", "cluster"
            )
        )
        changed = [person for person, cluster in wanted.items() if current.get(person) != cluster]
        ClusterMembership.objects.filter(person_id__in=changed, valid_to__isnull=True).update(valid_to=now)
        ClusterMembership.objects.bulk_create(
            ClusterMembership(association_id=association_id, person_id=person, cluster=wanted[person], valid_from=now)
            for person in changed
        )
    return len(changed)


def current_clusters(association_id: int) -> dict[int, int]:
    return dict(
        ClusterMembership.objects.filter(association_id=association_id, valid_to__isnull=True).values_list(
            "person_id", "cluster"
        )
    )


def candidates_propose(*, association_id: int) -> int:
    """The engine over the association's persons: each pair it scores `match` or `possible` and
    nobody has judged becomes a `possible` decision (no user) with its score and explanation.
    Nothing is merged: only a lawyer's `same` joins two persons."""
    persons = list(Person.objects.filter(association_id=association_id))
    if len(persons) < 2:
        return 0
    scored, weights = match(list(records_of(persons).values()))
    judged = set(
        MatchDecision.objects.filter(association_id=association_id, withdrawn_at__isnull=True).values_list(
            "left_id", "right_id"
        )
    )
    new = []
    for pair in scored:
        left, right = sorted((pair.left["id"], pair.right["id"]))
        if (left, right) in judged:
            continue
        judged.add((left, right))
        new.append(
            MatchDecision(
                association_id=association_id,
                left_id=left,
                right_id=right,
                judgement=Judgement.POSSIBLE,
                score=pair.probability,
                explanation=weights.explain(pair.vector, pair.left),
            )
        )
    MatchDecision.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
