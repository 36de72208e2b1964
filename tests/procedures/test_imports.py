"""Imports of procedures from CSV/XLSX: reading, validation line by line, dry run, idempotent
apply, updates, resuming, the command, the dataset generator, the pages and the API."""

import csv
import io
import time
from datetime import date

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from rest_framework.test import APIClient

from cases import services as case_services
from cases.models import Role, Victim
from procedures import imports
from procedures.imports import ImportFileError, import_job_create, import_job_execute, map_headers, read_source
from procedures.imports.tasks import run_import
from procedures.models import Event, EventKind, ImportJob, ImportStatus, Outcome, Procedure, Stage
from procedures.models.imports import STALE_AFTER
from tests.factories import (
    CaseFactory,
    MembershipFactory,
    OffenceFactory,
    ParquetFactory,
    PlatformFactory,
    UserFactory,
    VictimFactory,
)

# The import pages and API are wired here for the tests, whatever config/urls.py includes.
pytestmark = pytest.mark.django_db

HEADER = ["parquet", "numero_parquet", "ouverte_le", "infractions", "plateforme", "victimes", "stade", "issue"]


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


@pytest.fixture
def coco(db):
    return PlatformFactory(name="Coco.gg")


@pytest.fixture
def target(association, owner, coco):
    return CaseFactory(
        association=association, reference="ACPE-T-IMP", title="Coco.gg — import", platform=coco, lead_lawyer=owner
    )


@pytest.fixture
def dunkerque(db):
    return ParquetFactory(
        code="TJT-DK", name="Parquet de test Dunkerque", court="Tribunal judiciaire de test Dunkerque"
    )


@pytest.fixture
def lille(db):
    return ParquetFactory(code="TJT-LI", name="Parquet de test Lille", court="Tribunal judiciaire de test Lille")


@pytest.fixture
def images(db):
    return OffenceFactory(label="Images d'un mineur (test)", article="927-23", natinf=990001)


@pytest.fixture
def procuring(db):
    return OffenceFactory(label="Proxénétisme de test", article="925-5")


