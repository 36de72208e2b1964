from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import AccessLog, Case, Exhibit, ShareAccess, Victim
from tests.factories import OffenceFactory, PlatformFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_case(owner, case, media_root, pdf_bytes):
    victim = services.victim_add(user=owner, case=case, first_name="Aurélie", last_name="Zyxwvu", age_at_facts=14)
    suspect = services.suspect_add(user=owner, case=case, name="M-1")
    exhibit = services.exhibit_upload(user=owner, case=case, file=ContentFile(pdf_bytes, name="a.pdf"), title="PV")
    share = services.case_share(
        user=owner, case=case, association=services.Association.objects.create(short_name="TIERS", name="Tierce")
    )
    return {"case": case, "victim": victim, "suspect": suspect, "exhibit": exhibit, "share": share}


def _case_urls(objects):
    case = objects["case"]
    c = case.pk
    return [
        ("get", reverse("case_detail", args=[c])),
        ("get", reverse("case_update", args=[c])),
        ("post", reverse("case_update", args=[c])),
        ("get", reverse("victim_add", args=[c])),
        ("post", reverse("victim_add", args=[c])),
        ("get", reverse("victim_update", args=[c, objects["victim"].pk])),
        ("get", reverse("victim_identity", args=[c, objects["victim"].pk])),
        ("get", reverse("suspect_add", args=[c])),
        ("get", reverse("suspect_update", args=[c, objects["suspect"].pk])),
        ("get", reverse("exhibit_upload", args=[c])),
        ("get", reverse("exhibit_download", args=[c, objects["exhibit"].pk])),
        ("get", reverse("share_add", args=[c])),
        ("post", reverse("share_revoke", args=[c, objects["share"].pk])),
    ]


def test_an_outsider_gets_404_on_every_page_of_another_associations_case(client, outsider, full_case):
    client.force_login(outsider)
    for method, url in _case_urls(full_case):
        assert getattr(client, method)(url).status_code == 404, url
    assert not AccessLog.objects.filter(user=outsider).exists()


def test_a_shared_case_is_readable_but_not_writable(client, owner, outsider, full_case, other_association):
    services.case_share(user=owner, case=full_case["case"], association=other_association, access=ShareAccess.READ)
    client.force_login(outsider)
    detail = client.get(reverse("case_detail", args=[full_case["case"].pk]))
    assert detail.status_code == 200
    content = detail.content.decode()
    assert "lecture seule" in content
    assert "V-001" in content and "Zyxwvu" not in content
    assert "Historique des modifications" not in content
    assert "TIERS" not in content  # the owner's other shares are not the recipient's business
    for method, url in _case_urls(full_case)[1:]:
        if "telecharger" in url:
            assert client.get(url).status_code == 200
        else:
            assert getattr(client, method)(url).status_code in (403, 404), url
    assert client.get(reverse("case_list")).context["cases"][0] == full_case["case"]


def test_staff_read_but_cannot_edit(client, colleague, full_case):
    client.force_login(colleague)
    assert client.get(reverse("case_detail", args=[full_case["case"].pk])).status_code == 200
    assert client.get(reverse("case_update", args=[full_case["case"].pk])).status_code == 403
    assert (
        client.get(reverse("victim_identity", args=[full_case["case"].pk, full_case["victim"].pk])).status_code == 403
    )


def test_viewing_a_case_and_an_identity_and_downloading_are_logged(client, owner, full_case):
    client.force_login(owner)
    case = full_case["case"]
    client.get(reverse("case_detail", args=[case.pk]))
    identity = client.get(reverse("victim_identity", args=[case.pk, full_case["victim"].pk]))
    assert "Zyxwvu" in identity.content.decode()
    download = client.get(reverse("exhibit_download", args=[case.pk, full_case["exhibit"].pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    actions = set(AccessLog.objects.filter(user=owner, case_id=case.pk).values_list("action", flat=True))
    assert actions == {"view", "reveal_identity", "download"}


def test_identity_pages_are_never_cached(client, owner, full_case):
    client.force_login(owner)
    case, victim = full_case["case"], full_case["victim"]
    for name, args in (
        ("victim_identity", [case.pk, victim.pk]),
        ("victim_update", [case.pk, victim.pk]),
        ("victim_add", [case.pk]),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], name


def test_the_case_list_searches_reference_title_platform_and_offence(client, owner, association):
    coco = PlatformFactory(name="Coco.gg")
    procuring = OffenceFactory(label="Proxénétisme aggravé", article="225-7")
    services.case_create(
        user=owner, association=association, reference="A-1", title="Dunkerque", platform=coco, offences=[procuring]
    )
    services.case_create(user=owner, association=association, reference="B-2", title="Valenciennes")
    client.force_login(owner)

    def found(q):
        return [c.reference for c in client.get(reverse("case_list"), {"q": q}).context["cases"]]

    assert found("A-1") == ["A-1"]
    assert found("valenc") == ["B-2"]
    assert found("coco") == ["A-1"]
    assert found("225-7") == ["A-1"]
    assert found("proxénétisme") == ["A-1"]
    assert sorted(found("")) == ["A-1", "B-2"]


def test_creating_a_case_from_the_form(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("case_create"),
        {"reference": "F-1", "title": "Hénin-Beaumont — agression", "status": "open", "facts_start": "2024-04-01"},
    )
    assert response.status_code == 302
    assert Case.objects.get(reference="F-1").created_by == owner


def test_the_case_form_shows_field_errors_inline(client, owner, case):
    client.force_login(owner)
    response = client.post(
        reverse("case_create"),
        {
            "reference": case.reference,
            "title": "x",
            "status": "open",
            "facts_start": "2024-05-01",
            "facts_end": "2024-04-01",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "facts_end" in form.errors
    assert "déjà utilisée" in str(form.errors)
    assert Case.objects.count() == 1


def test_the_victim_form_refuses_a_birth_after_the_facts(client, owner, case):
    client.force_login(owner)
    response = client.post(reverse("victim_add", args=[case.pk]), {"birth_date": "2025-01-01"})
    assert response.status_code == 200
    assert "birth_date" in response.context["form"].errors
    assert not Victim.objects.exists()


def test_the_exhibit_form_refuses_a_wrong_type_with_a_field_message(client, owner, case, media_root):
    client.force_login(owner)
    fake = SimpleUploadedFile("pv.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    response = client.post(reverse("exhibit_upload", args=[case.pk]), {"title": "PV", "file": fake})
    assert response.status_code == 200
    assert "Type de fichier refusé" in str(response.context["form"].errors["file"])
    assert not Exhibit.objects.exists()


def test_the_share_form_refuses_the_cases_own_association(client, owner, case):
    client.force_login(owner)
    response = client.post(reverse("share_add", args=[case.pk]), {"association": case.association_id, "access": "read"})
    assert response.status_code == 200
    assert "association" in response.context["form"].errors


def test_the_lawyer_home_lists_recent_cases(client, owner, case):
    client.force_login(owner)
    assert case.reference in client.get(reverse("home")).content.decode()


def test_a_victim_added_from_the_form_is_pseudonymised(client, owner, case):
    client.force_login(owner)
    client.post(
        reverse("victim_add", args=[case.pk]),
        {
            "first_name": "Zoé",
            "birth_date": "2010-01-01",
            "consent_given_on": "2024-07-01",
            "consent_by": "legal_representative",
        },
    )
    victim = Victim.objects.get()
    assert victim.pseudonym == "V-001"
    assert victim.minor_at_facts is True
    assert victim.consent_given_on == date(2024, 7, 1)
