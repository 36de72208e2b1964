"""Runs the hand-computed worked examples of worked_examples/deadlines.toml, one test per row."""

import tomllib
from pathlib import Path

import pytest

from procedures import deadlines

EXAMPLES = tomllib.loads((Path(__file__).parent / "worked_examples" / "deadlines.toml").read_text(encoding="utf-8"))[
    "example"
]


def test_there_are_enough_worked_examples_and_their_ids_are_unique():
    ids = [row["id"] for row in EXAMPLES]
    assert len(ids) >= 45
    assert len(ids) == len(set(ids))


def test_every_rule_has_a_worked_example():
    assert {rule.key for rule in deadlines.list_rules()} <= {row["rule"] for row in EXAMPLES}


@pytest.mark.parametrize("row", EXAMPLES, ids=[row["id"] for row in EXAMPLES])
def test_worked_example(row):
    assert row["source"]
    kwargs = {
        "subdivision": row.get("subdivision"),
        "closures": frozenset(row.get("closures", ())),
        "on": row.get("on"),
    }
    if "expected_error" in row:
        with pytest.raises(getattr(deadlines, row["expected_error"])):
            deadlines.compute(row["rule"], row["trigger"], **kwargs)
        return
    computation = deadlines.compute(row["rule"], row["trigger"], **kwargs)
    assert computation.due_on == row["expected"], computation.explanation_fr()
