"""Formula injection (OWASP « CSV Injection ») in the exports: a text cell beginning with `=`, `+`,
`-`, `@`, tab or carriage return must not reach the spreadsheet as a formula. In CSV it is quoted
and prefixed with `'`; in XLSX it is a string cell. Import → export → import stays exact."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from procedures import exports, imports
from procedures.imports import import_job_create, import_job_execute
from procedures.models import Procedure
from tests.factories import CaseFactory, ParquetFactory, PlatformFactory, VictimFactory
from tests.procedures.factories import DeadlineFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Each would be a formula, or the start of one, in Excel or LibreOffice if written as is.
DANGEROUS = ["=1+1", "+33 6 12 34 56 78", "-2", "@SUM(A1)", "\tX", "\rY", '=HYPERLINK("http://x.test","clic")']


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


@pytest.fixture
def target(association, owner):
    return CaseFactory(
        association=association, reference="ACPE-T-INJ", platform=PlatformFactory(name="Coco.gg"), lead_lawyer=owner
    )


@pytest.fixture
def parquet():
    return ParquetFactory(code="TJT-INJ", name="Parquet de test Injection")


@pytest.fixture
def dangerous(target, parquet):
    """One procedure per dangerous parquet number, plus a harmless one; a victim key starting with `=`."""
    procedures = [ProcedureFactory(case=target, parquet=parquet, parquet_reference=value) for value in DANGEROUS]
    procedures.append(ProcedureFactory(case=target, parquet=parquet, parquet_reference="24/222"))
    procedures[0].victims.set([VictimFactory(case=target, pseudonym="=1+1")])
    return procedures


def export(client, owner, path: str) -> bytes:
    client.force_login(owner)
    response = client.get(path)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def xlsx_sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_a_csv_export_prefixes_every_dangerous_text_cell_with_a_quote(client, owner, dangerous, target):
    rows = csv_rows(export(client, owner, f"/procedures/export.csv?affaire={target.pk}"))

    references = [row[2] for row in rows[1:]]
    assert sorted(references) == sorted(["'" + value for value in DANGEROUS] + ["24/222"])
    assert "'=1+1*" in [row[6] for row in rows[1:]]  # the victims' column (a minor: `*`)
    assert not [cell for row in rows for cell in row if cell.startswith(TRIGGERS)]


def test_a_csv_export_quotes_every_cell(client, owner, dangerous, target):
    content = export(client, owner, f"/procedures/export.csv?affaire={target.pk}").decode("utf-8-sig")

    assert '"\'=1+1";' in content
    assert '"24/222"' in content


def test_a_csv_export_leaves_a_harmless_cell_as_it_is(client, owner, dangerous, target):
    rows = csv_rows(export(client, owner, f"/procedures/export.csv?affaire={target.pk}"))

    harmless = next(row for row in rows if row[2] == "24/222")
    assert harmless[1] == "Parquet de test Injection" and harmless[3] == "26/04/2024"


def test_an_xlsx_export_writes_dangerous_text_as_strings_not_formulas(client, owner, dangerous, target):
    sheet = xlsx_sheet(export(client, owner, f"/procedures/export.xlsx?affaire={target.pk}"))

    cells = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    # The exact text, without the CSV's quote: a string cell is never evaluated. (ElementTree reads
    # a raw CR back as LF, lxml keeps it; the import collapses whitespace either way.)
    expected = [value.replace("\r", "\n") for value in [*DANGEROUS, "24/222"]]
    assert sorted(cell.value.replace("\r", "\n") for cell in cells) == sorted(expected)
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def test_an_xlsx_export_marks_dangerous_text_as_quoted_so_editing_it_keeps_it_text(client, owner, dangerous, target):
    sheet = xlsx_sheet(export(client, owner, f"/procedures/export.xlsx?affaire={target.pk}"))

    by_value = {row[2].value: row[2] for row in sheet.iter_rows(min_row=2)}
    assert by_value["=1+1"].quotePrefix and by_value["@SUM(A1)"].quotePrefix
    assert not by_value["24/222"].quotePrefix


def test_an_xlsx_export_keeps_dates_as_dates(client, owner, dangerous, target):
    sheet = xlsx_sheet(export(client, owner, f"/procedures/export.xlsx?affaire={target.pk}"))

    opened = [row[3] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.is_date and cell.value.date() == date(2024, 4, 26) for cell in opened)


def test_the_deadline_export_neutralises_a_dangerous_override_reason(client, owner, dangerous):
    DeadlineFactory(procedure=dangerous[0], owner=owner, due_on=date(2025, 6, 13), override_reason="=cmd|' /C calc'!A0")

    rows = csv_rows(export(client, owner, "/delais/export.csv"))
    sheet = xlsx_sheet(export(client, owner, "/delais/export.xlsx"))

    assert rows[1][2] == "'=1+1" and rows[1][-1] == "'=cmd|' /C calc'!A0"
    reason = next(sheet.iter_rows(min_row=2))[-1]
    assert reason.data_type == "s" and reason.value == "=cmd|' /C calc'!A0"


def test_numbers_and_dates_are_not_escaped_and_stay_typed_in_xlsx():
    rows = [["-2 en texte", -2, -2.5, date(2024, 1, 2)]]

    buffer = io.StringIO()
    exports.write_csv(buffer, ["a", "b", "c", "d"], rows, bom=False)
    sheet = xlsx_sheet(exports.xlsx_bytes(["a", "b", "c", "d"], rows, title="T"))

    assert csv_rows(buffer.getvalue().encode())[1] == ["'-2 en texte", "-2", "-2.5", "02/01/2024"]
    text, integer, decimal, day = next(sheet.iter_rows(min_row=2))
    assert (text.data_type, text.value) == ("s", "-2 en texte")
    assert (integer.data_type, integer.value) == ("n", -2)
    assert (decimal.data_type, decimal.value) == ("n", -2.5)
    assert day.is_date and day.value.date() == date(2024, 1, 2)


@pytest.mark.parametrize("value", [*DANGEROUS, "'=déjà cité", "''+33", "'abc", "abc", "", "l'=x", "24/222"])
def test_unescaping_an_escaped_cell_gives_back_the_exact_text(value):
    assert imports.unescape_formula(exports.escape_formula(value)) == value


def test_unescaping_leaves_a_cell_that_was_not_escaped_as_it_is():
    assert imports.unescape_formula("'abc") == "'abc"
    assert imports.unescape_formula("abc'=") == "abc'="
    assert imports.unescape_formula("'") == "'"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_import_then_export_then_import_gives_back_the_same_values(client, owner, target, parquet, extension):
    # A user's own file, written plainly: the first import stores the text as it reads it.
    source = io.StringIO()
    writer = csv.writer(source, delimiter=";", lineterminator="\r\n")
    writer.writerow(["parquet", "numero_parquet", "ouverte_le", "victimes"])
    for n, value in enumerate([*DANGEROUS, "'=déjà cité", "''+33"]):
        writer.writerow([parquet.code, value, "26/04/2024", f"V-{n}|W-{n}*" if n % 2 else ""])
    first = import_job_execute(
        import_job_create(user=owner, case=target, data=source.getvalue().encode(), name="a.csv", dry_run=False).pk
    )
    assert (first.created_count, first.rejected_count) == (9, 0), first.rejected_rows
    before = sorted(Procedure.objects.values_list("parquet_reference", flat=True))
    victims_before = sorted(target.victims.values_list("pseudonym", "minor_at_facts"))

    content = export(client, owner, f"/procedures/export.{extension}?affaire={target.pk}")
    again = import_job_execute(
        import_job_create(user=owner, case=target, data=content, name=f"export.{extension}", dry_run=False).pk
    )

    assert (again.unchanged_count, again.created_count, again.updated_count, again.rejected_count) == (9, 0, 0, 0)
    assert sorted(Procedure.objects.values_list("parquet_reference", flat=True)) == before
    assert sorted(target.victims.values_list("pseudonym", "minor_at_facts")) == victims_before
    # A quote before a trigger is read as the text marker Excel users type (« '=… »), once.
    assert "=1+1" in before and "=déjà cité" in before and "'+33" in before


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_stored_text_beginning_with_a_quote_comes_back_with_its_quote(client, owner, target, parquet, extension):
    for value in ("'=déjà cité", "''+33", "'abc"):
        ProcedureFactory(case=target, parquet=parquet, parquet_reference=value)

    content = export(client, owner, f"/procedures/export.{extension}?affaire={target.pk}")
    job = import_job_execute(
        import_job_create(user=owner, case=target, data=content, name=f"export.{extension}", dry_run=False).pk
    )

    assert (job.unchanged_count, job.created_count, job.updated_count, job.rejected_count) == (3, 0, 0, 0)
    assert sorted(Procedure.objects.values_list("parquet_reference", flat=True)) == ["''+33", "'=déjà cité", "'abc"]


def test_the_statistics_csv_makes_labels_from_the_data_inert():
    from reports.statistics.views import _csv_cell

    assert _csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _csv_cell("Parquet de Lille") == "Parquet de Lille"
    assert _csv_cell(-3) == "-3"  # a number stays a number: no quote prefix
    assert _csv_cell(None) == ""
