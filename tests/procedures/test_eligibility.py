"""Standing of associations as partie civile (art. 2-2, 2-3, 2-6, 2-9, 2-16, 2-22 CPP), without a database.

Dates are real; associations are modelled on the Coco.gg ones (ACPE, declared 1986; SOS Homophobie,
declared 1994) with facts of 2023-2024.
"""

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procedures.eligibility import (
    ARTICLE_RULES,
    Applies,
    ArticleRange,
    AssociationFacts,
    OffenceFacts,
    ProcedureFacts,
    Status,
    VictimFacts,
    article_key,
    compare_articles,
    evaluate,
)

FACTS = date(2024, 3, 15)
MINOR_WHO_AGREED = VictimFacts(minor_at_facts=True, consent=True)
ADULT_WHO_AGREED = VictimFacts(minor_at_facts=False, consent=True)


def association(purposes, declared_on=date(1986, 6, 1), **overrides):
    values = {"public_utility": False, "ministry_approved": False} | overrides
    return AssociationFacts(purposes=frozenset(purposes), declared_on=declared_on, **values)


def procedure(*articles, victims=(MINOR_WHO_AGREED,), facts_date=FACTS, public_action_started=True, **overrides):
    offences = [a if isinstance(a, OffenceFacts) else OffenceFacts(a) for a in articles]
    return ProcedureFacts(
        facts_date=facts_date,
        public_action_started=public_action_started,
        offences=offences,
        victims=list(victims),
        **overrides,
    )


def assessment(association_facts, procedure_facts, article):
    result = evaluate(association_facts, procedure_facts)
    return next(item for item in result.assessments if item.article == article)


def status(item, key):
    return next(condition.status for condition in item.conditions if condition.key == key)


def keys(item):
    return {condition.key for condition in item.conditions}


# --- article numbers ---------------------------------------------------------------------------


def test_222_18_1_sits_between_222_18_and_222_19():
    assert compare_articles("222-18", "222-18-1") == -1
    assert compare_articles("222-18-1", "222-19") == -1


def test_225_4_1_comes_after_225_4():
    assert compare_articles("225-4-1", "225-4") == 1


def test_letter_suffixes_come_in_order_and_before_the_plain_article():
    assert article_key("224-1 A") < article_key("224-1 B") < article_key("224-1 C") < article_key("224-1")


def test_the_2_22_slavery_range_leaves_out_sequestration_under_224_1():
    slavery = ArticleRange("224-1 A", "224-1 C")
    assert "224-1 B" in slavery
    assert "224-1" not in slavery


def test_a_range_includes_both_ends_and_sub_articles():
    violence = ArticleRange("222-1", "222-18-1")
    assert all(article in violence for article in ("222-1", "222-14-4", "222-18-1"))
    assert "222-19" not in violence


def test_article_prefixes_spaces_and_case_are_ignored():
    assert article_key("art. 222-23") == article_key("222-23")
    assert article_key("224-1a") == article_key("224-1 A")


def test_an_unreadable_article_number_is_rejected():
    with pytest.raises(ValueError):
        article_key("vol simple")


ARTICLE_NUMBERS = st.lists(st.integers(min_value=1, max_value=999), min_size=1, max_size=4)
LETTERS = st.one_of(st.none(), st.sampled_from("ABCZ"))


def _article(numbers, letter=None):
    return "-".join(map(str, numbers)) + (f" {letter}" if letter else "")


@given(ARTICLE_NUMBERS, ARTICLE_NUMBERS)
def test_the_comparator_orders_plain_articles_as_tuples_of_ints(first, second):
    expected = (tuple(first) > tuple(second)) - (tuple(first) < tuple(second))
    assert compare_articles(_article(first), _article(second)) == expected


@given(st.lists(st.tuples(ARTICLE_NUMBERS, LETTERS), min_size=3, max_size=3))
def test_the_comparator_is_a_total_order(articles):
    a, b, c = (_article(numbers, letter) for numbers, letter in articles)
    assert compare_articles(a, a) == 0
    assert compare_articles(a, b) == -compare_articles(b, a)
    if compare_articles(a, b) <= 0 and compare_articles(b, c) <= 0:
        assert compare_articles(a, c) <= 0


