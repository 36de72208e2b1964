"""Distinct persons per parquet: suspects judged one person count once, in the totals, the parquet
table and its CSV; withdrawing the judgement counts them apart again; another association's
judgements never move these figures."""

import csv
import io
from datetime import date

import pytest

from linking import services as linking
from procedures import services
from reports.statistics.compute import statistics_compute
from reports.statistics.figures import StatisticsFilter
from reports.statistics.persons import distinct_persons
from tests.factories import CaseFactory, ParquetFactory, SuspectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(owner, case):
    lille, douai = ParquetFactory(name="Parquet de Lille (test)"), ParquetFactory(name="Parquet de Douai (test)")
    names = ("FICTIF-MARTIN J.", "Julien Fictif-Martin", "FICTIF-DURAND P.")
    suspects = [SuspectFactory(case=case, name=name) for name in names]
    for number, (parquet, suspect) in enumerate(zip((lille, douai, douai), suspects, strict=True)):
        services.procedure_create(
            user=owner,
            case=case,
            parquet=parquet,
            parquet_reference=f"24/{number}",
            opened_on=date(2024, 6, 25),
            suspects=[suspect],
        )
    statistics_compute(full=True)
    persons = [linking.person_sync_suspect(suspect) for suspect in suspects]
    return (lille, douai), persons


def _counts(case):
    return distinct_persons(StatisticsFilter(case.association_id))


def test_suspects_judged_one_person_count_once_per_parquet_and_overall(owner, case, world):
    (lille, douai), (martin, julien, durand) = world
    assert _counts(case) == {"": 3, str(lille.pk): 1, str(douai.pk): 2}

    same = linking.decision_record(user=owner, left=martin, right=julien, judgement="same", reason="même compte")
    assert _counts(case) == {"": 2, str(lille.pk): 1, str(douai.pk): 2}
    linking.decision_record(user=owner, left=julien, right=durand, judgement="not_same", reason="âges")
    assert _counts(case)[""] == 2

    linking.decision_withdraw(user=owner, decision=same)
    assert _counts(case) == {"": 3, str(lille.pk): 1, str(douai.pk): 2}


def test_the_dashboard_and_its_csv_show_distinct_persons(client, owner, case, world):
    _parquets, (martin, julien, _durand) = world
    linking.decision_record(user=owner, left=martin, right=julien, judgement="same", reason="même compte")
    client.force_login(owner)
    response = client.get("/statistiques/")
    assert response.status_code == 200
    assert response.context["totals"]["persons"] == 2
    assert b'data-figure="persons">2<' in response.content
    assert b"Personnes distinctes" in response.content

    export = client.get("/statistiques/export/parquet.csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index("Personnes distinctes (mis en cause)")
    assert sorted(row[column] for row in rows[1:]) == ["1", "2"]


def test_another_associations_decisions_do_not_move_the_figures(outsider, other_association, case, world):
    theirs_case = CaseFactory(association=other_association, reference="AUTRE-1")
    theirs = [linking.person_sync_suspect(SuspectFactory(case=theirs_case, name=n)) for n in ("A B", "A. B.")]
    linking.decision_record(user=outsider, left=theirs[0], right=theirs[1], judgement="same", reason="x")
    assert _counts(case)[""] == 3
