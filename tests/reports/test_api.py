"""The API of dossiers and presets: same rules as the pages, the project's error shapes."""

import pytest
from rest_framework.test import APIClient

from cases import services as case_services
from cases.models import AccessLog
from reports import services
from reports.models import Dossier, DossierPreset

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def test_a_dossier_is_asked_polled_and_downloaded(api, colleague, case, media_root, django_capture_on_commit_callbacks):
    as_user(api, colleague)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/dossiers/",
            {"case": case.pk, "sections": ["summary", "cover"], "recipient": "Me Dupont"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sections"] == ["cover", "summary"] and body["status"] == "queued"
    assert response["Location"] == f"/api/v1/dossiers/{body['id']}/"
    detail = api.get(f"/api/v1/dossiers/{body['id']}/").json()  # no broker here: rendered on commit, in-process
    assert detail["status"] == "done" and detail["progress"] == 100
    assert detail["sha256"] == Dossier.objects.get().sha256 and detail["download_url"].endswith("/download/")
    download = api.get(f"/api/v1/dossiers/{body['id']}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AccessLog.objects.filter(action="download", object_type="dossier").count() == 1
    assert [row["id"] for row in api.get("/api/v1/dossiers/", {"case": case.pk}).json()["results"]] == [body["id"]]


def test_the_api_refuses_what_the_pages_refuse(api, owner, colleague, outsider, case, other_association):
    as_user(api, outsider)
    assert (
        api.post(
            "/api/v1/dossiers/", {"case": case.pk, "recipient": "x", "sections": ["cover"]}, format="json"
        ).status_code
        == 404
    )
    as_user(api, colleague)
    refused = api.post(
        "/api/v1/dossiers/",
        {"case": case.pk, "recipient": "x", "sections": ["cover"], "reveal_identities": True},
        format="json",
    )
    assert refused.status_code == 403
    invalid = api.post("/api/v1/dossiers/", {"case": case.pk, "recipient": "x", "sections": ["nope"]}, format="json")
    assert invalid.status_code == 400 and invalid.json()["code"] == "invalid"
    empty = api.post("/api/v1/dossiers/", {"case": case.pk, "recipient": "x"}, format="json")
    assert empty.status_code == 400 and "sections" in empty.json()["errors"]
    case_services.case_share(user=owner, case=case, association=other_association, access="read")
    as_user(api, outsider)
    assert (
        api.post(
            "/api/v1/dossiers/", {"case": case.pk, "recipient": "x", "sections": ["cover"]}, format="json"
        ).status_code
        == 403
    )


def test_an_outsider_never_sees_another_association_s_dossiers(api, owner, outsider, case):
    dossier = services.dossier_request(user=owner, case=case, recipient="x", sections=["cover"])
    as_user(api, outsider)
    assert api.get("/api/v1/dossiers/").json()["results"] == []
    assert api.get(f"/api/v1/dossiers/{dossier.pk}/").status_code == 404
    assert api.get(f"/api/v1/dossiers/{dossier.pk}/download/").status_code == 404


def test_a_token_asks_for_its_own_association(api, owner, case, association):
    _token, key = case_services.api_token_create(user=owner, association=association, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    preset = services.preset_save(user=owner, association=association, name="Audience", sections=["timeline"])
    response = api.post("/api/v1/dossiers/", {"case": case.pk, "recipient": "x", "preset": preset.pk}, format="json")
    assert response.status_code == 201 and response.json()["sections"] == ["timeline"]
    assert response.json()["association"] == association.pk


def test_presets_are_listed_created_updated_with_if_match_and_deleted(api, owner, outsider, association):
    as_user(api, owner)
    created = api.post(
        "/api/v1/dossier-presets/", {"name": "Audience", "sections": ["timeline", "cover"]}, format="json"
    )
    assert created.status_code == 201 and created.json()["sections"] == ["cover", "timeline"]
    duplicate = api.post("/api/v1/dossier-presets/", {"name": "Audience", "sections": ["cover"]}, format="json")
    assert duplicate.status_code == 409
    url = f"/api/v1/dossier-presets/{created.json()['id']}/"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"sections": ["bordereau"]}, format="json").status_code == 428
    updated = api.patch(url, {"sections": ["bordereau"]}, format="json", HTTP_IF_MATCH=etag)
    assert updated.status_code == 200 and updated.json()["sections"] == ["bordereau"]
    assert api.patch(url, {"sections": ["cover"]}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    as_user(api, outsider)
    assert api.get("/api/v1/dossier-presets/").json() == [] and api.delete(url).status_code == 404
    as_user(api, owner)
    assert api.delete(url).status_code == 204 and not DossierPreset.objects.exists()


def test_the_schema_documents_the_dossier_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/dossiers/{id}/download/" in schema["paths"]
    assert "/api/v1/dossier-presets/" in schema["paths"]


def test_the_schema_with_the_dossier_endpoints_validates_without_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
