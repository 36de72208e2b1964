"""Art. 9-2 last al. CPP: an act in a procedure against the same person for a 706-47 offence on
another minor interrupts. Two suspects of a case that a lawyer judged to be one person are that
same person for the prescription rows; withdrawing the judgement gives the earlier date back."""

from datetime import date

import pytest

from linking import services as linking
from linking.selectors import suspects_same_person
from procedures import services
from procedures.prescription_rows import prescription_rows
from tests.factories import OffenceFactory, ParquetFactory, SuspectFactory, VictimFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 6)
# Atteinte sexuelle on a minor born 1 Jan. 2000, facts of 1 June 2016: 10 years from the majority
# (art. 8 al. 3 as in force since the loi n° 2017-242), so 1 Jan. 2028 without any act.
ALONE = date(2028, 1, 1)


@pytest.fixture
def offence(db):
    return OffenceFactory(label="Atteinte sexuelle (test)", article="227-25")


@pytest.fixture
def setting(owner, case, offence):
    first = VictimFactory(case=case, pseudonym="V-1", birth_date=date(2000, 1, 1), facts_date=date(2016, 6, 1))
    second = VictimFactory(case=case, pseudonym="V-2", birth_date=date(2001, 1, 1), facts_date=date(2016, 6, 1))
    written_once = SuspectFactory(case=case, name="FICTIF-MARTIN J.")
    written_twice = SuspectFactory(case=case, name="Julien Fictif-Martin")
    for reference, victim, suspect in (("A", first, written_once), ("B", second, written_twice)):
        procedure = services.procedure_create(
            user=owner,
            case=case,
            parquet=ParquetFactory(name=f"Parquet {reference}"),
            parquet_reference=reference,
            opened_on=date(2016, 7, 1),
            victims=[victim],
            suspects=[suspect],
            offences=[offence],
        )
    # A custody in the second procedure (the other minor's), after the loi n° 2021-478 came in force.
    services.event_record(
        user=owner,
        case=case,
        procedure=procedure,
        kind="custody",
        occurred_on=date(2025, 6, 1),
        title="Garde à vue",
        interrupts_prescription=True,
    )
    persons = [linking.person_sync_suspect(suspect) for suspect in (written_once, written_twice)]
    return (first, second), persons


def _date(case, victims, offence):
    rows = prescription_rows(case, victims=list(victims), offences=[offence], today=TODAY)
    return next(row.result.date for row in rows if row.victim == victims[0])


def test_suspects_judged_one_person_feed_the_cross_procedure_interruption(owner, case, offence, setting):
    victims, (left, right) = setting
    assert _date(case, victims, offence) == ALONE  # two names, two persons: the other act does not count

    decision = linking.decision_record(user=owner, left=left, right=right, judgement="same", reason="même compte")
    assert suspects_same_person(case) == {left.suspect_id: left.suspect_id, right.suspect_id: left.suspect_id}
    # 10 years from the act of 1 June 2025 (art. 9-2 last al., art. 8 al. 3).
    assert _date(case, victims, offence) == date(2035, 6, 1)

    linking.decision_withdraw(user=owner, decision=decision)
    assert suspects_same_person(case) == {}
    assert _date(case, victims, offence) == ALONE


def test_a_possible_or_not_same_judgement_feeds_nothing(owner, case, offence, setting):
    victims, (left, right) = setting
    linking.decision_record(user=owner, left=left, right=right, judgement="possible", reason="")
    assert _date(case, victims, offence) == ALONE
    linking.decision_record(user=owner, left=left, right=right, judgement="not_same", reason="dates de naissance")
    assert _date(case, victims, offence) == ALONE
