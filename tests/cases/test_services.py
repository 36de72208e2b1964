from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from cases import services
from cases.models import Case, CaseShare, Exhibit, ShareAccess, Suspect, Victim
from cases.selectors import case_list
from tests.factories import AssociationFactory, OffenceFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def _case_fields(**overrides):
    fields = {
        "reference": "ACPE-2024-010",
        "title": "Dunkerque — proxénétisme aggravé",
        "platform": PlatformFactory(name="Coco.gg"),
        "facts_start": date(2024, 3, 1),
        "facts_end": date(2024, 3, 31),
        "place": "Dunkerque",
    }
    return {**fields, **overrides}


def test_a_lawyer_creates_a_case_with_its_offences(owner, association):
    offence = OffenceFactory(article="225-7")
    case = services.case_create(user=owner, association=association, offences=[offence], **_case_fields())
    assert case.association == association
    assert list(case.offences.all()) == [offence]
    assert case.created_by == owner


def test_a_duplicate_reference_is_a_field_error_and_writes_nothing(owner, association, case):
    offence = OffenceFactory()
    with pytest.raises(ValidationError) as error:
        services.case_create(
            user=owner, association=association, offences=[offence], **_case_fields(reference=case.reference)
        )
    assert "reference" in error.value.message_dict or "__all__" in error.value.message_dict
    assert Case.objects.filter(association=association).count() == 1


def test_facts_ending_before_they_start_are_refused(owner, association):
    with pytest.raises(ValidationError) as error:
        services.case_create(
            user=owner,
            association=association,
            **_case_fields(facts_start=date(2024, 5, 1), facts_end=date(2024, 4, 1)),
        )
    assert "facts_end" in error.value.message_dict
    assert not Case.objects.exists()


def test_staff_cannot_create_a_case(colleague, association):
    with pytest.raises(PermissionDenied):
        services.case_create(user=colleague, association=association, **_case_fields())


def test_an_outsider_cannot_create_a_case_in_another_association(outsider, association):
    from django.http import Http404

    with pytest.raises(Http404):
        services.case_create(user=outsider, association=association, **_case_fields())


def test_the_lead_lawyer_must_be_a_lawyer_of_the_association(owner, outsider, association):
    with pytest.raises(ValidationError) as error:
        services.case_create(user=owner, association=association, lead_lawyer=outsider, **_case_fields())
    assert "lead_lawyer" in error.value.message_dict


def test_case_update_changes_fields_and_offences(owner, case):
    offence = OffenceFactory()
    updated = services.case_update(user=owner, case=case, title="Nouvel intitulé", offences=[offence])
    assert updated.title == "Nouvel intitulé"
    assert list(updated.offences.all()) == [offence]


def test_a_colleague_cannot_update_a_case(colleague, case):
    with pytest.raises(PermissionDenied):
        services.case_update(user=colleague, case=case, title="x")


def test_victims_get_pseudonyms_in_order(owner, case):
    first = services.victim_add(user=owner, case=case, first_name="Camille")
    second = services.victim_add(user=owner, case=case)
    assert (first.pseudonym, second.pseudonym) == ("V-001", "V-002")


def test_a_victim_born_after_the_facts_is_refused_and_nothing_is_written(owner, case):
    with pytest.raises(ValidationError) as error:
        services.victim_add(user=owner, case=case, birth_date=date(2024, 12, 1))
    assert "birth_date" in error.value.message_dict
    assert not Victim.objects.exists()


def test_victim_update_recomputes_minority(owner, case):
    victim = services.victim_add(user=owner, case=case, birth_date=date(2000, 1, 1))
    assert victim.minor_at_facts is False
    victim = services.victim_update(user=owner, victim=victim, birth_date=date(2010, 1, 1))
    assert victim.minor_at_facts is True


def test_suspects_are_added_and_updated(owner, case):
    suspect = services.suspect_add(user=owner, case=case, name="M-1", age_at_facts=17, status="mis_en_examen")
    suspect = services.suspect_update(user=owner, suspect=suspect, status="prevenu")
    assert Suspect.objects.get().status == "prevenu"


# --- Exhibits ------------------------------------------------------------------------------------


