"""The change-log triggers exist in the database the migrations built (their SQL lives only there):
every table whose rows move the figures has its statement-level trigger."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

BOTH_WAYS = (
    "procedures_procedure",
    "procedures_procedure_victims",
    "procedures_procedure_offences",
    "procedures_procedure_suspects",
    "procedures_filing",
    "procedures_decision",
)
UPDATES_ONLY = ("cases_victim", "cases_case", "cases_parquet", "cases_offence")


def test_every_table_that_moves_the_figures_has_its_triggers():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table, trigger_name FROM information_schema.triggers "
            "WHERE trigger_name LIKE 'statistics_mark_%%'"
        )
        found = set(cursor.fetchall())
    expected = {(table, f"statistics_mark_{event}") for table in BOTH_WAYS for event in ("insert", "update", "delete")}
    expected |= {(table, "statistics_mark_update") for table in UPDATES_ONLY}
    assert expected <= found
