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
from .identifiers import identifiers_sync_many, records_of
from .models import ClusterMembership, Judgement, MatchDecision, Person, PersonRole
from .proposals import propose, with_shared_identifiers
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


def _suspect_forms(suspect: Suspect) -> dict:
    return _name_forms("", suspect.name or "")


def _victim_forms(victim: Victim) -> dict:
    """An erased identity leaves nothing here: its fields are blank, so are these."""
    forms = _name_forms(victim.first_name or "", victim.last_name or "")
    forms["birth_date"] = normalise.birth_date(victim.birth_date) if victim.birth_date else ""
    return forms


def persons_sync(*, suspects=(), victims=()) -> list[Person]:
    """The persons these suspects and victims stand for, their normal forms from what was written
    (a suspect's identifiers too), in a few statements whatever their number (an import brings
    thousands). Returns them, suspects first."""
    persons, entered = [], []
    for role, parties, forms_of, link in (
        (PersonRole.SUSPECT, list(suspects), _suspect_forms, "suspect"),
        (PersonRole.VICTIM, list(victims), _victim_forms, "victim"),
    ):
        if not parties:
            continue
        existing = {
            getattr(person, f"{link}_id"): person
            for person in Person.objects.filter(**{f"{link}__in": [party.pk for party in parties]})
        }
        created, changed, fields = [], [], set()
        for party in parties:
            forms = forms_of(party)
            person = existing.get(party.pk)
            if person is None:
                person = Person(
                    association_id=party.case.association_id, case_id=party.case_id, role=role, **{link: party}, **forms
                )
                created.append(person)
            elif any(getattr(person, name) != value for name, value in forms.items()):
                for name, value in forms.items():
                    setattr(person, name, value)
                changed.append(person)
                fields.update(forms)
            persons.append(person)
            if hasattr(party, "identifier_list"):
                entered.append((person, party.identifier_list()))
        Person.objects.bulk_create(created)
        if changed:
            Person.objects.bulk_update(changed, sorted(fields))
    identifiers_sync_many(entered)
    return persons


def person_sync_suspect(suspect: Suspect) -> Person:
    return persons_sync(suspects=[suspect])[0]


def person_sync_victim(victim: Victim) -> Person:
    return persons_sync(victims=[victim])[0]


def persons_sync_case(case) -> int:
    suspects = case.suspects.select_related("case")
    victims = case.victims.select_related("case")
    return len(persons_sync(suspects=suspects, victims=victims))


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
    """The engine over the association's persons: each pair it scores `match` or `possible`, or
    that shares a strong identifier, and that nobody has judged becomes a `possible` decision (no
    user) with its score and explanation. Nothing is merged: only a lawyer's `same` joins two
    persons."""
    persons = list(Person.objects.filter(association_id=association_id))
    if len(persons) < 2:
        return 0
    records = records_of(persons)
    scored, weights = match(list(records.values()))
    found = {}
    for pair in scored:
        key = tuple(sorted((pair.left["id"], pair.right["id"])))
        found.setdefault(key, (pair.probability, weights.explain(pair.vector, pair.left)))
    with_shared_identifiers(association_id, list(records), records, weights, found)
    return propose(association_id, found)
