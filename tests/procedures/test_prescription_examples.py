"""Runs the hand-computed worked examples of worked_examples/prescription.toml, one test per row."""

import tomllib
from pathlib import Path

import pytest

from procedures.prescription import SerialOffence, prescription_date

EXAMPLES = tomllib.loads((Path(__file__).parent / "worked_examples" / "prescription.toml").read_text(encoding="utf-8"))[
    "example"
]

INPUTS = (
    "nature",
    "facts_date",
    "article",
    "victim_birth_date",
    "interruptions",
    "cross_procedure_interruptions",
    "continuing",
    "conduct_ended_on",
    "hidden",
    "discovered_on",
    "terrorism",
    "drug_trafficking",
    "murder_with_rape_torture_barbarism",
)
OTHER_FIELDS = {"id", "expected", "source", "note", "suspended_since", "majority_based", "rule_key"}


def _kwargs(row: dict) -> dict:
    kwargs = {name: row[name] for name in INPUTS if name in row}
    kwargs["suspensions"] = [(start, None if end == "none" else end) for start, end in row.get("suspensions", ())]
    kwargs["serial_offences"] = [SerialOffence(**offence) for offence in row.get("serial_offences", ())]
    return kwargs


def test_there_are_enough_worked_examples_and_their_ids_are_unique():
    ids = [row["id"] for row in EXAMPLES]
    assert len(ids) >= 22
    assert len(ids) == len(set(ids))


def test_every_field_of_the_examples_is_known():
    known = {*INPUTS, *OTHER_FIELDS, "suspensions", "serial_offences"}
    assert {key for row in EXAMPLES for key in row} <= known


@pytest.mark.parametrize("row", EXAMPLES, ids=[row["id"] for row in EXAMPLES])
def test_worked_example(row):
    assert row["source"]
    result = prescription_date(**_kwargs(row))
    expected = None if row["expected"] == "none" else row["expected"]
    assert result.date == expected, result.explanation_fr
    if "suspended_since" in row:
        assert result.suspended_since == row["suspended_since"]
    if "majority_based" in row:
        assert result.majority_based is row["majority_based"]
    if "rule_key" in row:
        assert result.rule_key == row["rule_key"]
