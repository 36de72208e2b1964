"""Import polish (issue 17, part 5): the documented offence example is accepted, a spreadsheet's
two-digit years are read with an explicit century rule, field messages agree in gender."""

import csv
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from procedures.imports.validation import parse_date

UPLOAD_HELP = Path(settings.BASE_DIR) / "templates/procedures/imports/upload.html"
OFFENCES = Path(settings.BASE_DIR) / "cases/data/offences.csv"


def test_the_article_given_as_example_in_the_help_names_a_single_offence():
    example = re.search(r"son article \(« ([^»]+) »\)", UPLOAD_HELP.read_text()).group(1).strip()
    lines = [line for line in OFFENCES.read_text().splitlines() if line and not line.startswith("#")]
    articles = [row[4] for row in csv.reader(lines[1:], delimiter=";")]
    # A shared article is refused as ambiguous by the importer (validation.Catalogue.offence).
    assert articles.count(example) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/01/21", date(2021, 1, 3)),  # LibreOffice's « JJ/MM/AA »
        ("3/1/26", date(2026, 1, 3)),
        ("05/12/26", date(2026, 12, 5)),  # the import day itself
        ("06/12/26", date(1926, 12, 6)),  # would be in the future: previous century
        ("31/12/99", date(1999, 12, 31)),
        ("01.02.70", date(1970, 2, 1)),
    ],
)
def test_two_digit_years_take_the_latest_century_not_after_the_import_day(text, expected):
    assert parse_date(text, today=date(2026, 12, 5)) == (expected, None)


def test_four_digit_years_are_unchanged():
    assert parse_date("03/01/2021", today=date(2026, 12, 5)) == (date(2021, 1, 3), None)


@pytest.mark.django_db
def test_an_unknown_outcome_is_said_in_the_feminine(association):
    from procedures.imports.validation import Catalogue
    from tests.factories import CaseFactory

    catalogue = Catalogue(CaseFactory(association=association))
    assert catalogue.choice("outcome", "Peut-être")[1].startswith("issue inconnue « Peut-être »")
    assert catalogue.choice("stage", "Peut-être")[1].startswith("stade inconnu « Peut-être »")
