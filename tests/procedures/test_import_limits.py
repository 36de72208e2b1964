"""What an uploaded file may cost: workbooks that claim or hold more than they show (styled empty
cells out to column XFD, a sheet claiming A1:XFD1048576, zip bombs, XML entities), damaged
workbooks (a sentence on the form or a 400, never a 500, never a job), the row and column caps, and
the dry run of a large file done by a real worker."""

import io
import json
import os
import secrets
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from rest_framework.test import APIClient

from procedures.imports import ImportFileError, import_job_create, inspect_source, limits, read_source
from procedures.models import ImportJob, ImportStatus, Procedure
from tests.factories import CaseFactory, OffenceFactory, ParquetFactory, PlatformFactory

HEADER = ["parquet", "numero_parquet", "ouverte_le", "infractions", "plateforme", "victimes", "stade", "issue"]
MAIN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


# --- Crafted workbooks ---------------------------------------------------------------------------


def _members() -> dict[str, bytes]:
    """The parts of a real one-sheet workbook, made by openpyxl."""
    workbook = Workbook()
    workbook.active.append(HEADER)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def workbook(sheet: bytes | None = None, *, stored=False, **members) -> bytes:
    """A workbook whose first sheet's XML is `sheet` (and other parts replaced or added)."""
    parts = _members()
    if sheet is not None:
        parts["xl/worksheets/sheet1.xml"] = sheet
    parts.update({name.replace("__", "/"): data for name, data in members.items()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _text_cell(reference: str, text: str) -> bytes:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def header_row() -> bytes:
    return b'<row r="1">' + b"".join(_text_cell(f"{chr(65 + i)}1", name) for i, name in enumerate(HEADER)) + b"</row>"


def sheet(rows: bytes, *, dimension: bytes = b"") -> bytes:
    return MAIN + dimension + b"<sheetData>" + header_row() + rows + b"</sheetData></worksheet>"


def styled_far_cells(count: int) -> bytes:
    """The 82 KB workbook: each row a value in A and a styled empty cell in XFD, the last column."""
    rows = b"".join(
        b'<row r="%d">' % n + _text_cell(f"A{n}", "TJT-DK") + b'<c r="XFD%d" s="1"/></row>' % n
        for n in range(2, count + 2)
    )
    return sheet(rows, dimension=b'<dimension ref="A1:XFD1048576"/>')


def random_rows(count: int, width: int = 160) -> bytes:
    """Incompressible text in eight columns: a workbook as large as its upload."""
    return b"".join(
        b'<row r="%d">' % n
        + b"".join(_text_cell(f"{chr(65 + i)}{n}", secrets.token_hex(width // 2)) for i in range(8))
        + b"</row>"
        for n in range(2, count + 2)
    )


def measure(path: Path) -> dict:
    """Peak memory of inspecting then reading the file, in a fresh process (ru_maxrss), with the
    upload limit raised to 64 MB so that a 50 MB workbook is parsed rather than refused by size."""
    script = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
import openpyxl.reader.excel, openpyxl.worksheet._reader
from procedures.imports import ImportFileError, inspect_source, limits, read_source
limits.MAX_FILE_BYTES = 64 * limits.MIB
data = open(sys.argv[1], "rb").read()
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
before, started = peak(), time.monotonic()
try:
    inspect_source(data, "classeur.xlsx")
    outcome = {"rows": len(read_source(data, "classeur.xlsx").rows)}
except ImportFileError as error:
    outcome = {"refused": str(error)}
print(json.dumps({"before": before, "peak": peak(), "seconds": time.monotonic() - started, **outcome}))
"""
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script, a file of the test
        [sys.executable, "-c", script, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["growth"] = result["peak"] - result["before"]
    return result


# --- Memory --------------------------------------------------------------------------------------


def test_an_82_kb_workbook_of_styled_cells_out_to_column_xfd_is_read_in_a_few_megabytes(tmp_path):
    path = tmp_path / "styled.xlsx"
    path.write_bytes(workbook(styled_far_cells(9_500)))
    assert 70_000 < path.stat().st_size < 100_000

    result = measure(path)

    # It took the web process from 228 MB to 1.4 GB: each row was read 16,384 cells wide.
    assert result["rows"] == 9_500
    assert result["growth"] < 64, result


def test_a_50_mb_workbook_is_parsed_in_less_than_300_mib(tmp_path):
    path = tmp_path / "large.xlsx"
    path.write_bytes(workbook(sheet(random_rows(35_000)), stored=True))
    assert path.stat().st_size > 50 * 1024 * 1024

    result = measure(path)

    assert result["rows"] == 35_000
    assert result["growth"] < 300, result


def test_a_zip_bomb_is_refused_before_it_is_opened_in_little_memory(tmp_path):
    path = tmp_path / "bomb.xlsx"
    filler = b'<row r="2"><c r="A2" s="1"/></row>' * 30_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in _members().items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            member.write(MAIN + b"<sheetData>" + header_row())
            for _ in range(250):  # 250 MB of XML, about 250 KB compressed
                member.write(filler)
            member.write(b"</sheetData></worksheet>")
    path.write_bytes(buffer.getvalue())

    result = measure(path)

    assert "anormalement volumineux" in result["refused"]
    assert result["growth"] < 64 and result["seconds"] < 5, result


def test_a_million_styled_empty_cells_are_refused_in_little_memory(tmp_path):
    path = tmp_path / "cells.xlsx"
    columns = [chr(65 + i).encode() for i in range(20)]
    rows = b"".join(
        b'<row r="%d">' % n + b"".join(b'<c r="%s%d" s="%d"/>' % (column, n, n % 9) for column in columns) + b"</row>"
        for n in range(2, 60_000)
    )
    path.write_bytes(workbook(sheet(rows)))

    result = measure(path)

    assert "anormalement volumineux" in result["refused"]
    assert result["growth"] < 64, result


def test_a_workbook_at_every_limit_at_once_is_read_in_less_than_300_mib(tmp_path):
    """50,000 rows of 19 distinct values, as many blank styled rows, 99,000 merged ranges and
    499,000 shared strings: each just under its limit (limits.py)."""
    columns = [chr(65 + i).encode() for i in range(19)]
    rows = [
        b'<row r="%d">' % n
        + b"".join(
            b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (column, n, secrets.token_hex(4).encode())
            for column in columns
        )
        + b"</row>"
        for n in range(2, 50_002)
    ]
    rows += [b'<row r="%d" s="1" customFormat="1"/>' % n for n in range(50_002, 99_900)]
    merges = b"<mergeCells>" + b"".join(b'<mergeCell ref="A%d:B%d"/>' % (n, n) for n in range(2, 99_000))
    path = tmp_path / "limits.xlsx"
    path.write_bytes(
        workbook(
            MAIN
            + b"<sheetData>"
            + header_row()
            + b"".join(rows)
            + b"</sheetData>"
            + merges
            + b"</mergeCells></worksheet>",
            **shared_strings(secrets.token_hex(4) for _ in range(499_000)),
        )
    )

    result = measure(path)

    assert result["rows"] == 50_000
    assert result["growth"] < 300, result


def shared_strings(texts) -> dict:
    """The parts adding a table of shared strings to a workbook (for `workbook(**parts)`)."""
    parts = _members()
    items = b"".join(b"<si><t>%s</t></si>" % text.encode() for text in texts)
    return {
        "xl__sharedStrings.xml": b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + items
        + b"</sst>",
        "[Content_Types].xml": parts["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument'
            b'.spreadsheetml.sharedStrings+xml"/></Types>',
        ),
        "xl___rels__workbook.xml.rels": parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Id="rIdS" Target="sharedStrings.xml" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
            b"</Relationships>",
        ),
    }


def test_a_sheet_claiming_a1_to_xfd1048576_is_read_for_what_it_holds(tmp_path):
    rows = b'<row r="2">' + _text_cell("A2", "TJT-DK") + _text_cell("B2", "24.00001") + b"</row>"
    rows += b'<row r="1048576" s="1" customFormat="1"><c r="XFD1048576" s="1"/></row>'
    path = tmp_path / "dimension.xlsx"
    path.write_bytes(workbook(sheet(rows, dimension=b'<dimension ref="A1:XFD1048576"/>')))

    result = measure(path)

    assert result["rows"] == 1 and result["growth"] < 32, result


# --- Caps ----------------------------------------------------------------------------------------


def csv_bytes(rows, header=HEADER) -> bytes:
    return "\r\n".join(";".join(row) for row in [header, *rows]).encode() + b"\r\n"


def test_rows_past_the_cap_are_refused_with_a_sentence_in_a_workbook_and_a_csv(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    rows = [["TJT-DK", f"24.{n:05d}"] for n in range(6)]
    cells = b"".join(
        b'<row r="%d">' % (n + 2)
        + _text_cell(f"A{n + 2}", "TJT-DK")
        + _text_cell(f"B{n + 2}", f"24.{n:05d}")
        + b"</row>"
        for n in range(6)
    )

    for data, name in ((workbook(sheet(cells)), "a.xlsx"), (csv_bytes(rows), "a.csv")):
        with pytest.raises(ImportFileError, match="dépasse 5 lignes de données"):
            read_source(data, name)
    assert len(read_source(csv_bytes(rows[:5]), "a.csv").rows) == 5


def test_blank_styled_rows_do_not_count_against_the_row_cap(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    blank = b"".join(b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/></row>' % (n, n) for n in range(3, 500))
    rows = b'<row r="2">' + _text_cell("A2", "TJT-DK") + _text_cell("B2", "24.00001") + b"</row>" + blank

    assert [line for line, _cells in read_source(workbook(sheet(rows)), "a.xlsx").rows] == [2]


def test_a_value_past_the_column_cap_is_refused_but_a_styled_empty_cell_is_ignored(monkeypatch):
    monkeypatch.setattr(limits, "MAX_COLUMNS", 10)
    styled = b'<row r="2">' + _text_cell("A2", "TJT-DK") + _text_cell("B2", "24.00001") + b'<c r="XFD2" s="1"/></row>'
    filled = b'<row r="2">' + _text_cell("A2", "TJT-DK") + _text_cell("L2", "note") + b"</row>"

    assert read_source(workbook(sheet(styled)), "a.xlsx").rows == [(2, ["TJT-DK", "24.00001"])]
    with pytest.raises(ImportFileError, match="Ligne 2 : une valeur en colonne L, au-delà des 10 premières colonnes"):
        read_source(workbook(sheet(filled)), "a.xlsx")
    with pytest.raises(ImportFileError, match="Ligne 2 : une valeur au-delà des 10 premières colonnes"):
        read_source(csv_bytes([["TJT-DK", "24.00001", *[""] * 9, "note"]]), "a.csv")


def test_a_csv_line_of_millions_of_separators_is_refused():
    with pytest.raises(ImportFileError, match="Ligne 2 anormalement longue"):
        read_source(csv_bytes([[""] * 2_000_000]), "a.csv")


@pytest.mark.parametrize(
    ("limit", "make"),
    [
        ("XLSX_MAX_SHEET_ROWS", lambda: sheet(b"".join(b'<row r="%d" s="1"/>' % n for n in range(2, 40)))),
        ("XLSX_MAX_CELLS", lambda: sheet(b'<row r="2">' + b'<c s="1"/>' * 40 + b"</row>")),
        (
            "XLSX_MAX_ELEMENTS",
            lambda: (
                MAIN
                + b"<sheetData>"
                + header_row()
                + b"</sheetData><mergeCells>"
                + b'<mergeCell ref="A1:B1"/>' * 40
                + b"</mergeCells></worksheet>"
            ),
        ),
    ],
)
def test_each_count_of_the_workbook_xml_has_its_limit(monkeypatch, limit, make):
    data = workbook(make())
    inspect_source(data, "a.xlsx")

    monkeypatch.setattr(limits, limit, 30)

    with pytest.raises(ImportFileError, match="anormalement volumineux"):
        inspect_source(data, "a.xlsx")


def test_shared_strings_have_their_limit(monkeypatch):
    texts = ["parquet", "numero_parquet", *(f"24.{n:05d}" for n in range(40))]
    cells = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    cells += b'<row r="2"><c r="A2" t="inlineStr"><is><t>TJT-DK</t></is></c><c r="B2" t="s"><v>2</v></c></row>'
    data = workbook(MAIN + b"<sheetData>" + cells + b"</sheetData></worksheet>", **shared_strings(texts))
    assert read_source(data, "a.xlsx").rows == [(2, ["TJT-DK", "24.00000"])]

    monkeypatch.setattr(limits, "XLSX_MAX_STRINGS", 30)

    with pytest.raises(ImportFileError, match="anormalement volumineux"):
        inspect_source(data, "a.xlsx")


def test_a_member_expanding_past_the_ratio_or_the_total_is_refused(monkeypatch):
    data = workbook(sheet(b'<row r="2"><c r="A2" s="1"/></row>' * 40_000))  # 1.3 MB of XML, ratio about 400

    with pytest.raises(ImportFileError, match="anormalement volumineux"):
        inspect_source(data, "a.xlsx")
    monkeypatch.setattr(limits, "XLSX_MAX_RATIO", 1_000)
    assert inspect_source(data, "a.xlsx").format == "xlsx"
    monkeypatch.setattr(limits, "XLSX_MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    with pytest.raises(ImportFileError, match="anormalement volumineux"):
        inspect_source(data, "a.xlsx")


def test_the_xlsx_export_of_many_procedures_is_not_taken_for_a_bomb():
    from datetime import date

    from procedures import exports

    rows = [["ACPE-T", "TJT-DK", "24.00001", date(2024, 4, 26), "927-23", "Coco.gg", "V-001*", "Enquête", "En cours"]]
    data = exports.xlsx_bytes(exports.PROCEDURE_HEADERS, rows * 5_000, title="Procédures")

    assert len(read_source(data, "procedures.xlsx").rows) == 5_000


def test_openpyxl_parses_the_workbook_xml_through_defusedxml():
    from openpyxl import DEFUSEDXML
    from openpyxl.xml import functions

    assert DEFUSEDXML is True
    assert functions.iterparse.__module__.startswith("defusedxml")
    if functions.LXML:
        # lxml is installed (pikepdf needs it): openpyxl then parses with a parser that never
        # resolves entities; the damaged-file tests below check the billion laughs still fail.
        parsed = functions.fromstring(b'<!DOCTYPE d [<!ENTITY e "EXPANDED">]><d>&e;</d>')
        assert "EXPANDED" not in (parsed.text or "")
    else:
        assert functions.fromstring.__module__.startswith("defusedxml")


# --- Damaged files: a sentence, never a 500 ------------------------------------------------------

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)
GOOD_SHEET = sheet(b'<row r="2">' + _text_cell("A2", "TJT-DK") + _text_cell("B2", "24.00001") + b"</row>")
DAMAGED = {
    "feuille tronquée": (lambda: workbook(GOOD_SHEET[:-60]), "illisible ou endommagé"),
    "XML invalide": (lambda: workbook(MAIN + b"<sheetData><row><c></row></sheetData></worksheet>"), "endommagé"),
    "chaîne partagée absente": (
        lambda: workbook(sheet(b'<row r="2"><c r="A2" t="s"><v>999</v></c></row>')),
        "illisible ou endommagé",
    ),
    "entités XML": (lambda: workbook(LAUGHS + GOOD_SHEET), "déclarations XML refusées"),
    "zip sans classeur": (lambda: _zip_of_text(), "pas un classeur Excel"),
    "zip tronqué": (lambda: workbook(GOOD_SHEET)[:600], "illisible ou endommagé"),
}


def _zip_of_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "procédures")
    return buffer.getvalue()


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_workbook_is_a_sentence_on_the_upload_form(client, owner, target, kind):
    make, message = DAMAGED[kind]
    client.force_login(owner)

    response = client.post(f"/affaires/{target.pk}/import/", {"file": SimpleUploadedFile("coco.xlsx", make())})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_workbook_is_a_400_on_the_api_with_the_reason_on_the_file(owner, target, kind):
    make, message = DAMAGED[kind]
    api = APIClient()
    api.force_authenticate(owner)

    response = api.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("coco.xlsx", make()), "case": target.pk}, format="multipart"
    )

    assert response.status_code == 400
    assert message in response.json()["errors"]["file"][0]
    assert not ImportJob.objects.exists()


def test_a_job_whose_stored_workbook_turns_out_damaged_fails_with_the_sentence(target, monkeypatch):
    from procedures.imports import import_job_execute

    data = workbook(sheet(b'<row r="2"><c r="A2" t="s"><v>999</v></c></row>'))
    monkeypatch.setattr(limits, "SYNC_MAX_ROWS", 0)  # header only at upload, as for a large file
    job = import_job_create(user=None, case=target, data=data, name="coco.xlsx", dry_run=False)

    job = import_job_execute(job.pk)

    assert job.status == ImportStatus.FAILED and "illisible ou endommagé" in job.error
    assert not Procedure.objects.exists()


# --- Large dry runs ------------------------------------------------------------------------------


@pytest.fixture
def target(association, owner):
    return CaseFactory(
        association=association, reference="ACPE-T-LIM", platform=PlatformFactory(name="Coco.gg"), lead_lawyer=owner
    )


def not_in_the_request(*_arguments, **_options):
    raise AssertionError("a large dry run must not be done during the request")


def test_the_page_of_a_queued_dry_run_says_it_is_done_in_the_background(client, owner, target):
    ParquetFactory(code="TJT-DK", name="Parquet de test Dunkerque")
    job = import_job_create(user=owner, case=target, data=csv_bytes([["TJT-DK", "1"]]), name="a.csv")
    client.force_login(owner)

    page = client.get(f"/imports/{job.pk}/").content.decode()

    assert "La simulation se fait en tâche de fond" in page and 'data-finished="0"' in page
    assert "Appliquer" not in page


def test_a_small_dry_run_is_done_during_the_upload(client, owner, target):
    ParquetFactory(code="TJT-DK", name="Parquet de test Dunkerque")
    client.force_login(owner)

    client.post(f"/affaires/{target.pk}/import/", {"file": SimpleUploadedFile("a.csv", csv_bytes([["TJT-DK", "1"]]))})

    job = ImportJob.objects.get()
    assert (job.dry_run, job.status, job.created_count) == (True, ImportStatus.DONE, 1)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_large_dry_run_is_a_job_done_by_a_real_worker_and_followed_on_its_page(
    celery_worker, client, owner, target, monkeypatch
):
    monkeypatch.setattr(limits, "SYNC_MAX_ROWS", 20)
    monkeypatch.setattr("procedures.imports.views.import_job_execute", not_in_the_request)
    ParquetFactory(code="TJT-DK", name="Parquet de test Dunkerque")
    OffenceFactory(label="Infraction de test limites", article="999-66")
    rows = [
        ["TJT-DK", f"24.{n:05d}", "26/04/2024", "999-66", "Coco.gg", "V-001*", "Enquête", "En cours"] for n in range(60)
    ]
    client.force_login(owner)

    response = client.post(f"/affaires/{target.pk}/import/", {"file": SimpleUploadedFile("a.csv", csv_bytes(rows))})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert job.dry_run and job.total_rows == 60
    assert "Simulation confiée aux workers" in client.get(f"/imports/{job.pk}/").content.decode()
    deadline = time.monotonic() + 30
    while not (state := client.get(f"/imports/{job.pk}/etat/").json())["finished"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (state["status"], state["created"], state["rejected"]) == ("done", 60, 0)
    assert "Appliquer" in client.get(f"/imports/{job.pk}/").content.decode()
    assert not Procedure.objects.filter(case=target).exists()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_api_queues_a_large_dry_run_and_answers_at_once(celery_worker, owner, target, monkeypatch):
    monkeypatch.setattr(limits, "SYNC_MAX_ROWS", 20)
    monkeypatch.setattr("procedures.imports.api.import_job_execute", not_in_the_request)
    ParquetFactory(code="TJT-DK", name="Parquet de test Dunkerque")
    rows = [["TJT-DK", f"24.{n:05d}"] for n in range(30)]
    api = APIClient()
    api.force_authenticate(owner)

    response = api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("a.csv", csv_bytes(rows, header=HEADER[:2])), "case": target.pk},
        format="multipart",
    )

    assert response.status_code == 201 and response.json()["dry_run"] is True
    assert response.json()["status"] in {"queued", "running", "done"}
    url = f"/api/v1/imports/{response.json()['id']}/"
    deadline = time.monotonic() + 30
    while not (state := api.get(url).json())["finished"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (state["status"], state["created_count"]) == ("done", 30)
    assert not Procedure.objects.exists()


def test_the_upload_limit_is_said_in_megabytes(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1024 * 1024)
    with pytest.raises(ImportFileError, match="Fichier trop volumineux"):
        inspect_source(os.urandom(2 * 1024 * 1024), "a.csv")


def test_the_upload_page_states_the_limits(client, owner, target):
    client.force_login(owner)

    page = client.get(f"/affaires/{target.pk}/import/").content.decode()

    assert "Au plus 50\u202f000 lignes et 30 Mo" in page and "Au-delà de 2\u202f000 lignes" in page
