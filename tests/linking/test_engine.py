"""The engine on small sets: blocking finds the pairs sharing a key only, the weights learnt do not
fall into « everything matches », an explanation adds up to the pair's weight, a common name
weighs less than a rare one, and one new record is matched against an index."""

import math
import random

import pytest

from linking.comparisons import COMPARISONS, gamma
from linking.engine import BlockIndex, candidate_pairs, match, prepare
from linking.model import Weights

GIVEN = ["jean", "marie", "paul", "lucie", "ahmed", "sofia", "louis", "emma", "hugo", "ines", "nathan", "lea"]
COMMON = ["martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy", "moreau"]
RARE = [f"nom{n}" for n in range(300)]


def people(count: int, seed: int = 3) -> list[dict]:
    generator = random.Random(seed)
    rows = []
    for index in range(count):
        rows.append(
            {
                "record_id": f"p{index}",
                "given_name": generator.choice(GIVEN),
                # A third of the people share ten surnames, as in life.
                "surname": generator.choice(COMMON if generator.random() < 0.3 else RARE),
                "birth_date": f"{generator.randint(1950, 2010)}-{generator.randint(1, 12):02d}-{generator.randint(1, 28):02d}",
                "postcode": f"{generator.randint(1, 95):02d}000",
                "city": generator.choice(["Paris", "Lyon", "Lille", "Nantes", "Metz"]),
            }
        )
    return rows


def variant(row: dict, generator: random.Random) -> dict:
    twin = {**row, "record_id": row["record_id"] + "-v"}
    if generator.random() < 0.5:
        twin["surname"] = twin["surname"].upper()
    else:
        twin["given_name"], twin["surname"] = "", f"{row['surname'].upper()} {row['given_name'][0]}."
    if generator.random() < 0.3:
        twin["city"] = ""
    return twin


@pytest.fixture(scope="module")
def linked():
    generator = random.Random(5)
    rows = people(800)
    left = [prepare(row) for row in rows]
    right = [prepare(variant(row, generator)) for row in rows[:400]] + [prepare(row) for row in people(400, seed=9)]
    return left, right, match(left, right)


def test_blocking_pairs_share_a_key_and_stay_far_below_all_pairs(linked):
    left, right, _ = linked
    pairs = candidate_pairs(left, right)
    # Twelve given names and five towns make large blocks; real names spread far more.
    assert len(pairs) < len(left) * len(right) / 10
    truth = {(index, index) for index in range(400)}
    assert len(truth & pairs) / len(truth) >= 0.99


def test_the_learnt_weights_find_the_twins_and_not_everyone(linked):
    _left, _right, (scored, weights) = linked
    found = {(pair.left["id"], pair.right["id"]) for pair in scored if pair.decision == "match"}
    truth = {(f"p{index}", f"p{index}-v") for index in range(400)}
    hits = len(found & truth)
    assert hits / len(truth) >= 0.95
    assert hits / len(found) >= 0.95
    assert weights.prior < 0.01  # two records taken at random seldom match


def test_an_explanation_adds_up_to_the_pairs_weight(linked):
    _left, _right, (scored, weights) = linked
    pair = scored[0]
    steps = weights.explain(pair.vector, pair.left)
    assert steps[0]["field"] == "prior"
    assert [step["field"] for step in steps[1:]] == [comparison.field for comparison in COMPARISONS]
    assert math.isclose(sum(step["weight"] for step in steps), pair.weight, abs_tol=1e-9)
    by_field = {step["field"]: step for step in steps}
    assert by_field["birth_date"]["level"] == "identique" and by_field["birth_date"]["weight"] > 5
    assert by_field["phone"]["level"] == "absent" and by_field["phone"]["weight"] == 0


def test_agreeing_on_a_common_name_weighs_less_than_on_a_rare_one(linked):
    _left, _right, (_scored, weights) = linked
    index = [comparison.field for comparison in COMPARISONS].index("surname")
    common = weights.frequency_adjustment(index, 1, "martin")
    rare = weights.frequency_adjustment(index, 1, "nom7")
    assert common < rare


def test_names_written_the_other_way_round_still_agree():
    left = prepare({"record_id": "a", "given_name": "Marie", "surname": "Lefèvre", "birth_date": "2001-02-03"})
    right = prepare({"record_id": "b", "given_name": "LEFEVRE", "surname": "Marie", "birth_date": "03/02/2001"})
    given, surname, birth = gamma(left, right)[:3]
    assert COMPARISONS[0].levels[given - 1].label == "inversé avec le nom"
    assert COMPARISONS[1].levels[surname - 1].label == "inversé avec le prénom"
    assert birth == 1


def test_one_new_record_is_matched_against_the_index(linked):
    left, _right, (_scored, weights) = linked
    index = BlockIndex(list(left), weights)
    newcomer = prepare({**people(800)[17], "record_id": "nouveau", "surname": people(800)[17]["surname"].upper()})
    found = index.query(newcomer)
    assert found and found[0].right["id"] == "p17" and found[0].decision == "match"
    assert len(index.candidates(newcomer)) < len(left) / 10


def test_weights_without_any_evidence_score_nothing():
    sizes = [len(comparison.levels) + 1 for comparison in COMPARISONS]
    flat = [[1 / size] * size for size in sizes]
    weights = Weights(comparisons=COMPARISONS, m=flat, u=flat, prior=0.5)
    assert weights.match_weight((None,) * len(COMPARISONS)) == 0


def test_pseudonym_codes_that_differ_by_their_number_do_not_agree():
    left, right = prepare({"surname": "Mis en examen M-2"}), prepare({"surname": "Mis en examen M-4"})
    surname = next(index for index, comparison in enumerate(COMPARISONS) if comparison.field == "surname")
    assert gamma(left, right, COMPARISONS)[surname] == 0
    assert gamma(left, dict(left), COMPARISONS)[surname] == 1
