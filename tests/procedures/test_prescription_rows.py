"""The case page's prescription rows read only the steps of the procedures that concern the victim and
the offence: a step in another parquet's procedure about other facts must never extend a date."""

from datetime import date

import pytest

from procedures import services
from procedures.prescription_rows import prescription_rows
from tests.factories import OffenceFactory, ParquetFactory, VictimFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 4)


@pytest.fixture
def procuring(db):
    return OffenceFactory(label="Proxénétisme (test)", article="225-5")


@pytest.fixture
def adult(case):
    # Adult at the facts of 1 March 2018: a délit of 2018 is prosecutable for 6 years.
    return VictimFactory(case=case, pseudonym="V-ADULT", birth_date=date(1990, 1, 1), facts_date=date(2018, 3, 1))


def _procedure(owner, case, reference, victims, offences, **fields):
    return services.procedure_create(
        user=owner,
        case=case,
        parquet=ParquetFactory(name=f"Parquet {reference}"),
        parquet_reference=reference,
        opened_on=date(2018, 3, 2),
        victims=victims,
        offences=offences,
        **fields,
    )


def _act(owner, procedure, day, **fields):
    services.event_record(
        user=owner,
        case=procedure.case,
        procedure=procedure,
        kind="custody",
        occurred_on=day,
        title="Garde à vue",
        **fields,
    )


def _row(case, victims, offences):
    [row] = prescription_rows(case, victims=victims, offences=offences, today=TODAY)
    return row


def test_an_act_in_another_victims_procedure_does_not_interrupt(owner, case, adult, procuring):
    other = VictimFactory(case=case, pseudonym="V-OTHER", birth_date=date(1990, 1, 1), facts_date=date(2018, 3, 1))
    _procedure(owner, case, "A", [adult], [procuring])
    elsewhere = _procedure(owner, case, "B", [other], [procuring])
    _act(owner, elsewhere, date(2023, 6, 1), interrupts_prescription=True)
    assert _row(case, [adult], [procuring]).result.date == date(2024, 3, 1)


def test_an_act_in_the_victims_own_procedure_interrupts(owner, case, adult, procuring):
    own = _procedure(owner, case, "A", [adult], [procuring])
    _act(owner, own, date(2023, 6, 1), interrupts_prescription=True)
    assert _row(case, [adult], [procuring]).result.date == date(2029, 6, 1)


def test_registering_the_procedure_alone_interrupts_nothing(owner, case, adult, procuring):
    _procedure(owner, case, "A", [adult], [procuring])
    assert _row(case, [adult], [procuring]).result.date == date(2024, 3, 1)


def test_an_art_41_1_measure_under_way_suspends(owner, case, adult, procuring):
    own = _procedure(owner, case, "A", [adult], [procuring])
    services.event_record(
        user=owner, case=case, procedure=own, kind="alternative_41_1", occurred_on=date(2023, 6, 1), title="Mesure"
    )
    row = _row(case, [adult], [procuring])
    assert row.result.date is None
    assert row.result.suspended_since == date(2023, 6, 1)


def test_a_continuing_offence_runs_from_the_recorded_end_of_the_conduct(owner, case, adult):
    receiving = OffenceFactory(label="Recel (test)", article="321-1", continuing=True)
    _procedure(owner, case, "A", [adult], [receiving], conduct_ended_on=date(2021, 5, 10))
    assert _row(case, [adult], [receiving]).result.date == date(2027, 5, 10)
