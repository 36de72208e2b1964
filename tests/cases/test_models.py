from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import CaseShare, Exhibit, Victim
from tests.factories import AssociationFactory, CaseFactory, SuspectFactory, VictimFactory

pytestmark = pytest.mark.django_db


def test_a_reference_is_unique_within_an_association_in_the_database(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(association=case.association, reference=case.reference)


def test_the_same_reference_may_be_used_by_another_association(case, other_association):
    assert CaseFactory(association=other_association, reference=case.reference).pk


def test_full_clean_explains_a_duplicate_reference_in_french(case):
    duplicate = CaseFactory.build(association=case.association, reference=case.reference)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "déjà utilisée" in str(error.value)


def test_the_database_refuses_facts_that_end_before_they_start(association):
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(association=association, facts_start=date(2024, 4, 1), facts_end=date(2024, 3, 1))


def test_clean_puts_the_facts_order_error_on_the_end_date(association):
    case = CaseFactory.build(association=association, facts_start=date(2024, 4, 1), facts_end=date(2024, 3, 1))
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert "facts_end" in error.value.message_dict


def test_minor_at_facts_is_computed_from_the_birth_date_and_the_facts_date(case):
    # Born 15 June 2009, facts 1 March 2024: 14 years old.
    victim = VictimFactory(case=case, birth_date=date(2009, 6, 15))
    assert victim.age_at_facts == 14
    assert victim.minor_at_facts is True


def test_a_victim_turning_18_the_day_of_the_facts_is_an_adult(case):
    victim = VictimFactory(case=case, birth_date=date(2006, 3, 1))
    assert victim.age_at_facts == 18
    assert victim.minor_at_facts is False


def test_the_victims_own_facts_date_wins_over_the_cases(case):
    victim = VictimFactory(case=case, birth_date=date(2006, 6, 1), facts_date=date(2024, 5, 31))
    assert victim.age_at_facts == 17
    assert victim.minor_at_facts is True


def test_minor_at_facts_stays_unknown_without_age_or_birth_date(case):
    victim = VictimFactory(case=case, birth_date=None)
    assert victim.minor_at_facts is None


def test_an_age_without_birth_date_still_flags_a_minor(case):
    assert VictimFactory(case=case, birth_date=None, age_at_facts=14).minor_at_facts is True


def test_a_victim_born_after_the_facts_is_rejected(case):
    victim = Victim(case=case, pseudonym="V-009", birth_date=date(2024, 6, 1))
    with pytest.raises(ValidationError) as error:
        victim.full_clean()
    assert "née après les faits" in error.value.message_dict["birth_date"][0]


def test_consent_must_say_by_whom_in_the_database(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        VictimFactory(case=case, consent_given_on=date(2024, 7, 1), consent_by="")


def test_a_pseudonym_is_unique_within_a_case(case):
    VictimFactory(case=case, pseudonym="V-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        VictimFactory(case=case, pseudonym="V-001")


def test_a_case_cannot_be_shared_twice_with_the_same_association_while_active(case, other_association, owner):
    CaseShare.objects.create(case=case, association=other_association, granted_by=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseShare.objects.create(case=case, association=other_association, granted_by=owner)


def test_a_revoked_share_can_be_granted_again(case, other_association, owner):
    from django.utils import timezone

    CaseShare.objects.create(case=case, association=other_association, granted_by=owner, revoked_at=timezone.now())
    assert CaseShare.objects.create(case=case, association=other_association, granted_by=owner).pk


def test_sharing_with_the_cases_own_association_is_invalid(case, owner):
    share = CaseShare(case=case, association=case.association, granted_by=owner)
    with pytest.raises(ValidationError) as error:
        share.full_clean()
    assert "association" in error.value.message_dict


def test_an_exhibit_number_is_unique_within_a_case(case):
    values = {"title": "x", "file": "exhibits/x.pdf", "content_type": "application/pdf", "size": 1, "sha256": "a" * 64}
    Exhibit.objects.create(case=case, number=1, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exhibit.objects.create(case=case, number=1, **values)


def test_the_database_refuses_to_rewrite_an_exhibits_content(case):
    values = {"title": "x", "file": "exhibits/x.pdf", "content_type": "application/pdf", "size": 1, "sha256": "a" * 64}
    exhibit = Exhibit.objects.create(case=case, number=1, **values)
    with pytest.raises(Exception, match="exhibit_content_is_immutable"), transaction.atomic():
        Exhibit.objects.filter(pk=exhibit.pk).update(sha256="b" * 64)
    Exhibit.objects.filter(pk=exhibit.pk).update(title="Nouveau titre")  # the title may change
    exhibit.refresh_from_db()
    assert exhibit.title == "Nouveau titre"


def test_suspect_status_labels_are_french(case):
    assert SuspectFactory(case=case, status="mis_en_examen").get_status_display() == "Mis en examen"


def test_the_access_log_is_append_only(case, owner):
    from cases.models import AccessLog

    entry = AccessLog.objects.create(user=owner, action="view", object_type="case", object_id=case.pk)
    with pytest.raises(Exception, match="access_log_append_only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).delete()


def test_an_association_factory_makes_distinct_tenants():
    assert AssociationFactory().pk != AssociationFactory().pk
