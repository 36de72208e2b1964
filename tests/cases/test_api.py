from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cases import services
from cases.models import AccessLog, ApiToken, Case, Exhibit, Role, Victim
from tests.factories import AssociationFactory, CaseFactory, MembershipFactory, OffenceFactory, VictimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def with_token(api, user, association):
    _token, key = services.api_token_create(user=user, association=association, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def test_anonymous_requests_are_refused(api, case):
    assert api.get("/api/v1/cases/").status_code in (401, 403)


def test_a_lawyer_lists_and_reads_the_associations_cases_with_an_etag(api, owner, case):
    as_user(api, owner)
    listing = api.get("/api/v1/cases/")
    assert [row["reference"] for row in listing.json()["results"]] == [case.reference]
    detail = api.get(f"/api/v1/cases/{case.pk}/")
    assert detail.status_code == 200 and detail["ETag"].startswith('"')
    assert AccessLog.objects.filter(action="view", case_id=case.pk).exists()


def test_cases_are_searched_by_reference_and_title(api, owner, association):
    CaseFactory(association=association, reference="ACPE-1", title="Dunkerque")
    CaseFactory(association=association, reference="ACPE-2", title="Valenciennes")
    as_user(api, owner)
    assert [r["reference"] for r in api.get("/api/v1/cases/", {"search": "valenc"}).json()["results"]] == ["ACPE-2"]


def test_an_outsider_gets_404_never_403(api, outsider, case):
    victim = VictimFactory(case=case)
    as_user(api, outsider)
    for url in (
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/victims/{victim.pk}/",
        f"/api/v1/victims/{victim.pk}/?reveal=identity",
    ):
        assert api.get(url).status_code == 404, url
    assert api.get("/api/v1/cases/").json()["results"] == []
    response = api.patch(f"/api/v1/cases/{case.pk}/", {"title": "x"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 404


def test_creating_a_case_returns_201_and_a_duplicate_reference_409(api, owner, association):
    as_user(api, owner)
    offence = OffenceFactory()
    payload = {"reference": "API-1", "title": "Hénin-Beaumont", "offences": [offence.pk], "facts_start": "2024-04-01"}
    created = api.post("/api/v1/cases/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["association"] == association.short_name
    conflict = api.post("/api/v1/cases/", payload, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "unique"
    assert Case.objects.count() == 1


def test_bad_dates_are_a_400_with_field_messages(api, owner):
    as_user(api, owner)
    response = api.post(
        "/api/v1/cases/",
        {"reference": "X", "title": "x", "facts_start": "2024-05-01", "facts_end": "2024-04-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "facts_end" in response.json()["errors"]
    bad_type = api.post(
        "/api/v1/cases/", {"reference": "X", "title": "x", "facts_start": "pas une date"}, format="json"
    )
    assert bad_type.status_code == 400 and "facts_start" in bad_type.json()["errors"]


def test_staff_cannot_write(api, colleague, case):
    as_user(api, colleague)
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    etag = api.get(f"/api/v1/cases/{case.pk}/")["ETag"]
    assert api.patch(f"/api/v1/cases/{case.pk}/", {"title": "x"}, format="json", HTTP_IF_MATCH=etag).status_code == 403
    assert api.post("/api/v1/cases/", {"reference": "S", "title": "s"}, format="json").status_code == 403


def test_updates_need_if_match_and_a_stale_etag_gets_412(api, owner, case):
    as_user(api, owner)
    etag = api.get(f"/api/v1/cases/{case.pk}/")["ETag"]
    assert api.patch(f"/api/v1/cases/{case.pk}/", {"title": "A"}, format="json").status_code == 428
    first = api.patch(f"/api/v1/cases/{case.pk}/", {"title": "A"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200 and first["ETag"] != etag
    second = api.patch(f"/api/v1/cases/{case.pk}/", {"title": "B"}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    case.refresh_from_db()
    assert case.title == "A"


def test_victims_are_pseudonymous_unless_a_lawyer_asks_to_reveal(api, owner, colleague, case):
    victim = services.victim_add(
        user=owner, case=case, first_name="Aurélie", last_name="Zyxwvu", birth_date=date(2010, 1, 1)
    )
    as_user(api, owner)
    plain = api.get(f"/api/v1/victims/{victim.pk}/").json()
    assert plain["pseudonym"] == "V-001" and "last_name" not in plain
    assert "Zyxwvu" not in str(api.get("/api/v1/victims/").json())
    revealed = api.get(f"/api/v1/victims/{victim.pk}/?reveal=identity").json()
    assert revealed["last_name"] == "Zyxwvu"
    assert AccessLog.objects.filter(action="reveal_identity", object_id=victim.pk).count() == 1
    as_user(api, colleague)
    assert api.get(f"/api/v1/victims/{victim.pk}/?reveal=identity").status_code == 403


def test_a_victim_is_created_with_a_pseudonym_and_a_birth_after_the_facts_is_400(api, owner, case):
    as_user(api, owner)
    created = api.post("/api/v1/victims/", {"case": case.pk, "first_name": "Zoé", "age_at_facts": 14}, format="json")
    assert created.status_code == 201 and created.json()["pseudonym"] == "V-001"
    assert created.json()["minor_at_facts"] is True
    refused = api.post("/api/v1/victims/", {"case": case.pk, "birth_date": "2025-01-01"}, format="json")
    assert refused.status_code == 400 and "birth_date" in refused.json()["errors"]
    assert Victim.objects.count() == 1


def test_exhibits_upload_and_download_with_size_and_type_errors(api, owner, case, media_root, settings, pdf_bytes):
    as_user(api, owner)
    upload = api.post(
        "/api/v1/exhibits/",
        {"case": case.pk, "title": "PV", "file": SimpleUploadedFile("pv.pdf", pdf_bytes, "application/pdf")},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    assert upload.json()["number"] == 1 and len(upload.json()["sha256"]) == 64
    download = api.get(f"/api/v1/exhibits/{upload.json()['id']}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes
    wrong = api.post(
        "/api/v1/exhibits/",
        {"case": case.pk, "title": "x", "file": SimpleUploadedFile("x.pdf", b"just text", "application/pdf")},
        format="multipart",
    )
    assert wrong.status_code == 415
    settings.EXHIBIT_MAX_BYTES = 10
    big = api.post(
        "/api/v1/exhibits/",
        {"case": case.pk, "title": "x", "file": SimpleUploadedFile("y.pdf", pdf_bytes, "application/pdf")},
        format="multipart",
    )
    assert big.status_code == 413
    assert Exhibit.objects.count() == 1


def test_sharing_and_revoking_through_the_api(api, owner, outsider, case, other_association):
    as_user(api, owner)
    share = api.post(
        "/api/v1/shares/", {"case": case.pk, "association": other_association.pk, "access": "read"}, format="json"
    )
    assert share.status_code == 201
    assert (
        api.post("/api/v1/shares/", {"case": case.pk, "association": other_association.pk}, format="json").status_code
        == 409
    )
    own = api.post("/api/v1/shares/", {"case": case.pk, "association": case.association_id}, format="json")
    assert own.status_code == 400 and "association" in own.json()["errors"]
    as_user(api, outsider)
    read = api.get(f"/api/v1/cases/{case.pk}/")
    assert read.status_code == 200
    assert (
        api.patch(f"/api/v1/cases/{case.pk}/", {"title": "x"}, format="json", HTTP_IF_MATCH=read["ETag"]).status_code
        == 403
    )
    as_user(api, owner)
    assert api.post(f"/api/v1/shares/{share.json()['id']}/revoke/").status_code == 200
    as_user(api, outsider)
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_a_token_acts_only_for_its_association(api, owner, case):
    second = AssociationFactory(short_name="SECONDE")
    MembershipFactory(user=owner, association=second, role=Role.LAWYER)
    other_case = CaseFactory(association=second, reference="SEC-1")
    with_token(api, owner, second)
    assert [r["reference"] for r in api.get("/api/v1/cases/").json()["results"]] == ["SEC-1"]
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    created = api.post("/api/v1/cases/", {"reference": "SEC-2", "title": "t"}, format="json")
    assert Case.objects.get(pk=created.json()["id"]).association == second
    assert api.get(f"/api/v1/cases/{other_case.pk}/").status_code == 200


def test_tokens_are_shown_once_stored_hashed_and_revocable(api, owner, association, case):
    api.force_login(owner)  # token management needs a real session
    created = api.post("/api/v1/tokens/", {"name": "tableur", "association": association.pk}, format="json").json()
    key = created["key"]
    stored = ApiToken.objects.get(pk=created["id"])
    assert key not in stored.key_hash and stored.key_hash == ApiToken.hash(key)
    assert "key" not in api.get("/api/v1/tokens/").json()[0]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/cases/").status_code == 200
    api.post(f"/api/v1/tokens/{created['id']}/revoke/")
    assert client.get("/api/v1/cases/").status_code == 401


def test_a_token_for_an_association_the_user_left_stops_working(api, owner, association):
    _token, key = services.api_token_create(user=owner, association=association, name="x")
    owner.memberships.all().delete()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/cases/").status_code == 401


def test_a_token_cannot_be_created_for_an_association_one_does_not_belong_to(api, owner, other_association):
    api.force_login(owner)  # token management needs a real session
    assert (
        api.post("/api/v1/tokens/", {"name": "x", "association": other_association.pk}, format="json").status_code
        == 404
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/",
        "/api/v1/victims/",
        "/api/v1/suspects/",
        "/api/v1/exhibits/",
        "/api/v1/parquets/",
        "/api/v1/offences/",
    ],
)
def test_list_endpoints_run_a_constant_number_of_queries(api, owner, association, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(12):
        case = CaseFactory(association=association, reference=f"Q-{n}")
        case.offences.add(OffenceFactory())
        VictimFactory(case=case)
    as_user(api, owner)
    counts = []
    for size in (3, 12):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url, {"page_size": size}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_reference_data_is_read_only(api, owner):
    as_user(api, owner)
    assert api.get("/api/v1/parquets/", {"search": "Dunkerque"}).json()["count"] >= 1
    assert api.post("/api/v1/parquets/", {"name": "x"}, format="json").status_code == 405


def test_the_openapi_schema_and_its_docs_are_served_without_a_cdn(client, owner):
    client.force_login(owner)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/cases/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs


def test_the_schema_validates_without_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_the_tokens_page_shows_a_new_token_once_and_revokes_it(client, owner, association):
    client.force_login(owner)
    created = client.post("/jetons/", {"name": "tableur", "association": association.pk})
    key = created.context["created_key"]
    assert key.startswith("coco_") and key in created.content.decode()
    assert key not in client.get("/jetons/").content.decode()
    token = ApiToken.objects.get()
    client.post(f"/jetons/{token.pk}/revoquer/")
    token.refresh_from_db()
    assert token.revoked_at is not None