# --- five years at the date of the facts -------------------------------------------------------


def test_an_association_one_day_short_of_five_years_at_the_facts_is_refused():
    item = assessment(
        association({"child_protection"}, date(2019, 3, 10)), procedure("225-7", facts_date=date(2024, 3, 9)), "2-3"
    )
    assert status(item, "seniority") is Status.MISSING
    assert item.applies is Applies.NO


def test_an_association_declared_exactly_five_years_before_the_facts_qualifies():
    item = assessment(
        association({"child_protection"}, date(2019, 3, 10)), procedure("225-7", facts_date=date(2024, 3, 10)), "2-3"
    )
    assert status(item, "seniority") is Status.MET
    assert item.applies is Applies.YES


def test_seniority_is_measured_at_the_facts_not_at_the_filing():
    # Declared in 2020, facts of 2022: five years are reached in 2025, too late for these facts.
    item = assessment(
        association({"child_protection"}, date(2020, 1, 1)), procedure("225-7", facts_date=date(2022, 6, 1)), "2-3"
    )
    assert status(item, "seniority") is Status.MISSING


def test_a_declaration_of_29_february_reaches_five_years_on_28_february():
    leap = association({"child_protection"}, date(2016, 2, 29))
    assert status(assessment(leap, procedure("225-7", facts_date=date(2021, 2, 28)), "2-3"), "seniority") is Status.MET
    assert (
        status(assessment(leap, procedure("225-7", facts_date=date(2021, 2, 27)), "2-3"), "seniority") is Status.MISSING
    )


def test_seniority_is_unknown_without_the_facts_date_or_the_declaration_date():
    no_facts = assessment(association({"child_protection"}), procedure("225-7", facts_date=None), "2-3")
    no_declaration = assessment(association({"child_protection"}, None), procedure("225-7"), "2-3")
    assert status(no_facts, "seniority") is Status.UNKNOWN
    assert status(no_declaration, "seniority") is Status.UNKNOWN
    assert no_facts.applies is Applies.UNKNOWN


# --- the Coco.gg associations ------------------------------------------------------------------


def test_acpe_files_under_2_3_and_2_22_for_aggravated_procuring_of_a_minor():
    acpe = association({"child_protection", "procuring"}, date(1986, 6, 1))
    result = evaluate(acpe, procedure("225-7"))
    assert result.applicable_articles == ["2-3", "2-22"]


def test_acpe_without_the_victims_agreement_is_refused_under_2_22_but_not_under_2_3():
    acpe = association({"child_protection", "procuring"})
    no_agreement = procedure("225-7", victims=[VictimFacts(minor_at_facts=True, consent=False)])
    article_2_22 = assessment(acpe, no_agreement, "2-22")
    assert status(article_2_22, "victim_consent") is Status.MISSING
    assert article_2_22.applies is Applies.NO
    assert assessment(acpe, no_agreement, "2-3").applies is Applies.YES


def test_an_association_reconnue_d_utilite_publique_needs_no_agreement_under_2_22():
    acpe = association({"child_protection", "procuring"}, public_utility=True)
    item = assessment(acpe, procedure("225-7", victims=[VictimFacts(minor_at_facts=True, consent=False)]), "2-22")
    assert status(item, "victim_consent") is Status.MET
    assert item.applies is Applies.YES


def test_public_utility_keeps_the_agreement_met_when_no_victim_is_identified_yet():
    acpe = association({"procuring"}, public_utility=True)
    item = assessment(acpe, procedure("225-5", victims=[]), "2-22")
    assert status(item, "victim_consent") is Status.MET
    assert item.applies is Applies.YES


def test_sos_homophobie_files_under_2_6_for_a_premeditated_murder_with_the_heirs_agreement():
    sos = association({"discrimination_lgbt"}, date(1994, 7, 1))
    murder = OffenceFacts("221-3", discriminatory_motive=True)
    heirs_agreed = VictimFacts(minor_at_facts=False, consent=True, deceased=True)
    item = assessment(sos, procedure(murder, victims=[heirs_agreed], public_action_started=None), "2-6")
    assert item.applies is Applies.YES
    assert "ayants droit" in next(c.label_fr for c in item.conditions if c.key == "victim_consent")
    assert "public_action" not in keys(item)