def csv_bytes(rows, *, header=HEADER, delimiter=";", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def run(case, data: bytes, *, name="procedures.csv", apply=False, **options) -> ImportJob:
    job = import_job_create(user=None, case=case, data=data, name=name, dry_run=not apply)
    return import_job_execute(job.pk, **options)


def row(parquet="TJT-DK", reference="24.00001", opened="26/04/2024", offences="927-23", victims="", **extra):
    return [
        parquet,
        reference,
        opened,
        offences,
        extra.get("platform", "Coco.gg"),
        victims,
        extra.get("stage", "Enquête"),
        extra.get("outcome", "En cours"),
    ]


def history_count() -> int:
    return apps.get_model("procedures", "ProcedureEvent").objects.count()


# --- Reading the file ----------------------------------------------------------------------------


def test_headers_are_found_whatever_their_case_accents_and_language():
    french, ignored = map_headers(
        [
            "PARQUET",
            "N° de parquet",
            "Ouverte le",
            "Infractions",
            "Plateforme",
            "Victimes",
            "Mis en cause",
            "Stade",
            "Issue",
            "Notes",
        ]
    )
    english, _ignored = map_headers(
        ["Parquet", "Parquet reference", "Opened on", "Offences", "Platform", "Victims", "Suspects", "Stage", "Outcome"]
    )
    assert french == english == {name: index for index, name in enumerate(imports.FIELD_ALIASES)}
    assert ignored == ["Notes"]


def test_a_file_without_a_parquet_reference_column_is_refused_with_a_sentence():
    with pytest.raises(ImportFileError, match="Colonne obligatoire introuvable : numéro de parquet"):
        map_headers(["parquet", "ouverte le"])


def test_a_windows_1252_file_separated_by_commas_is_read(target, dunkerque, procuring):
    data = csv_bytes([row(offences="Proxénétisme de test", stage="Enquête")], delimiter=",", encoding="cp1252")
    source = read_source(data, "export.csv")
    assert (source.encoding, source.delimiter) == ("cp1252", ",")

    job = run(target, data, apply=True)

    assert (job.status, job.created_count, job.rejected_rows) == (ImportStatus.DONE, 1, [])
    procedure = Procedure.objects.get()
    assert procedure.stage == Stage.ENQUETE
    assert list(procedure.offences.all()) == [procuring]


def test_a_utf8_file_with_a_bom_separated_by_semicolons_is_read(target, dunkerque, images):
    data = b"\xef\xbb\xbf" + csv_bytes([row()])
    source = read_source(data, "export.csv")
    assert (source.encoding, source.delimiter) == ("utf-8-sig", ";")
    assert run(target, data, apply=True).created_count == 1


def test_an_xlsx_workbook_with_date_and_number_cells_is_read(target, dunkerque, images):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Parquet", "N° parquet", "Ouverte le", "Infractions", "Stade"])
    sheet.append(["TJT-DK", 24001234, date(2024, 4, 26), 990001, "instruction"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = run(target, buffer.getvalue(), name="procedures.xlsx", apply=True)

    assert (job.format, job.created_count, job.rejected_count) == ("xlsx", 1, 0)
    procedure = Procedure.objects.get()
    assert (procedure.parquet_reference, procedure.opened_on, procedure.stage) == (
        "24001234",
        date(2024, 4, 26),
        Stage.INSTRUCTION,
    )
    assert list(procedure.offences.all()) == [images]


# --- Validation and apply ------------------------------------------------------------------------


def test_rejected_rows_give_their_line_and_reason_while_valid_rows_are_imported(
    target, dunkerque, lille, images, procuring
):
    OffenceFactory(label="Première infraction de test au même article", article="925-7")
    OffenceFactory(label="Seconde infraction de test au même article", article="925-7")
    PlatformFactory(name="Autre-plateforme.example")
    data = csv_bytes(
        [
            row(reference="24.00001"),  # line 2
            row(parquet="Parquet de Nulle-part", reference="24.00002"),  # 3
            row(reference="24.00003", opened="31/02/2024"),  # 4
            row(reference="24.00004", offences="927-23|Infraction imaginaire"),  # 5
            row(reference="24.00005", offences="925-7"),  # 6
            row(reference="24.00006", opened="01/01/2099"),  # 7
            row(reference=" 24.00001 "),  # 8: same procedure as line 2
            row(reference=""),  # 9
            row(reference="24.00009", platform="Autre-plateforme.example"),  # 10
            row(reference="24.00010", stage="Enquête préliminaire"),  # 11
            row(parquet="test Lille", reference="24.00011", offences="art. 925-5"),  # 12
        ]
    )

    job = run(target, data, apply=True)

    assert (job.created_count, job.rejected_count) == (2, 9)
    reasons = {entry["line"]: entry["reason"] for entry in job.rejected_rows}
    assert list(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "parquet inconnu « Parquet de Nulle-part »" in reasons[3]
    assert "date impossible « 31/02/2024 »" in reasons[4]
    assert "infraction inconnue « Infraction imaginaire »" in reasons[5]
    assert "l'article 925-7 correspond à plusieurs infractions" in reasons[6]
    assert "date d'ouverture dans le futur" in reasons[7]
    assert "même procédure (parquet et numéro) qu'à la ligne 2" in reasons[8]
    assert "numéro de parquet manquant" in reasons[9]
    assert "n'est pas celle de l'affaire (Coco.gg)" in reasons[10]
    assert "stade inconnu « Enquête préliminaire »" in reasons[11]
    assert sorted(Procedure.objects.values_list("normalised_reference", flat=True)) == ["24.00001", "24.00011"]
    assert list(Procedure.objects.get(parquet=lille).offences.all()) == [procuring]


def test_a_dry_run_writes_nothing_and_says_what_an_import_would_do(target, dunkerque, images):
    before = history_count()
    data = csv_bytes([row(reference="24.00001", victims="V-001*"), row(reference="24.00002"), row(parquet="?")])

    job = run(target, data)

    assert job.dry_run and job.status == ImportStatus.DONE
    assert (job.total_rows, job.created_count, job.rejected_count, job.victims_created_count) == (3, 2, 1, 1)
    assert [entry["reference"] for entry in job.report["samples"]["create"]] == ["24.00001", "24.00002"]
    assert not Procedure.objects.exists() and not Victim.objects.exists() and not Event.objects.exists()
    assert history_count() == before


def test_an_applied_import_writes_procedures_victims_offences_and_timeline_steps(target, dunkerque, images, owner):
    data = csv_bytes([row(reference="24 00001", victims="V-001*|V-002", stage="Jugement", outcome="Condamnation")])

    job = run(target, data, apply=True)

    procedure = Procedure.objects.get()
    assert (procedure.case, procedure.association, procedure.normalised_reference) == (
        target,
        target.association,
        "24 00001",
    )
    assert (procedure.stage, procedure.outcome) == (Stage.JUGEMENT, Outcome.CONVICTION)
    assert sorted(procedure.victims.values_list("pseudonym", flat=True)) == ["V-001", "V-002"]
    [event] = Event.objects.all()
    assert (event.kind, event.occurred_on, event.source_model, event.source_id, event.procedure) == (
        EventKind.PROCEDURE_OPENED,
        date(2024, 4, 26),
        "procedure",
        procedure.pk,
        procedure,
    )
    # Registering a procedure is not an act of art. 9-2 CPP: it interrupts nothing.
    assert not event.interrupts_prescription
    # The history of the write says which import made it.
    history = apps.get_model("procedures", "ProcedureEvent").objects.get(pgh_obj_id=procedure.pk)
    assert history.pgh_context.metadata["import_job"] == job.pk


def test_importing_the_same_file_twice_changes_nothing_and_writes_no_history(target, dunkerque, images):
    data = csv_bytes([row(reference=f"24.{number:05d}", victims="V-001*") for number in range(1, 8)])
    first = run(target, data, apply=True)
    counts = (Procedure.objects.count(), Event.objects.count(), Victim.objects.count(), history_count())

    second = run(target, data, apply=True)

    assert (first.created_count, second.created_count, second.updated_count, second.unchanged_count) == (7, 0, 0, 7)
    assert second.victims_created_count == 0
    assert (Procedure.objects.count(), Event.objects.count(), Victim.objects.count(), history_count()) == counts


def test_a_later_file_updates_a_procedure_found_by_its_parquet_and_number(target, dunkerque, images, procuring):
    run(target, csv_bytes([row(reference="24.00001", victims="V-001"), row(reference="24.00002")]), apply=True)
    procedure = Procedure.objects.get(normalised_reference="24.00001")

    later = csv_bytes(
        [
            row(
                parquet="Parquet de test Dunkerque",
                reference="24.00001",
                opened="02/05/2024",
                offences="925-5",
                victims="V-002",
                stage="Instruction",
                outcome="En cours",
            ),
            row(reference="24.00002"),
        ]
    )
    job = run(target, later, apply=True)

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    procedure.refresh_from_db()
    assert (procedure.opened_on, procedure.stage) == (date(2024, 5, 2), Stage.INSTRUCTION)
    assert list(procedure.offences.all()) == [procuring]
    assert list(procedure.victims.values_list("pseudonym", flat=True)) == ["V-002"]
    assert Event.objects.get(source_model="procedure", source_id=procedure.pk).occurred_on == date(2024, 5, 2)
    assert Procedure.objects.count() == 2
    assert job.report["samples"]["update"][0]["changes"] == ["ouverte le", "stade", "victimes", "infractions"]


def test_a_column_absent_from_the_file_leaves_that_field_alone(target, dunkerque, images):
    run(target, csv_bytes([row(stage="Jugement", victims="V-001")]), apply=True)

    job = run(target, csv_bytes([["TJT-DK", "24.00001"]], header=["parquet", "numero_parquet"]), apply=True)

    assert job.unchanged_count == 1
    procedure = Procedure.objects.get()
    assert procedure.stage == Stage.JUGEMENT and procedure.victims.count() == 1


def test_a_procedure_of_another_case_of_the_association_is_not_taken_over(target, dunkerque, images, association):
    other = CaseFactory(association=association, reference="ACPE-T-AUTRE", platform=target.platform)
    run(other, csv_bytes([row(reference="24.00001")]), apply=True)

    job = run(target, csv_bytes([row(reference="24.00001", stage="Jugement")]), apply=True)

    assert job.rejected_rows == [
        {"line": 2, "reason": "ce numéro est déjà enregistré pour ce parquet dans l'affaire ACPE-T-AUTRE"}
    ]
    assert Procedure.objects.get().case == other


def test_victims_are_matched_by_key_and_minors_flagged(target, dunkerque, images):
    known = VictimFactory(case=target, pseudonym="V-001")  # born 2009: minor at the facts (2024)

    job = run(target, csv_bytes([row(victims="v-001|V-002*|V-003 (mineure)|V-004")]), apply=True)

    assert job.victims_created_count == 3
    victims = {victim.pseudonym: victim for victim in target.victims.all()}
    assert victims["V-001"].pk == known.pk and victims["V-001"].minor_at_facts is True
    assert (victims["V-002"].minor_at_facts, victims["V-003"].minor_at_facts) == (True, True)
    assert victims["V-004"].minor_at_facts is None
    assert Procedure.objects.get().victims.count() == 4


def test_a_row_flagging_as_minor_a_victim_recorded_as_adult_is_rejected(target, dunkerque, images):
    VictimFactory(case=target, pseudonym="V-001", birth_date=date(1990, 1, 1))

    job = run(target, csv_bytes([row(victims="V-001*|V-009")]), apply=True)

    assert job.rejected_rows == [
        {"line": 2, "reason": "victime marquée mineure mais majeure aux faits selon sa fiche : V-001"}
    ]
    assert not Procedure.objects.exists()
    assert not target.victims.filter(pseudonym="V-009").exists()


# --- Resuming ------------------------------------------------------------------------------------


def test_an_interrupted_import_resumes_after_its_last_chunk_without_duplicates(target, dunkerque, images, monkeypatch):
    data = csv_bytes([row(reference=f"24.{number:05d}", victims=f"V-00{number}") for number in range(1, 6)])
    job = import_job_create(user=None, case=target, data=data, name="coco.csv", dry_run=False)
    write = imports.Importer.write
    calls = []

    def dies_on_the_second_chunk(self, planned, totals):
        calls.append(len(planned))
        if len(calls) == 2:
            raise ConnectionError("worker killed")
        return write(self, planned, totals)

    monkeypatch.setattr(imports.Importer, "write", dies_on_the_second_chunk)
    import_job_execute(job.pk, chunk_size=2)
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.processed_rows) == (ImportStatus.FAILED, [0], 2)
    assert Procedure.objects.count() == 2
    # As if the worker had died: still « running », silent for longer than STALE_AFTER.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now() - STALE_AFTER * 2
    )
    monkeypatch.setattr(imports.Importer, "write", write)

    result = run_import.apply(args=[job.pk]).get()

    job.refresh_from_db()
    assert result["status"] == ImportStatus.DONE
    assert (job.created_count, job.processed_rows, sorted(job.chunks_done)) == (5, 5, [0, 1, 2])
    assert Procedure.objects.count() == 5 and Event.objects.count() == 5
    assert Victim.objects.filter(case=target).count() == 5
    assert Procedure.victims.through.objects.count() == 5


def test_running_a_committed_chunk_again_creates_no_duplicate(target, dunkerque, images):
    job = run(
        target, csv_bytes([row(reference=f"24.{number:05d}", victims="V-001") for number in range(1, 4)]), apply=True
    )
    counts = (Procedure.objects.count(), Event.objects.count(), Procedure.victims.through.objects.count())
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED, chunks_done=[])

    import_job_execute(job.pk)

    assert (Procedure.objects.count(), Event.objects.count(), Procedure.victims.through.objects.count()) == counts


def test_a_running_job_with_a_fresh_heartbeat_is_not_taken_twice(target, dunkerque, images):
    job = import_job_create(user=None, case=target, data=csv_bytes([row()]), name="a.csv", dry_run=False)
    assert imports.import_job_claim(job.pk) is not None
    assert imports.import_job_claim(job.pk) is None
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - STALE_AFTER * 2)
    assert imports.import_job_claim(job.pk) is not None