def test_an_exhibit_is_numbered_and_fingerprinted(owner, case, media_root, pdf_bytes):
    import hashlib

    first = services.exhibit_upload(user=owner, case=case, file=ContentFile(pdf_bytes, name="a.pdf"), title="PV")
    second = services.exhibit_upload(user=owner, case=case, file=ContentFile(pdf_bytes, name="b.pdf"), title="PV 2")
    assert (first.number, second.number) == (1, 2)
    assert first.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
    assert first.size == len(pdf_bytes)
    assert first.content_type == "application/pdf"
    assert first.file.name != second.file.name  # never the same stored file


def test_a_png_is_recognised_by_its_content_whatever_its_name(owner, case, media_root):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
    exhibit = services.exhibit_upload(user=owner, case=case, file=ContentFile(png, name="photo.pdf"), title="Photo")
    assert exhibit.content_type == "image/png"
    assert exhibit.file.name.endswith(".png")


def test_a_text_file_named_pdf_is_refused(owner, case, media_root):
    with pytest.raises(ValidationError) as error:
        services.exhibit_upload(user=owner, case=case, file=ContentFile(b"hello, not a pdf", name="x.pdf"), title="x")
    assert "Type de fichier refusé" in error.value.message_dict["file"][0]
    assert not Exhibit.objects.exists()


def test_an_oversize_exhibit_is_refused(owner, case, media_root, settings, pdf_bytes):
    settings.EXHIBIT_MAX_BYTES = len(pdf_bytes) - 1
    with pytest.raises(ValidationError) as error:
        services.exhibit_upload(user=owner, case=case, file=ContentFile(pdf_bytes, name="a.pdf"), title="x")
    assert "limite" in error.value.message_dict["file"][0]
    assert not Exhibit.objects.exists()
    assert not any(media_root.rglob("*.pdf")) if media_root.exists() else True


def test_a_new_version_points_to_the_exhibit_it_replaces(owner, case, media_root, pdf_bytes):
    first = services.exhibit_upload(user=owner, case=case, file=ContentFile(pdf_bytes, name="a.pdf"), title="PV")
    second = services.exhibit_upload(
        user=owner, case=case, file=ContentFile(pdf_bytes, name="a2.pdf"), title="PV corrigé", replaces=first
    )
    assert second.number == 2
    assert second.replaces == first
    first.refresh_from_db()
    assert not first.is_current
    with pytest.raises(ValidationError):
        services.exhibit_upload(
            user=owner, case=case, file=ContentFile(pdf_bytes, name="a3.pdf"), title="x", replaces=first
        )


def test_staff_cannot_upload_an_exhibit(colleague, case, media_root, pdf_bytes):
    with pytest.raises(PermissionDenied):
        services.exhibit_upload(user=colleague, case=case, file=ContentFile(pdf_bytes, name="a.pdf"), title="x")


# --- Sharing -------------------------------------------------------------------------------------


def test_a_shared_case_is_visible_to_the_other_association_and_only_that_case(owner, outsider, case, other_association):
    from tests.factories import CaseFactory

    CaseFactory(association=case.association, reference="ACPE-T-002")
    assert list(case_list(outsider)) == []
    services.case_share(user=owner, case=case, association=other_association, access=ShareAccess.READ)
    assert list(case_list(outsider)) == [case]


def test_revoking_a_share_hides_the_case_again(owner, outsider, case, other_association):
    share = services.case_share(user=owner, case=case, association=other_association)
    services.case_share_revoke(user=owner, share=share)
    assert list(case_list(outsider)) == []
    assert CaseShare.objects.get().revoked_by == owner


def test_sharing_with_the_cases_own_association_is_refused_with_a_field_message(owner, case):
    with pytest.raises(ValidationError) as error:
        services.case_share(user=owner, case=case, association=case.association)
    assert "association" in error.value.message_dict
    assert not CaseShare.objects.exists()


def test_only_a_lawyer_of_the_lead_association_may_share(colleague, outsider, case, other_association):
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        services.case_share(user=colleague, case=case, association=other_association)
    with pytest.raises(Http404):
        services.case_share(user=outsider, case=case, association=AssociationFactory())