def test_2_6_does_not_cover_theft():
    sos = association({"discrimination_lgbt"}, date(1994, 7, 1))
    item = assessment(sos, procedure(OffenceFacts("311-1", discriminatory_motive=True)), "2-6")
    assert item.applies is Applies.NO
    assert item.offences_covered == []
    assert any("2024-1113 QPC" in note for note in item.notes_fr)


# --- 2-2 ---------------------------------------------------------------------------------------


def test_2_2_applies_to_an_adult_victim_who_agreed_without_a_public_action():
    item = assessment(
        association({"sexual_violence"}),
        procedure("222-23", victims=[ADULT_WHO_AGREED], public_action_started=False),
        "2-2",
    )
    assert item.applies is Applies.YES
    assert "public_action" not in keys(item)


def test_2_2_is_refused_for_a_minor_victim():
    item = assessment(association({"sexual_violence"}), procedure("222-23", victims=[MINOR_WHO_AGREED]), "2-2")
    assert status(item, "victim_adult") is Status.MISSING
    assert item.applies is Applies.NO


@pytest.mark.parametrize(("consent", "expected"), [(True, Status.MET), (False, Status.MISSING), (None, Status.UNKNOWN)])
def test_2_2_always_needs_the_victims_agreement(consent, expected):
    victim = VictimFacts(minor_at_facts=False, consent=consent)
    assert (
        status(
            assessment(association({"sexual_violence"}), procedure("222-23", victims=[victim]), "2-2"), "victim_consent"
        )
        is expected
    )


def test_2_2_uses_the_one_adult_victim_who_agreed_among_several():
    victims = [MINOR_WHO_AGREED, VictimFacts(minor_at_facts=False, consent=None), ADULT_WHO_AGREED]
    item = assessment(association({"sexual_violence"}), procedure("222-27", victims=victims), "2-2")
    assert item.applies is Applies.YES
    assert item.conditions[-1].detail_fr.startswith("Victime n° 3")


def test_victim_conditions_are_unknown_when_no_victim_is_identified():
    item = assessment(association({"sexual_violence"}), procedure("222-23", victims=[]), "2-2")
    assert status(item, "victim_consent") is Status.UNKNOWN
    assert item.applies is Applies.UNKNOWN


# --- 2-3 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("started", "expected"), [(True, Applies.YES), (False, Applies.NO), (None, Applies.UNKNOWN)])
def test_2_3_needs_the_public_action_set_in_motion(started, expected):
    assert (
        assessment(association({"child_protection"}), procedure("227-22", public_action_started=started), "2-3").applies
        is expected
    )


def test_2_3_needs_no_agreement_of_the_victim():
    item = assessment(
        association({"child_protection"}), procedure("225-7", victims=[VictimFacts(True, consent=False)]), "2-3"
    )
    assert "victim_consent" not in keys(item)
    assert item.applies is Applies.YES


def test_2_3_needs_a_minor_victim():
    item = assessment(association({"child_protection"}), procedure("222-13", victims=[ADULT_WHO_AGREED]), "2-3")
    assert status(item, "victim_minor") is Status.MISSING


def test_a_ministry_registered_association_needs_no_public_action_for_child_abuse_images():
    registered = association({"child_protection"}, ministry_approved=True)
    item = assessment(registered, procedure("227-23", public_action_started=False), "2-3")
    assert status(item, "public_action") is Status.MET
    assert item.applies is Applies.YES
    not_registered = assessment(
        association({"child_protection"}), procedure("227-23", public_action_started=False), "2-3"
    )
    assert not_registered.applies is Applies.NO


def test_a_ministry_registered_association_needs_no_public_action_for_sexual_offences_abroad():
    registered = association({"child_protection"}, ministry_approved=True)
    abroad = procedure("227-25", public_action_started=False, committed_abroad=True)
    at_home = procedure("227-25", public_action_started=False)
    assert assessment(registered, abroad, "2-3").applies is Applies.YES
    assert assessment(registered, at_home, "2-3").applies is Applies.NO


# --- 2-6 ---------------------------------------------------------------------------------------


