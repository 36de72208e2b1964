"""Persons as they arrive: a suspect entered is a person at once and its candidates are proposed
(never merged) once the entry is committed; a strong identifier shared with a known person
proposes the pair whatever the names, an IP address alone proposes nothing; another association's
persons are never compared; running it twice proposes nothing more; an erased victim identity
leaves linking too."""

from datetime import date

import pytest

from cases import services as cases
from cases.privacy.victims import victim_erase
from linking import arrivals
from linking.identifiers import identifiers_sync
from linking.models import Identifier, Judgement, MatchDecision, Person
from linking.services import person_sync_suspect, person_sync_victim
from tests.factories import CaseFactory, ParquetFactory, SuspectFactory, VictimFactory

pytestmark = pytest.mark.django_db


def proposals(association_id):
    return MatchDecision.objects.filter(association_id=association_id, judgement=Judgement.POSSIBLE)


def test_a_suspect_entered_is_proposed_against_a_known_spelling(
    owner, case, association, django_capture_on_commit_callbacks
):
    elsewhere = CaseFactory(association=association, reference="ACPE-AUTRE")
    known = person_sync_suspect(SuspectFactory(case=elsewhere, name="Julien Fictif-Martin"))
    with django_capture_on_commit_callbacks(execute=True):
        suspect = cases.suspect_add(user=owner, case=case, name="FICTIF-MARTIN J.")
    person = Person.objects.get(suspect=suspect)
    [pair] = proposals(association.pk)
    assert {pair.left_id, pair.right_id} == {known.pk, person.pk}
    assert pair.decided_by is None and pair.score >= 0.3
    assert [step["field"] for step in pair.explanation][:3] == ["prior", "given_name", "surname"]
    # Nothing merged: only a lawyer's « same » joins two persons.
    assert not MatchDecision.objects.filter(judgement=Judgement.SAME).exists()


def test_a_shared_identifier_proposes_whatever_the_names_an_ip_alone_does_not(association, case):
    zorro, pseudo, other = (
        person_sync_suspect(SuspectFactory(case=case, name=name)) for name in ("Zorro", "lapin_bleu", "Inconnu")
    )
    identifiers_sync(zorro, [("email", " J.FM@Example.FR"), ("ip", "203.0.113.5")])
    identifiers_sync(pseudo, [("email", "j.fm@example.fr")])
    identifiers_sync(other, [("ip", "203.0.113.5")])
    assert arrivals.candidates_for(association.pk, [pseudo, other]) == 1
    [pair] = proposals(association.pk)
    assert {pair.left_id, pair.right_id} == {zorro.pk, pseudo.pk}
    assert pair.explanation[-1] == {
        "field": "shared",
        "label": "Identifiant saisi des deux côtés",
        "level": "adresse électronique",
        "weight": 0.0,
    }
    email = next(step for step in pair.explanation if step["field"] == "email")
    assert email["level"] != "absent" and email["weight"] > 0
    # Stored in normal form, encrypted, found by digest.
    assert Identifier.objects.get(person=pseudo).value == "j.fm@example.fr"


def test_another_associations_persons_are_never_compared(association, other_association, case):
    theirs = person_sync_suspect(SuspectFactory(case=CaseFactory(association=other_association), name="Zorro"))
    identifiers_sync(theirs, [("phone", "06 12 34 56 78")])
    ours = person_sync_suspect(SuspectFactory(case=case, name="Zorro"))
    identifiers_sync(ours, [("phone", "+33612345678")])
    assert arrivals.candidates_for(association.pk, [ours]) == 0
    assert not MatchDecision.objects.exists()


def test_arriving_twice_proposes_nothing_more(association, case):
    suspects = [SuspectFactory(case=case, name=name) for name in ("DUPONT J.", "Jean Dupont")]
    first = arrivals.persons_arrive(case_id=case.pk, suspect_ids=[s.pk for s in suspects])
    again = arrivals.persons_arrive(case_id=case.pk, suspect_ids=[s.pk for s in suspects])
    assert (first, again) == (1, 0)
    assert Person.objects.filter(case=case).count() == 2


def test_an_erased_identity_leaves_the_persons_normal_forms(owner, association, case):
    victim = VictimFactory(case=case, first_name="Léa", last_name="Fictive", birth_date=date(2009, 5, 1))
    person = person_sync_victim(victim)
    assert (person.surname, person.birth_date) == ("fictive", "2009-05-01")
    victim_erase(user=owner, association=association, victim_id=victim.pk, confirmation=victim.pseudonym)
    person.refresh_from_db()
    assert not any((person.given_name, person.surname, person.surname_core, person.birth_date))


def test_identifiers_entered_with_a_suspect_are_kept_and_propose_the_pair(
    owner, case, association, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = cases.suspect_add(user=owner, case=case, name="lapin_bleu", identifiers="courriel: J.FM@Example.fr")
        second = cases.suspect_add(user=owner, case=case, name="Zorro", identifiers="j.fm@example.fr\nip:203.0.113.5")
    kinds = sorted(Identifier.objects.filter(person__suspect=second).values_list("kind", flat=True))
    assert kinds == ["email", "ip"]
    [pair] = proposals(association.pk)
    assert {pair.left.suspect_id, pair.right.suspect_id} == {first.pk, second.pk}
    assert pair.explanation[-1]["field"] == "shared"


def test_an_imports_suspects_arrive_and_are_proposed_against_the_known_ones(
    case, association, django_capture_on_commit_callbacks
):
    from procedures.imports import import_job_create, import_job_execute

    known = person_sync_suspect(SuspectFactory(case=case, name="Julien Fictif-Martin"))
    parquet = ParquetFactory(name="Parquet de Lille (test)")
    data = (
        "parquet;numero_parquet;ouverte_le;mis_en_cause\n"
        f"{parquet.name};24/1;25/06/2024;FICTIF-MARTIN J. [courriel:jfm@example.fr]\n"
        f"{parquet.name};24/2;25/06/2024;lapin_bleu [jfm@example.fr] | Autre Personne\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(user=None, case=case, data=data, name="p.csv", dry_run=False)
        job = import_job_execute(job.pk)
    assert job.status == "done", job.error
    arrived = {person.suspect.name: person for person in Person.objects.filter(case=case).select_related("suspect")}
    assert set(arrived) == {"Julien Fictif-Martin", "FICTIF-MARTIN J.", "lapin_bleu", "Autre Personne"}
    pairs = {
        frozenset((pair.left.suspect.name, pair.right.suspect.name))
        for pair in proposals(association.pk).select_related("left__suspect", "right__suspect")
    }
    assert frozenset(("FICTIF-MARTIN J.", "Julien Fictif-Martin")) in pairs  # by name
    assert frozenset(("FICTIF-MARTIN J.", "lapin_bleu")) in pairs  # by the e-mail seized from both
    assert known.pk in {p for pair in proposals(association.pk) for p in (pair.left_id, pair.right_id)}