# --- The command and the dataset generator -------------------------------------------------------


def test_the_command_simulates_by_default_and_lists_rejected_lines(target, dunkerque, images, tmp_path):
    source = tmp_path / "procedures.csv"
    source.write_bytes(csv_bytes([row(), row(parquet="Inconnu", reference="24.00002")]))
    out = io.StringIO()

    call_command("import_procedures", str(source), "--case", "ACPE-T-IMP", stdout=out)

    assert "1 procédures à créer" in out.getvalue() and "Rien n'a été écrit" in out.getvalue()
    assert "ligne 3 : parquet inconnu « Inconnu »" in out.getvalue()
    assert not Procedure.objects.exists()


def test_the_command_applies_with_apply(target, dunkerque, images, tmp_path):
    source = tmp_path / "procedures.csv"
    source.write_bytes(csv_bytes([row()]))
    out = io.StringIO()

    call_command("import_procedures", str(source), "--case", "ACPE-T-IMP", "--apply", stdout=out)

    assert "1 procédures créées" in out.getvalue()
    assert Procedure.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Impossible de lire le fichier"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Excel 97-2003"),
        (b"\x00\x01\x02binaire", "contenu binaire"),
        (b"colonne;autre\r\n1;2\r\n", "Colonne obligatoire introuvable"),
    ],
)
def test_the_command_fails_with_a_sentence_for_an_unreadable_file(target, tmp_path, content, message):
    source = tmp_path / "procedures.csv"
    if content is not None:
        source.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        call_command("import_procedures", str(source), "--case", "ACPE-T-IMP")


