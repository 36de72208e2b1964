"""Each error the API can give, provoked for real and checked against the operation's schema
(status declared, JSON body of the declared shape, declared headers present): the fuzzing rarely
reaches 401, 409, 413, 415, 428 or 429 by chance."""

import json
from io import BytesIO

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle
from werkzeug.test import Client

from cases import services
from config.wsgi import application
from tests.conftest import make_pdf_bytes

from .contract import CHECKS, served_schema

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_requests", "unthrottled")]

schema = served_schema()


def answer(method: str, template: str, *, token: str | None = None, path_parameters=None, **request):
    """The application's answer, validated against the operation `method template` of the schema."""
    path_parameters = path_parameters or {}
    headers = dict(request.pop("headers", {}))
    if token:
        headers["Authorization"] = f"Bearer {token}"
    path = request.pop("path", None) or template.format(**path_parameters)
    response = Client(application).open(path, method=method, headers=headers, **request)
    operation = schema[template][method]
    operation.Case(path_parameters=path_parameters).validate_response(response, checks=CHECKS)
    return response


def token_for(user, association) -> str:
    return services.api_token_create(user=user, association=association, name="contrat")[1]


def body(response) -> dict:
    return json.loads(response.get_data())


def test_a_missing_or_unknown_token_is_a_401_with_its_challenge():
    anonymous = answer("GET", "/api/v1/cases/")
    unknown = answer("GET", "/api/v1/cases/", token="coco_inconnu")
    assert anonymous.status_code == unknown.status_code == 401
    assert unknown.headers["WWW-Authenticate"] == "Bearer"
    assert body(unknown)["code"] == "authentication_failed"


def test_a_staff_member_writing_gets_403_and_a_token_managing_tokens_too(colleague, owner, association):
    refused = answer(
        "POST", "/api/v1/cases/", token=token_for(colleague, association), json={"reference": "S", "title": "s"}
    )
    assert refused.status_code == 403 and body(refused)["code"] == "permission_denied"
    tokens = answer("GET", "/api/v1/tokens/", token=token_for(owner, association))
    assert tokens.status_code == 403


def test_an_id_no_route_matches_is_the_apis_json_404(owner, association):
    response = answer(
        "GET",
        "/api/v1/cases/{id}/",
        token=token_for(owner, association),
        path_parameters={"id": 1},
        path="/api/v1/cases/-1.5e-160/",
    )
    assert response.status_code == 404 and body(response) == {"detail": "Introuvable.", "code": "not_found"}


def test_a_duplicate_reference_is_a_409_and_a_bad_date_a_400_with_field_messages(owner, association):
    key = token_for(owner, association)
    payload = {"reference": "DOUBLE-1", "title": "Hénin-Beaumont"}
    assert answer("POST", "/api/v1/cases/", token=key, json=payload).status_code == 201
    conflict = answer("POST", "/api/v1/cases/", token=key, json=payload)
    assert conflict.status_code == 409 and body(conflict)["code"] == "unique"
    invalid = answer("POST", "/api/v1/cases/", token=key, json={**payload, "facts_start": "pas une date"})
    assert invalid.status_code == 400 and "facts_start" in body(invalid)["errors"]


def test_an_edit_without_if_match_is_428_and_with_a_stale_etag_412(owner, association, case):
    key = token_for(owner, association)
    detail = {"path_parameters": {"id": case.pk}, "token": key}
    etag = answer("GET", "/api/v1/cases/{id}/", **detail).headers["ETag"]
    missing = answer("PATCH", "/api/v1/cases/{id}/", json={"title": "A"}, **detail)
    assert missing.status_code == 428 and body(missing)["code"] == "precondition_required"
    edited = answer("PATCH", "/api/v1/cases/{id}/", json={"title": "A"}, headers={"If-Match": etag}, **detail)
    assert edited.status_code == 200 and edited.headers["ETag"] != etag
    stale = answer("PATCH", "/api/v1/cases/{id}/", json={"title": "B"}, headers={"If-Match": etag}, **detail)
    assert stale.status_code == 412 and body(stale)["code"] == "precondition_failed"


def test_an_oversize_file_is_413_and_a_refused_type_or_a_form_encoded_body_415(
    owner, association, case, media_root, settings
):
    key = token_for(owner, association)
    settings.EXHIBIT_MAX_BYTES = 100

    def upload(content: bytes, name: str):
        data = {"case": str(case.pk), "title": "Pièce", "file": (BytesIO(content), name)}
        return answer("POST", "/api/v1/exhibits/", token=key, data=data)

    too_large = upload(make_pdf_bytes(), "pv.pdf")
    assert too_large.status_code == 413 and "file" in body(too_large)["errors"]
    refused_type = upload(b"#!/bin/sh\necho bonjour\n", "pv.pdf")
    assert refused_type.status_code == 415 and body(refused_type)["code"] == "unsupported_type"
    form = answer("POST", "/api/v1/cases/", token=key, data={"reference": "F-1", "title": "Formulaire"})
    assert form.status_code == 415 and body(form)["code"] == "unsupported_media_type"


def test_too_many_requests_is_a_429_with_retry_after(owner, association, monkeypatch):
    key = token_for(owner, association)
    cache.clear()
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/hour")
    statuses = [answer("GET", "/api/v1/platforms/", token=key).status_code for _ in range(2)]
    throttled = answer("GET", "/api/v1/platforms/", token=key)
    assert statuses == [200, 200] and throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0 and body(throttled)["code"] == "throttled"