def test_2_6_needs_the_victims_agreement_for_violence_but_not_for_discrimination():
    sos = association({"discrimination_lgbt"})
    refused = VictimFacts(minor_at_facts=False, consent=False)
    violence = OffenceFacts("222-12", discriminatory_motive=True)
    discrimination = OffenceFacts("225-2", discriminatory_motive=True)
    item = assessment(sos, procedure(violence, discrimination, victims=[refused]), "2-6")
    assert item.applies is Applies.YES
    assert item.offences_covered == ["222-12", "225-2"]
    assert item.offences_admissible == ["225-2"]


def test_2_6_stays_unknown_while_the_motive_is_not_established():
    item = assessment(association({"discrimination_lgbt"}), procedure("222-12", victims=[ADULT_WHO_AGREED]), "2-6")
    assert status(item, "discriminatory_motive") is Status.UNKNOWN
    assert item.applies is Applies.UNKNOWN


# --- 2-9, 2-16 ---------------------------------------------------------------------------------


def test_a_victims_association_files_under_2_9_for_a_terrorist_act_without_any_victim_in_the_case():
    item = assessment(association({"victims"}), procedure("421-2-1", victims=[]), "2-9")
    assert item.applies is Applies.YES
    assert keys(item) == {"purpose", "seniority", "public_action"}


def test_2_9_needs_the_public_action_set_in_motion():
    item = assessment(association({"victims"}), procedure("421-1", public_action_started=False), "2-9")
    assert status(item, "public_action") is Status.MISSING


def test_an_approved_association_of_victims_of_the_attack_needs_no_seniority_under_2_9():
    young = association({"terrorism"}, date(2023, 1, 1), ministry_approved=True)
    item = assessment(young, procedure("421-1"), "2-9")
    assert status(item, "approval") is Status.MET
    assert item.applies is Applies.YES


@pytest.mark.parametrize(("started", "expected"), [(True, Applies.YES), (False, Applies.NO)])
def test_2_16_covers_drug_trafficking_once_the_public_action_started(started, expected):
    item = assessment(association({"drugs"}), procedure("222-37", public_action_started=started), "2-16")
    assert item.applies is expected


# --- standing in general -----------------------------------------------------------------------


def test_an_association_without_the_purpose_in_its_statutes_is_refused():
    item = assessment(association({"drugs"}), procedure("225-7"), "2-3")
    assert status(item, "purpose") is Status.MISSING
    assert item.applies is Applies.NO


def test_a_foundation_reconnue_d_utilite_publique_needs_no_seniority():
    foundation = association({"child_protection"}, date(2023, 1, 1), public_utility=True, is_foundation=True)
    item = assessment(foundation, procedure("225-7"), "2-3")
    assert status(item, "foundation_public_utility") is Status.MET
    assert "seniority" not in keys(item)
    not_recognised = association({"child_protection"}, date(2000, 1, 1), is_foundation=True)
    assert assessment(not_recognised, procedure("225-7"), "2-3").applies is Applies.NO


def test_an_unknown_purpose_key_is_rejected():
    with pytest.raises(ValueError):
        evaluate(association({"animal_welfare"}), procedure("225-7"))


def test_every_article_is_assessed_and_every_condition_cites_its_source():
    result = evaluate(association({"child_protection"}), procedure("225-7", "222-23", "421-1"))
    assert [item.article for item in result.assessments] == [rule.article for rule in ARTICLE_RULES]
    assert {rule.article for rule in ARTICLE_RULES} == {"2-2", "2-3", "2-6", "2-9", "2-16", "2-22"}
    for item in result.assessments:
        assert item.conditions
        assert all(condition.source.startswith("art. ") and condition.label_fr for condition in item.conditions)


def test_the_snapshot_survives_a_json_round_trip():
    acpe = association({"child_protection", "procuring"})
    snapshot = evaluate(acpe, procedure("225-7")).to_dict()
    restored = json.loads(json.dumps(snapshot))
    assert restored["applicable_articles"] == ["2-3", "2-22"]
    article_2_3 = next(item for item in restored["assessments"] if item["article"] == "2-3")
    assert article_2_3["applies"] == "yes"
    assert {"key": "public_action", "status": "met"}.items() <= next(
        c for c in article_2_3["conditions"] if c["key"] == "public_action"
    ).items()
