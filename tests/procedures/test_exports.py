"""Exports of procedures and deadlines: the import's columns, so that an export re-imports into its
case without changing anything; tenancy and the access log."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases.models import AccessLog
from procedures import exports
from procedures.imports import import_job_create, import_job_execute
from procedures.models import Procedure
from tests.factories import CaseFactory, OffenceFactory, ParquetFactory, PlatformFactory, VictimFactory
from tests.procedures.factories import DeadlineFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


@pytest.fixture
def target(association, owner):
    return CaseFactory(
        association=association, reference="ACPE-T-EXP", platform=PlatformFactory(name="Coco.gg"), lead_lawyer=owner
    )


@pytest.fixture
def procedures(target):
    """Two procedures as a lawyer would have entered them: victims (one minor), offences, dates."""
    dunkerque = ParquetFactory(code="TJT-DK", name="Parquet de test Dunkerque")
    shared_article = [OffenceFactory(label=f"Infraction de test {n} au même article", article="925-7") for n in (1, 2)]
    natinf = OffenceFactory(label="Infraction de test avec NATINF", article="927-23", natinf=990002)
    minor = VictimFactory(case=target, pseudonym="V-001")  # born 2009: minor at the facts
    adult = VictimFactory(case=target, pseudonym="V-002", birth_date=date(1990, 1, 1))
    first = ProcedureFactory(case=target, parquet=dunkerque, parquet_reference="24 000 111", stage="jugement")
    first.victims.set([minor, adult])
    first.offences.set([shared_article[0], natinf])
    second = ProcedureFactory(case=target, parquet=dunkerque, parquet_reference="24/222", opened_on=None)
    return [first, second]


def read_csv(content: bytes) -> list[dict]:
    assert content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_procedure_export_has_the_import_columns(client, owner, procedures):
    client.force_login(owner)

    response = client.get("/procedures/export.csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(b"".join(response.streaming_content))
    assert list(rows[0]) == exports.PROCEDURE_HEADERS
    first = next(r for r in rows if r["numero_parquet"] == "24 000 111")
    assert first["parquet"] == "Parquet de test Dunkerque"
    assert first["ouverte_le"] == "26/04/2024" and first["stade"] == "Jugement" and first["issue"] == "En cours"
    assert first["victimes"] == "V-001*|V-002"
    # An article shared by two offences is written as the label; a known NATINF as the NATINF.
    assert set(first["infractions"].split("|")) == {"Infraction de test 1 au même article", "990002"}
    assert AccessLog.objects.filter(action="export", case_id=procedures[0].case_id).exists()


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_export_reimports_into_its_case_without_changing_anything(client, owner, procedures, target, extension):
    client.force_login(owner)
    response = client.get(f"/procedures/export.{extension}?affaire={target.pk}")
    content = b"".join(response.streaming_content) if response.streaming else response.content

    job = import_job_execute(
        import_job_create(user=owner, case=target, data=content, name=f"export.{extension}", dry_run=False).pk
    )

    assert (job.unchanged_count, job.created_count, job.updated_count, job.rejected_count) == (2, 0, 0, 0)
    assert job.report["ignored_columns"] == ["affaire"]
    assert Procedure.objects.count() == 2


def test_the_xlsx_export_writes_dates_as_dates(client, owner, procedures):
    client.force_login(owner)

    response = client.get("/procedures/export.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == exports.PROCEDURE_HEADERS
    assert any(r[3] is not None and r[3].date() == date(2024, 4, 26) for r in rows[1:])


def test_an_outsider_exports_none_of_the_associations_procedures(client, outsider, procedures, target):
    client.force_login(outsider)

    assert len(read_csv(b"".join(client.get("/procedures/export.csv").streaming_content))) == 0
    assert client.get(f"/procedures/export.csv?affaire={target.pk}").status_code == 404


def test_the_deadline_export_lists_the_users_deadlines(client, owner, procedures):
    DeadlineFactory(procedure=procedures[0], owner=owner, due_on=date(2025, 6, 12))
    client.force_login(owner)

    rows = read_csv(b"".join(client.get("/delais/export.csv").streaming_content))

    assert [(r["numero_parquet"], r["echeance"], r["statut"]) for r in rows] == [("24 000 111", "12/06/2025", "Ouvert")]
    assert "498" in rows[0]["delai"]


def test_the_api_export_gives_csv_or_xlsx_and_refuses_other_formats(owner, procedures):
    api = APIClient()
    api.force_authenticate(owner)

    as_csv = api.get("/api/v1/procedures/export?format=csv")
    as_xlsx = api.get("/api/v1/procedures/export?format=xlsx")
    other = api.get("/api/v1/procedures/export?format=pdf")

    assert len(read_csv(b"".join(as_csv.streaming_content))) == 2
    assert as_xlsx.content.startswith(b"PK")
    assert other.status_code == 400 and other.json()["code"] == "invalid"


def test_the_case_page_links_to_import_and_exports(client, owner, target):
    client.force_login(owner)

    page = client.get(f"/affaires/{target.pk}/").content.decode()

    assert f"/affaires/{target.pk}/import/" in page
    assert f"/procedures/export.csv?affaire={target.pk}" in page
    assert f"/procedures/export.xlsx?affaire={target.pk}" in page


def test_my_deadlines_page_links_to_its_exports(client, owner):
    client.force_login(owner)

    page = client.get("/delais/").content.decode()

    assert "/delais/export.csv" in page and "/delais/export.xlsx" in page
