"""Statistics CSV exports read by a French spreadsheet like the other exports (procedures/exports.py):
UTF-8 with BOM, « ; », CRLF, numbers without thousands separator and with a decimal comma."""

import csv
import io
import re

import pytest
from django.urls import reverse

from reports.statistics.views import _csv_cell

pytestmark = pytest.mark.django_db


def test_the_statistics_csv_starts_with_a_bom_and_writes_plain_numbers(client, dataset, admin):
    client.force_login(admin)
    text = b"".join(client.get(reverse("statistics_export", args=["parquet"])).streaming_content).decode()
    assert text.startswith('\ufeff"Clé";')
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert len(rows) > 1
    for row in rows[1:]:
        for cell in row[2:]:
            assert re.fullmatch(r"(-?\d+(,\d+)?)?", cell), cell


def test_a_decimal_figure_gets_a_decimal_comma():
    assert _csv_cell(12.5) == "12,5"
    assert _csv_cell(334) == "334"
    assert _csv_cell(None) == ""
    assert _csv_cell("=1+1").startswith("'")
