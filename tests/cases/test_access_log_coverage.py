"""Every read path of the product writes its access-log row (ASVS 5.0 V16.2/V16.3): case pages and
API, identities, exhibits, procedures, timelines, deadlines, exports (CSV/XLSX), dossiers and
statistics. One request, one row, with the right action, object and association."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import AccessAction, AccessLog, Exhibit
from reports import services as dossier_services
from tests.reports.conftest import build_rich_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich(owner, case, media_root):
    return build_rich_case(owner, case)


@pytest.fixture
def objects(rich):
    procedure = rich.procedures.order_by("-pk").first()
    return {
        "case": rich,
        "victim": rich.victims.order_by("pk").first(),
        "exhibit": Exhibit.objects.filter(case=rich).order_by("number").first(),
        "procedure": procedure,
        "deadline": rich.deadlines.first(),
    }


@pytest.fixture
def dossier(owner, rich):
    dossier = dossier_services.dossier_request(user=owner, case=rich, recipient="Greffe", sections=["cover"])
    dossier_services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    return dossier


def logged_rows(user, since):
    return list(
        AccessLog.objects.filter(user=user, pk__gt=since).order_by("pk").values_list("action", "object_type", "case_id")
    )


def last_id():
    return AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def consume(response):
    if response.streaming:
        b"".join(response.streaming_content)
    return response


PAGES = [
    # (url name, args from objects, expected action, expected object type)
    ("case_detail", ["case"], AccessAction.VIEW, "case"),
    ("victim_identity", ["case", "victim"], AccessAction.REVEAL_IDENTITY, "victim"),
    ("victim_update", ["case", "victim"], AccessAction.REVEAL_IDENTITY, "victim"),
    ("victim_export", ["case", "victim"], AccessAction.EXPORT, "victim"),
    ("exhibit_download", ["case", "exhibit"], AccessAction.DOWNLOAD, "exhibit"),
    ("procedure_detail", ["procedure"], AccessAction.VIEW, "procedure"),
    ("deadline_detail", ["deadline"], AccessAction.VIEW, "case"),
    ("procedure_export_csv", [], AccessAction.EXPORT, "case"),
    ("procedure_export_xlsx", [], AccessAction.EXPORT, "case"),
    ("deadline_export_csv", [], AccessAction.EXPORT, "case"),
    ("deadline_export_xlsx", [], AccessAction.EXPORT, "case"),
]


@pytest.mark.parametrize(("name", "args", "action", "object_type"), PAGES)
def test_each_page_that_reads_a_case_writes_its_row(
    client, owner, association, objects, name, args, action, object_type
):
    client.force_login(owner)
    since = last_id()

    response = consume(client.get(reverse(name, args=[objects[key].pk for key in args])))

    assert response.status_code == 200
    rows = AccessLog.objects.filter(pk__gt=since, user=owner)
    assert (action, object_type, objects["case"].pk) in set(rows.values_list("action", "object_type", "case_id"))
    assert set(rows.values_list("association_id", flat=True)) == {association.pk}


def test_the_dossier_page_and_its_download_write_their_rows(client, colleague, dossier):
    client.force_login(colleague)
    since = last_id()

    assert client.get(reverse("dossier_detail", args=[dossier.pk])).status_code == 200
    assert client.get(reverse("dossier_download", args=[dossier.pk])).status_code == 200

    assert logged_rows(colleague, since) == [
        (AccessAction.VIEW, "dossier", dossier.case_id),
        (AccessAction.DOWNLOAD, "dossier", dossier.case_id),
    ]


def test_asking_for_a_dossier_writes_a_print_row(owner, rich):
    since = last_id()
    dossier = dossier_services.dossier_request(user=owner, case=rich, recipient="Greffe", sections=["cover"])
    assert (AccessAction.PRINT, "dossier", rich.pk) in logged_rows(owner, since)
    assert dossier.pk


API = [
    ("/api/v1/cases/{case}/", AccessAction.VIEW, "case"),
    ("/api/v1/victims/{victim}/?reveal=identity", AccessAction.REVEAL_IDENTITY, "victim"),
    ("/api/v1/exhibits/{exhibit}/download/", AccessAction.DOWNLOAD, "exhibit"),
    ("/api/v1/procedures/{procedure}/", AccessAction.VIEW, "procedure"),
    ("/api/v1/cases/{case}/timeline/", AccessAction.VIEW, "case"),
    ("/api/v1/procedures/export?format=csv", AccessAction.EXPORT, "case"),
    ("/api/v1/procedures/export?format=xlsx", AccessAction.EXPORT, "case"),
]


@pytest.mark.parametrize(("path", "action", "object_type"), API)
def test_each_api_read_writes_its_row(owner, objects, path, action, object_type):
    api = APIClient()
    api.force_authenticate(owner)
    since = last_id()

    response = consume(api.get(path.format(**{key: value.pk for key, value in objects.items() if value})))

    assert response.status_code == 200
    assert (action, object_type, objects["case"].pk) in logged_rows(owner, since)


def test_the_api_dossier_download_writes_its_row(colleague, dossier):
    api = APIClient()
    api.force_authenticate(colleague)
    since = last_id()
    assert consume(api.get(f"/api/v1/dossiers/{dossier.pk}/download/")).status_code == 200
    assert logged_rows(colleague, since) == [(AccessAction.DOWNLOAD, "dossier", dossier.case_id)]


def test_a_statistics_export_writes_an_export_row(client, association_admin, association):
    client.force_login(association_admin)
    since = last_id()
    response = consume(client.get(reverse("statistics_export", args=["parquet"])))
    assert response.status_code == 200
    rows = AccessLog.objects.filter(pk__gt=since, user=association_admin, action=AccessAction.EXPORT)
    assert rows.filter(association_id=association.pk).count() == 1


def test_a_refused_read_writes_no_row(client, outsider, objects):
    client.force_login(outsider)
    since = last_id()
    assert client.get(reverse("case_detail", args=[objects["case"].pk])).status_code == 404
    assert client.get(reverse("victim_export", args=[objects["case"].pk, objects["victim"].pk])).status_code == 404
    assert logged_rows(outsider, since) == []
