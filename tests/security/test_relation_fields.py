"""Ids cannot be probed: for every relation an API request names (a field of its body, a filter, a
path), another association's id and an id that exists nowhere get the same status and the same
body, in French, naming no model."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services as case_services
from reports.models import DossierPreset
from tests.security.conftest import CSV_BYTES, PDF_BYTES

pytestmark = pytest.mark.django_db

UNKNOWN = 987654


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.users["owner"])
    return client


def ids(world) -> dict:
    o = world.objects
    return {name: getattr(value, "pk", value) for name, value in o.items()}


def foreign_records(world) -> dict:
    """One record of association B for each kind a request may name."""
    o, b = world.objects, world.associations["B"]
    outsider = world.users["outsider"]
    exhibit = case_services.exhibit_upload(
        user=outsider, case=o["case_b"], file=ContentFile(PDF_BYTES, name="b.pdf"), title="Pièce de B"
    )
    preset = DossierPreset.objects.create(association=b, name="Modèle de B", sections=["cover"])
    return {
        "case": o["case_b"].pk,
        "victim": o["victim_b"].pk,
        "suspect": o["suspect_b"].pk,
        "procedure": o["procedure_b"].pk,
        "exhibit": exhibit.pk,
        "preset": preset.pk,
        "lawyer": outsider.pk,
        "association": b.pk,
    }


# (name, method, path, body(value, ids), kind of the foreign record, multipart)
JSON_BODIES = [
    ("victim.case", "post", "/api/v1/victims/", lambda v, i: {"case": v, "age_at_facts": 12}, "case"),
    ("suspect.case", "post", "/api/v1/suspects/", lambda v, i: {"case": v, "name": "X"}, "case"),
    ("share.case", "post", "/api/v1/shares/", lambda v, i: {"case": v, "association": i["C"]}, "case"),
    (
        "procedure.case",
        "post",
        "/api/v1/procedures/",
        lambda v, i: {"case": v, "parquet": i["parquet"], "parquet_reference": "R-1", "opened_on": "2024-05-01"},
        "case",
    ),
    (
        "procedure.victims",
        "post",
        "/api/v1/procedures/",
        lambda v, i: {
            "case": i["case"],
            "parquet": i["other_parquet"],
            "parquet_reference": "R-2",
            "opened_on": "2024-05-01",
            "victims": [v],
        },
        "victim",
    ),
    (
        "procedure.suspects",
        "post",
        "/api/v1/procedures/",
        lambda v, i: {
            "case": i["case"],
            "parquet": i["other_parquet"],
            "parquet_reference": "R-3",
            "opened_on": "2024-05-01",
            "suspects": [v],
        },
        "suspect",
    ),
    (
        "procedure.transferred_from",
        "post",
        "/api/v1/procedures/",
        lambda v, i: {
            "case": i["case"],
            "parquet": i["other_parquet"],
            "parquet_reference": "R-4",
            "opened_on": "2024-05-01",
            "transferred_from": v,
        },
        "procedure",
    ),
    (
        "referral.procedures",
        "post",
        "/api/v1/referrals/",
        lambda v, i: {
            "case": i["case"],
            "kind": "plainte_simple",
            "author": "A",
            "recipient": "Procureur",
            "sent_on": "2024-06-01",
            "procedures": [v],
        },
        "procedure",
    ),
    (
        "filing.procedure",
        "post",
        "/api/v1/filings/",
        lambda v, i: {"procedure": v, "mode": "art87", "legal_basis": "2-3", "status": "draft"},
        "procedure",
    ),
    (
        "hearing.procedure",
        "post",
        "/api/v1/hearings/",
        lambda v, i: {"procedure": v, "starts_at": "2031-01-06T10:00:00+01:00", "court": "Tribunal"},
        "procedure",
    ),
    (
        "decision.procedure",
        "post",
        "/api/v1/decisions/",
        lambda v, i: {"procedure": v, "kind": "judgment_correctionnel", "decided_on": "2025-09-01"},
        "procedure",
    ),
    (
        "event.case",
        "post",
        "/api/v1/events/",
        lambda v, i: {"case": v, "kind": "appeal", "occurred_on": "2025-07-01", "title": "Appel"},
        "case",
    ),
    (
        "event.procedure",
        "post",
        "/api/v1/events/",
        lambda v, i: {"case": i["case"], "procedure": v, "kind": "appeal", "occurred_on": "2025-07-01", "title": "A"},
        "procedure",
    ),
    ("dossier.case", "post", "/api/v1/dossiers/", lambda v, i: {"case": v, "recipient": "Me X"}, "case"),
    (
        "dossier.preset",
        "post",
        "/api/v1/dossiers/",
        lambda v, i: {"case": i["case"], "recipient": "Me X", "preset": v},
        "preset",
    ),
]
MULTIPART_BODIES = [
    (
        "exhibit.case",
        "/api/v1/exhibits/",
        lambda v, i: {"case": v, "title": "T", "file": SimpleUploadedFile("p.pdf", PDF_BYTES)},
        "case",
    ),
    (
        "exhibit.replaces",
        "/api/v1/exhibits/",
        lambda v, i: {"case": i["case"], "title": "T", "replaces": v, "file": SimpleUploadedFile("p.pdf", PDF_BYTES)},
        "exhibit",
    ),
    (
        "import.case",
        "/api/v1/imports/",
        lambda v, i: {"case": v, "file": SimpleUploadedFile("p.csv", CSV_BYTES)},
        "case",
    ),
]
PATHS = [
    ("case detail", "/api/v1/cases/{}/", "case"),
    ("case timeline", "/api/v1/cases/{}/timeline/", "case"),
    ("victim detail", "/api/v1/victims/{}/", "victim"),
    ("victim identity", "/api/v1/victims/{}/?reveal=identity", "victim"),
    ("suspect detail", "/api/v1/suspects/{}/", "suspect"),
    ("exhibit download", "/api/v1/exhibits/{}/download/", "exhibit"),
    ("procedure detail", "/api/v1/procedures/{}/", "procedure"),
    ("procedure eligibility", "/api/v1/procedures/{}/eligibility/", "procedure"),
    ("dossier preset", "/api/v1/dossier-presets/{}/", "preset"),
    ("statistics of an association", "/api/v1/statistics/summary?association={}", "association"),
]
FILTERS = [
    ("shares by case", "/api/v1/shares/?case={}", "case"),
    ("shares by association", "/api/v1/shares/?association={}", "association"),
    ("procedures by case", "/api/v1/procedures/?case={}", "case"),
    ("filings by procedure", "/api/v1/filings/?procedure={}", "procedure"),
    ("events by case", "/api/v1/events/?case={}", "case"),
    ("cases by association", "/api/v1/cases/?association={}", "association"),
    ("cases by lead lawyer", "/api/v1/cases/?lead_lawyer={}", "lawyer"),
    ("victims by case", "/api/v1/victims/?case={}", "case"),
    ("suspects by case", "/api/v1/suspects/?case={}", "case"),
    ("exhibits by case", "/api/v1/exhibits/?case={}", "case"),
    ("dossiers by case", "/api/v1/dossiers/?case={}", "case"),
]


def _same(first, second):
    assert first.status_code == second.status_code, (first.status_code, second.status_code)
    assert first.content == second.content, (first.content, second.content)
    return first


def _neutral(response):
    text = response.content.decode()
    for leak in ("pk", "does not exist", "matches the given query", "Invalid", "Case", "Procedure", "Victim"):
        assert leak not in text, text


@pytest.mark.parametrize(("name", "method", "path", "body", "kind"), JSON_BODIES, ids=[row[0] for row in JSON_BODIES])
def test_a_foreign_id_in_a_body_answers_like_an_unknown_one(signed_in, world, name, method, path, body, kind):
    known = {**ids(world), "C": world.associations["C"].pk}
    foreign = foreign_records(world)[kind]
    answers = [
        getattr(signed_in, method)(path, json.dumps(body(value, known)), content_type="application/json")
        for value in (foreign, UNKNOWN)
    ]
    response = _same(*answers)
    assert response.status_code in (400, 404), response.content
    _neutral(response)


@pytest.mark.parametrize(("name", "path", "body", "kind"), MULTIPART_BODIES, ids=[row[0] for row in MULTIPART_BODIES])
def test_a_foreign_id_in_a_form_answers_like_an_unknown_one(signed_in, world, name, path, body, kind):
    foreign = foreign_records(world)[kind]
    answers = [signed_in.post(path, body(value, ids(world))) for value in (foreign, UNKNOWN)]
    response = _same(*answers)
    assert response.status_code in (400, 404), response.content
    _neutral(response)


def test_a_foreign_lead_lawyer_answers_like_an_unknown_one(signed_in, world):
    path = f"/api/v1/cases/{world.objects['case'].pk}/"
    etag = signed_in.get(path)["ETag"]
    answers = [
        signed_in.patch(path, json.dumps({"lead_lawyer": value}), content_type="application/json", HTTP_IF_MATCH=etag)
        for value in (world.users["outsider"].pk, UNKNOWN)
    ]
    response = _same(*answers)
    assert response.status_code == 400
    assert response.json()["errors"] == {"lead_lawyer": ["Objet introuvable."]}


@pytest.mark.parametrize(("name", "path", "kind"), PATHS, ids=[row[0] for row in PATHS])
def test_a_foreign_id_in_a_path_answers_like_an_unknown_one(signed_in, world, name, path, kind):
    foreign = foreign_records(world)[kind]
    response = _same(*(signed_in.get(path.format(value)) for value in (foreign, UNKNOWN)))
    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable.", "code": "not_found"}


@pytest.mark.parametrize(("name", "path", "kind"), FILTERS, ids=[row[0] for row in FILTERS])
def test_a_foreign_id_in_a_filter_answers_like_an_unknown_one(signed_in, world, name, path, kind):
    foreign = foreign_records(world)[kind]
    _same(*(signed_in.get(path.format(value)) for value in (foreign, UNKNOWN)))