def test_the_command_fails_with_a_sentence_for_an_unknown_case(target, tmp_path):
    source = tmp_path / "procedures.csv"
    source.write_bytes(csv_bytes([row()]))

    with pytest.raises(CommandError, match="Aucune affaire de référence « NULLE-PART »"):
        call_command("import_procedures", str(source), "--case", "NULLE-PART")


def test_the_dataset_generator_is_deterministic_and_imports_cleanly(target, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    arguments = ["--procedures", "300", "--parquets", "7", "--victims", "40", "--seed", "7"]
    call_command("generate_dataset", *arguments, "--out", str(first), stdout=io.StringIO())
    call_command("generate_dataset", *arguments, "--out", str(second), stdout=io.StringIO())
    assert first.read_bytes() == second.read_bytes()

    rows = list(csv.DictReader(io.StringIO(first.read_text("utf-8")), delimiter=";"))
    assert len(rows) == 300 and len({r["parquet"] for r in rows}) <= 7
    opened = [date(*map(int, reversed(r["ouverte_le"].split("/")))) for r in rows]
    assert date(2021, 1, 1) <= min(opened) and max(opened) <= date(2024, 5, 7)
    victims = [key for r in rows for key in r["victimes"].split("|") if key]
    assert {len(r["victimes"].split("|")) if r["victimes"] else 0 for r in rows} <= {0, 1, 2, 3}
    assert {len(r["infractions"].split("|")) for r in rows} <= {1, 2, 3}
    assert len({key.rstrip("*") for key in victims}) <= 40 and any(key.endswith("*") for key in victims)

    job = run(target, first.read_bytes(), apply=True)
    assert (job.created_count, job.rejected_count) == (300, 0)


# --- Pages -------------------------------------------------------------------------------------


def test_the_upload_page_simulates_then_applies_with_a_progress_bar(
    client, owner, target, dunkerque, images, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    assert client.get(f"/affaires/{target.pk}/import/").status_code == 200
    upload = SimpleUploadedFile("coco.csv", csv_bytes([row(), row(parquet="?", reference="2")]))

    response = client.post(f"/affaires/{target.pk}/import/", {"file": upload})

    dry_run = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{dry_run.pk}/"
    page = client.get(f"/imports/{dry_run.pk}/").content.decode()
    assert "Appliquer" in page and "parquet inconnu « ? »" in page and "js/import_progress.js" in page
    assert not Procedure.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{dry_run.pk}/appliquer/")

    applied = ImportJob.objects.exclude(pk=dry_run.pk).get()
    assert response["Location"] == f"/imports/{applied.pk}/"
    status = client.get(f"/imports/{applied.pk}/etat/").json()
    assert (status["status"], status["progress"], status["created"], status["rejected"]) == ("done", 100, 1, 1)
    assert '<progress id="import-progress-bar"' in client.get(f"/imports/{applied.pk}/").content.decode()
    assert Procedure.objects.count() == 1


def test_the_page_of_a_queued_import_polls_and_a_failed_one_offers_to_resume(client, owner, target, dunkerque, images):
    job = import_job_create(user=owner, case=target, data=csv_bytes([row()]), name="a.csv", dry_run=False)
    client.force_login(owner)

    queued = client.get(f"/imports/{job.pk}/").content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error="L'import s'est arrêté.")
    failed = client.get(f"/imports/{job.pk}/").content.decode()

    assert 'data-finished="0"' in queued and f'data-url="/imports/{job.pk}/etat/"' in queued
    assert "Reprendre l'import" not in queued
    assert 'data-finished="1"' in failed and "Reprendre l'import" in failed
    assert client.post(f"/imports/{job.pk}/reprendre/").status_code == 302
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.QUEUED


def test_an_unreadable_upload_is_refused_on_the_form(client, owner, target):
    client.force_login(owner)
    upload = SimpleUploadedFile("coco.csv", b"a;b\r\n1;2\r\n")

    response = client.post(f"/affaires/{target.pk}/import/", {"file": upload})

    assert response.status_code == 200
    assert "Colonne obligatoire introuvable" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_import_pages_are_404_for_an_outsider_and_403_for_staff(client, outsider, colleague, owner, target):
    job = import_job_create(user=owner, case=target, data=csv_bytes([row()]), name="a.csv")
    urls = [f"/affaires/{target.pk}/import/", f"/imports/{job.pk}/", f"/imports/{job.pk}/etat/"]
    for user, expected in ((outsider, 404), (colleague, 403)):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [expected] * 3
        assert client.post(f"/imports/{job.pk}/appliquer/").status_code == expected


# --- API ---------------------------------------------------------------------------------------


def api_as(user, association=None) -> APIClient:
    api = APIClient()
    if association is None:
        api.force_authenticate(user)
    else:
        _token, key = case_services.api_token_create(user=user, association=association, name="script")
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def test_the_api_dry_run_answers_with_the_report_at_once(owner, association, target, dunkerque, images):
    upload = SimpleUploadedFile("coco.csv", csv_bytes([row(), row(parquet="?", reference="2")]))

    response = api_as(owner, association).post(
        "/api/v1/imports/", {"file": upload, "case": target.pk}, format="multipart"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["dry_run"], body["created_count"], body["rejected_count"]) == ("done", True, 1, 1)
    assert body["rejected_rows"] == [{"line": 3, "reason": "parquet inconnu « ? »"}]
    assert not Procedure.objects.exists()
    assert api_as(owner, association).get(f"/api/v1/imports/{body['id']}/").json()["progress"] == 100


def test_the_api_refuses_an_unreadable_file_with_a_400(owner, target):
    upload = SimpleUploadedFile("coco.csv", b"a;b\r\n")

    response = api_as(owner).post("/api/v1/imports/", {"file": upload, "case": target.pk}, format="multipart")

    assert response.status_code == 400
    assert "Colonne obligatoire introuvable" in response.json()["errors"]["file"][0]


def test_the_api_import_endpoints_are_404_for_an_outsider_and_403_for_staff(
    owner, outsider, colleague, association, other_association, target
):
    job = import_job_create(user=owner, case=target, data=csv_bytes([row()]), name="a.csv")
    # A token of the lawyer's other association sees nothing of this one.
    MembershipFactory(user=owner, association=other_association, role=Role.LAWYER)
    for api, expected in (
        (api_as(outsider), 404),
        (api_as(owner, other_association), 404),
        (api_as(colleague), 403),
    ):
        upload = SimpleUploadedFile("coco.csv", csv_bytes([row()]))
        posted = api.post("/api/v1/imports/", {"file": upload, "case": target.pk}, format="multipart")
        assert (posted.status_code, api.get(f"/api/v1/imports/{job.pk}/").status_code) == (expected, expected)
    assert ImportJob.objects.count() == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_api_apply_runs_on_a_real_worker_through_redis(celery_worker, media_root):
    association = MembershipFactory(user=UserFactory(username="avocate-api"), role=Role.LAWYER)
    user, association = association.user, association.association
    case = CaseFactory(association=association, reference="API-IMP", platform=PlatformFactory(name="Coco.gg"))
    ParquetFactory(code="TJT-API", name="Parquet de test API")
    OffenceFactory(label="Infraction de test API", article="999-77")
    rows = [row(parquet="TJT-API", reference=f"24.{n:05d}", offences="999-77", victims="V-001*") for n in range(50)]
    api = api_as(user, association)

    upload = SimpleUploadedFile("coco.csv", csv_bytes(rows))
    response = api.post("/api/v1/imports/", {"file": upload, "case": case.pk, "apply": "true"}, format="multipart")

    assert response.status_code == 201 and response.json()["status"] in {"queued", "running", "done"}
    job_url = f"/api/v1/imports/{response.json()['id']}/"
    deadline = time.monotonic() + 30
    while not (state := api.get(job_url).json())["finished"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (state["status"], state["created_count"], state["victims_created_count"]) == ("done", 50, 1)
    assert Procedure.objects.filter(case=case).count() == 50
    assert Event.objects.filter(case=case).count() == 50


@pytest.mark.django_db(transaction=True)
def test_chunks_written_by_several_threads_give_the_same_result_as_one(media_root):
    """Outside a test transaction chunks are written by WRITE_THREADS threads, each committing."""
    case = CaseFactory(reference="THREADS", platform=PlatformFactory(name="Coco.gg"))
    ParquetFactory(code="TJT-THR", name="Parquet de test fils")
    OffenceFactory(label="Infraction de test fils", article="999-88")
    rows = [
        row(parquet="TJT-THR", reference=f"24.{n:05d}", offences="999-88", victims=f"V-{n % 7:03d}*") for n in range(40)
    ]
    rows.insert(10, row(parquet="?", reference="x", offences="999-88"))
    assert imports.WRITE_THREADS > 1

    job = run(case, csv_bytes(rows), apply=True, chunk_size=6)
    again = run(case, csv_bytes(rows), apply=True, chunk_size=6)

    assert (job.status, job.created_count, job.rejected_count, job.processed_rows) == ("done", 40, 1, 41)
    assert sorted(job.chunks_done) == list(range(7))
    assert job.rejected_rows == [{"line": 12, "reason": "parquet inconnu « ? »"}]
    assert (again.unchanged_count, again.created_count) == (40, 0)
    assert Procedure.objects.filter(case=case).count() == 40 and Event.objects.filter(case=case).count() == 40
    assert Victim.objects.filter(case=case).count() == 7


def test_a_victim_key_that_is_not_a_pseudonym_rejects_the_line_without_repeating_it(target, dunkerque, images):
    job = run(target, csv_bytes([row(victims="V-001|MANON REALNAME")]), apply=True)

    [rejected] = job.rejected_rows
    assert rejected["line"] == 2 and "victime n° 2" in rejected["reason"] and "pseudonyme" in rejected["reason"]
    assert "MANON" not in str(job.rejected_rows) and "REALNAME" not in str(job.rejected_rows)
    assert not target.victims.exists() and not Procedure.objects.exists()


def test_a_large_applied_import_refreshes_the_planner_statistics(target, dunkerque, images, monkeypatch):
    """Without it, PostgreSQL plans the new case's lists as if it held the rows it had before."""
    from django.db import connection

    from procedures.imports import jobs

    monkeypatch.setattr(jobs, "ANALYZE_AFTER_ROWS", 3)
    tables = ("procedures_procedure", "procedures_procedure_suspects", "cases_suspect")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = -1 WHERE relname = ANY(%s)", [list(tables)])
    rows = [[*row(reference=f"24.0000{n}"), f"M-{n}"] for n in range(3)]
    run(target, csv_bytes(rows, header=[*HEADER, "mis_en_cause"]), apply=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [list(tables)])
        assert {name: count >= 3 for name, count in cursor.fetchall()} == dict.fromkeys(tables, True)


def test_the_dry_run_says_how_two_digit_years_were_read(client, owner, target, dunkerque, images):
    job = run(target, csv_bytes([row(reference="24.1", opened="03/01/21"), row(reference="24.2", opened="04/01/21")]))
    assert job.report["short_years"] == {"count": 2, "written": "03/01/21", "read": "03/01/2021"}
    client.force_login(owner)
    html = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert (
        "2 dates d&#x27;ouverture ont une année sur deux chiffres" in html
        or "2 dates d'ouverture ont une année sur deux chiffres" in html
    )
    assert "« 03/01/21 » → 03/01/2021" in html
