"""The review queue and the person page: lawyers only, a decision with its reason from the page,
the person's procedures across parquets, withdrawal from the page, access logged."""

import pytest
from django.urls import reverse

from cases.models import AccessLog
from linking import services
from linking.models import Judgement, MatchDecision
from tests.factories import ParquetFactory, SuspectFactory, VictimFactory
from tests.procedures.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recurring(case):
    """« FICTIF-MARTIN J. » in 3 procedures at 2 parquets and « Julien Fictif-Martin » in 2 more at a third."""
    parquets = [ParquetFactory() for _ in range(3)]
    first = SuspectFactory(case=case, name="FICTIF-MARTIN J.")
    second = SuspectFactory(case=case, name="Julien Fictif-Martin")
    first.procedures.set([ProcedureFactory(case=case, parquet=parquets[n % 2]) for n in range(3)])
    second.procedures.set([ProcedureFactory(case=case, parquet=parquets[2]) for _ in range(2)])
    SuspectFactory(case=case, name="Autre Personne")
    services.persons_sync_case(case)
    services.candidates_propose(association_id=case.association_id)
    services.clusters_rebuild(association_id=case.association_id)
    return first.linked_person, second.linked_person


def test_the_queue_shows_the_pair_with_its_explanation_to_a_lawyer(client, owner, recurring):
    client.force_login(owner)
    page = client.get(reverse("linking_review")).content.decode()
    assert "FICTIF-MARTIN J." in page and "Julien Fictif-Martin" in page
    assert "initiale" in page and "Nom" in page  # the waterfall's levels
    assert 'data-key="m"' in page
    assert "Commune, Téléphone, Adresse électronique, Identifiant</p>" in page  # absent fields, no stray comma


def test_staff_and_admins_do_not_review(client, colleague, association_admin, recurring):
    for user in (colleague, association_admin):
        client.force_login(user)
        assert client.get(reverse("linking_review")).status_code == 403
        assert client.get(reverse("linking_person", args=[recurring[0].pk])).status_code == 403


def test_an_outsider_gets_404_on_a_person(client, outsider, recurring):
    client.force_login(outsider)
    assert client.get(reverse("linking_person", args=[recurring[0].pk])).status_code == 404


def test_decide_from_the_page_then_the_person_appears_across_parquets_then_withdraw(client, owner, recurring):
    first, second = recurring
    client.force_login(owner)
    proposal = MatchDecision.objects.get(left=min(first, second, key=lambda p: p.pk), judgement=Judgement.POSSIBLE)
    refused = client.post(reverse("linking_decide", args=[proposal.pk]), {"judgement": "same", "reason": ""})
    assert refused.status_code == 302
    assert not MatchDecision.objects.filter(judgement=Judgement.SAME).exists()
    response = client.post(
        reverse("linking_decide", args=[proposal.pk]),
        {"judgement": "same", "reason": "Même nom, initiale du prénom", "next": "https://ailleurs.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("linking_review")  # no open redirect
    page = client.get(reverse("linking_person", args=[first.pk])).content.decode()
    assert "Apparaît dans 5 procédures, 3 parquets." in page
    assert "Même nom, initiale du prénom" in page
    assert AccessLog.objects.filter(user=owner, object_type="suspect", object_id=second.suspect_id).exists()
    same = MatchDecision.objects.get(judgement=Judgement.SAME, withdrawn_at__isnull=True)
    client.post(reverse("linking_withdraw", args=[same.pk]))
    page = client.get(reverse("linking_person", args=[first.pk])).content.decode()
    assert "Apparaît dans 3 procédures, 2 parquets." in page
    assert "retirée le" in page


def test_the_procedure_page_tells_lawyers_where_its_suspects_appear(client, owner, colleague, recurring):
    first, second = recurring
    procedure = first.suspect.procedures.order_by("pk").first()
    client.force_login(owner)
    page = client.get(reverse("procedure_detail", args=[procedure.pk])).content.decode()
    assert "Personnes rapprochées" in page
    assert "apparaît dans 3 procédures, 2 parquets" in page
    services.decision_record(user=owner, left=first, right=second, judgement=Judgement.SAME, reason="Même personne")
    page = client.get(reverse("procedure_detail", args=[procedure.pk])).content.decode()
    assert "apparaît dans 5 procédures, 3 parquets (2 fiches regroupées)" in page
    client.force_login(colleague)  # staff read the procedure, not the linking
    page = client.get(reverse("procedure_detail", args=[procedure.pk])).content.decode()
    assert "Personnes rapprochées" not in page


def test_the_procedure_list_filters_on_the_same_person(client, owner, case, recurring):
    first, second = recurring
    services.decision_record(user=owner, left=first, right=second, judgement=Judgement.SAME, reason="Même personne")
    client.force_login(owner)
    person_page = client.get(reverse("linking_person", args=[first.pk])).content.decode()
    query = f"personnes={first.suspect_id}%2C{second.suspect_id}"
    assert f"?{query}" in person_page
    listing = client.get(reverse("case_procedure_list", args=[case.pk]) + f"?{query}")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Filtre « même personne »" in page
    shown = set(listing.context["page"].rows)
    assert shown == set(first.suspect.procedures.all()) | set(second.suspect.procedures.all())
    assert client.get(reverse("case_procedure_list", args=[case.pk]) + "?personnes=1,x").status_code == 400


def test_a_suspects_and_a_victims_own_pages_say_where_their_person_appears(client, owner, case, recurring):
    first, second = recurring
    services.decision_record(user=owner, left=first, right=second, judgement=Judgement.SAME, reason="Même personne")
    client.force_login(owner)
    page = client.get(reverse("suspect_update", args=[case.pk, first.suspect_id])).content.decode()
    assert "Rapprochements" in page
    assert "apparaît dans 5 procédures, 3 parquets (2 fiches regroupées)" in page
    assert reverse("linking_person", args=[first.pk]) in page

    victim = VictimFactory(case=case, pseudonym="V-900", first_name="Léa", last_name="Fictive")
    victim.procedures.set(first.suspect.procedures.all())
    page = client.get(reverse("victim_update", args=[case.pk, victim.pk])).content.decode()
    assert "Pas encore examiné" in page  # no person yet: the next search will compare it
    services.person_sync_victim(victim)
    page = client.get(reverse("victim_update", args=[case.pk, victim.pk])).content.decode()
    assert "apparaît dans 3 procédures, 2 parquets" in page
    procedure = first.suspect.procedures.order_by("pk").first()
    page = client.get(reverse("procedure_detail", args=[procedure.pk])).content.decode()
    assert "V-900" in page and "Léa" not in page  # victims by pseudonym only
