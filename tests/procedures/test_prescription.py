"""Prescription of the public action (art. 7, 8, 9, 9-1, 9-2 CPP) on real calendar dates, without a database.

Counting (Crim. 8 Jan. 2018, n° 16-86.735): from the day after the facts, « de quantième à quantième »,
expiring the last day at midnight. So `date` is the anniversary and the action is prescribed the day after.
"""

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from procedures.eligibility import in_ranges
from procedures.prescription import (
    ARTICLE_706_47,
    RULES,
    SerialOffence,
    add_months,
    add_years,
    is_prescribed,
    majority_date,
    prescription_date,
    warning_due,
)

# --- ordinary periods --------------------------------------------------------------------------


def test_a_delit_can_be_prosecuted_until_the_sixth_anniversary_of_the_facts():
    # Procuring (225-5) on an adult, Wednesday 25 October 2017.
    result = prescription_date(nature="delit", facts_date=date(2017, 10, 25), article="225-5")
    assert result.date == date(2023, 10, 25)
    assert result.prescribed_from == date(2023, 10, 26)
    assert result.rule_key == "delit"
    assert result.source == "art. 8 al. 1 CPP"


def test_a_crime_is_prescribed_twenty_years_after_the_facts():
    # Murder (221-1) of an adult, 15 April 2004.
    result = prescription_date(
        nature="crime", facts_date=date(2004, 4, 15), article="221-1", victim_birth_date=date(1980, 1, 1)
    )
    assert result.date == date(2024, 4, 15)
    assert result.rule_key == "crime"


def test_a_contravention_is_prescribed_after_one_year():
    assert prescription_date(nature="contravention", facts_date=date(2024, 6, 25)).date == date(2025, 6, 25)


def test_a_prescription_ending_on_a_sunday_is_not_extended_to_monday():
    # 801 CPP governs periods to do an act, not prescription: 25 October 2026 is a Sunday.
    assert prescription_date(nature="delit", facts_date=date(2020, 10, 25)).date == date(2026, 10, 25)


def test_facts_of_29_february_end_on_28_february():
    assert prescription_date(nature="delit", facts_date=date(2016, 2, 29)).date == date(2022, 2, 28)


def test_an_unknown_nature_is_rejected():
    with pytest.raises(ValueError):
        prescription_date(nature="infraction", facts_date=date(2024, 1, 1))


# --- special periods ---------------------------------------------------------------------------


def test_a_terrorist_crime_is_prescribed_after_thirty_years():
    result = prescription_date(nature="crime", facts_date=date(2015, 11, 13), article="421-1")
    assert result.date == date(2045, 11, 13)
    assert result.rule_key == "crime_30_years"


def test_a_drug_trafficking_crime_is_prescribed_after_thirty_years_and_a_drug_delit_after_twenty():
    assert prescription_date(nature="crime", facts_date=date(2023, 5, 2), article="222-34").date == date(2053, 5, 2)
    assert prescription_date(nature="delit", facts_date=date(2023, 5, 2), article="222-37").date == date(2043, 5, 2)


def test_the_category_flag_alone_selects_the_terrorism_period():
    result = prescription_date(nature="crime", facts_date=date(2016, 7, 14), terrorism=True)
    assert result.date == date(2046, 7, 14)


def test_apology_of_terrorism_keeps_the_ordinary_six_years():
    assert prescription_date(nature="delit", facts_date=date(2020, 1, 1), article="421-2-5").date == date(2026, 1, 1)


def test_a_crime_against_humanity_is_imprescriptible():
    result = prescription_date(nature="crime", facts_date=date(1944, 6, 10), article="212-1")
    assert result.date is None
    assert result.prescribed_from is None
    assert not warning_due(result, date(2100, 1, 1))


# --- offences against minors -------------------------------------------------------------------


def test_a_delit_against_a_minor_runs_ten_years_from_the_majority():
    # Corruption of a 12-year-old (227-22) met on the site, 1 January 2021.
    result = prescription_date(
        nature="delit", facts_date=date(2021, 1, 1), article="227-22", victim_birth_date=date(2008, 5, 15)
    )
    assert majority_date(date(2008, 5, 15)) == date(2026, 5, 15)
    assert result.date == date(2036, 5, 15)
    assert result.rule_key == "minor_delit_706_47"


def test_aggravated_procuring_of_a_minor_runs_ten_years_from_the_majority():
    result = prescription_date(
        nature="delit", facts_date=date(2023, 10, 1), article="225-7", victim_birth_date=date(2009, 4, 3)
    )
    assert result.date == date(2037, 4, 3)


@pytest.mark.parametrize("article", ["222-29-1", "227-26", "222-12"])
def test_the_three_listed_delits_against_a_minor_run_twenty_years_from_the_majority(article):
    result = prescription_date(
        nature="delit", facts_date=date(2023, 6, 1), article=article, victim_birth_date=date(2010, 3, 1)
    )
    assert result.date == date(2048, 3, 1)
    assert result.source == "art. 8 al. 3 CPP"


def test_rape_of_a_minor_under_fifteen_runs_thirty_years_from_the_18th_birthday():
    result = prescription_date(
        nature="crime", facts_date=date(2021, 7, 14), article="222-23-1", victim_birth_date=date(2009, 9, 20)
    )
    assert result.date == date(2057, 9, 20)
    assert result.rule_key == "minor_crime_706_47"


def test_a_victim_born_on_29_february_comes_of_age_on_28_february():
    assert majority_date(date(2008, 2, 29)) == date(2026, 2, 28)


def test_facts_on_the_18th_birthday_are_facts_on_an_adult():
    result = prescription_date(
        nature="delit", facts_date=date(2026, 5, 15), article="227-22", victim_birth_date=date(2008, 5, 15)
    )
    assert result.rule_key == "delit"
    assert result.date == date(2032, 5, 15)


def test_without_a_birth_date_the_minors_rules_are_not_applied_and_the_explanation_says_so():
    result = prescription_date(nature="delit", facts_date=date(2021, 1, 1), article="227-22")
    assert result.rule_key == "delit"
    assert "naissance de la victime inconnue" in result.explanation_fr


def test_a_victim_born_after_the_facts_is_rejected():
    with pytest.raises(ValueError):
        prescription_date(nature="delit", facts_date=date(2021, 1, 1), victim_birth_date=date(2022, 1, 1))


def test_the_706_47_list_holds_the_offences_seen_in_the_coco_procedures():
    for article in ("221-3", "222-23-1", "222-27", "225-7", "225-7-1", "225-12-1", "227-22-1", "227-23", "227-28-3"):
        assert in_ranges(article, ARTICLE_706_47), article
    for article in ("311-1", "225-5", "225-12-5", "323-3-2", "324-1"):
        assert not in_ranges(article, ARTICLE_706_47), article


def test_a_later_rape_of_another_minor_prolongs_the_prescription_of_a_rape():
    # Art. 7 al. 3: committed before the first rape is prescribed, it carries it to its own date.
    later = SerialOffence(committed_on=date(2030, 1, 1), prescription_date=date(2065, 2, 2))
    result = prescription_date(
        nature="crime",
        facts_date=date(2021, 7, 14),
        article="222-23",
        victim_birth_date=date(2009, 9, 20),
        serial_offences=[later],
    )
    assert result.date == date(2065, 2, 2)
    unrelated = prescription_date(
        nature="crime",
        facts_date=date(2021, 7, 14),
        article="221-1",
        victim_birth_date=date(2009, 9, 20),
        serial_offences=[later],
    )
    assert unrelated.date == date(2057, 9, 20)


# --- hidden offences ---------------------------------------------------------------------------


def test_a_hidden_delit_runs_from_its_discovery():
    result = prescription_date(
        nature="delit", facts_date=date(2015, 3, 1), hidden=True, discovered_on=date(2019, 6, 10)
    )
    assert result.date == date(2025, 6, 10)


def test_a_hidden_delit_discovered_late_is_capped_twelve_years_after_the_facts():
    result = prescription_date(
        nature="delit", facts_date=date(2010, 1, 15), hidden=True, discovered_on=date(2020, 5, 1)
    )
    assert result.date == date(2022, 1, 15)


def test_a_hidden_crime_is_capped_thirty_years_after_the_facts():
    result = prescription_date(nature="crime", facts_date=date(2000, 9, 1), hidden=True, discovered_on=date(2025, 1, 1))
    assert result.date == date(2030, 9, 1)


def test_a_hidden_offence_not_yet_discovered_shows_the_cap():
    result = prescription_date(nature="delit", facts_date=date(2020, 2, 3), hidden=True)
    assert result.date == date(2032, 2, 3)


def test_hidden_changes_nothing_for_a_minors_period():
    plain = prescription_date(
        nature="delit", facts_date=date(2021, 1, 1), article="227-22", victim_birth_date=date(2008, 5, 15)
    )
    hidden = prescription_date(
        nature="delit",
        facts_date=date(2021, 1, 1),
        article="227-22",
        victim_birth_date=date(2008, 5, 15),
        hidden=True,
        discovered_on=date(2035, 1, 1),
    )
    assert hidden.date == plain.date


def test_an_act_before_the_cap_restores_the_ordinary_period_from_that_act():
    # Circulaire of 28 February 2017: once interrupted before the cap, the six years run again.
    result = prescription_date(
        nature="delit",
        facts_date=date(2010, 1, 15),
        hidden=True,
        discovered_on=date(2020, 5, 1),
        interruptions=[date(2021, 3, 1)],
    )
    assert result.date == date(2027, 3, 1)


# --- interruptions -----------------------------------------------------------------------------


def test_an_interruption_restarts_the_full_period_from_the_act():
    result = prescription_date(nature="delit", facts_date=date(2018, 1, 10), interruptions=[date(2022, 6, 1)])
    assert result.date == date(2028, 6, 1)
    assert "art. 9-2" in result.explanation_fr


def test_each_interruption_made_in_time_restarts_the_period_again():
    acts = [date(2026, 3, 1), date(2020, 5, 5)]  # in any order
    result = prescription_date(nature="delit", facts_date=date(2018, 1, 10), interruptions=acts)
    assert result.date == date(2032, 3, 1)


def test_an_act_made_after_the_prescription_revives_nothing():
    result = prescription_date(nature="delit", facts_date=date(2010, 1, 10), interruptions=[date(2017, 1, 1)])
    assert result.date == date(2016, 1, 10)
    assert "sans effet" in result.explanation_fr


def test_an_act_before_the_majority_does_not_shorten_the_minors_period():
    result = prescription_date(
        nature="delit",
        facts_date=date(2021, 1, 1),
        article="227-22",
        victim_birth_date=date(2008, 5, 15),
        interruptions=[date(2022, 2, 1)],
    )
    assert result.date == date(2036, 5, 15)


def test_an_interruption_before_the_facts_is_rejected():
    with pytest.raises(ValueError):
        prescription_date(nature="delit", facts_date=date(2021, 1, 1), interruptions=[date(2020, 1, 1)])


# --- warnings ----------------------------------------------------------------------------------


def test_the_warning_starts_six_months_before_the_last_day():
    result = prescription_date(nature="delit", facts_date=date(2018, 10, 25))  # last day 25 October 2024
    assert not warning_due(result, date(2024, 4, 24))
    assert warning_due(result, date(2024, 4, 25))
    assert warning_due(result, date(2024, 10, 25))
    assert not is_prescribed(result, date(2024, 10, 25))
    assert warning_due(result, date(2024, 10, 26))
    assert is_prescribed(result, date(2024, 10, 26))


def test_the_warning_period_can_be_changed():
    result = prescription_date(nature="delit", facts_date=date(2018, 10, 25))
    assert warning_due(result, date(2024, 9, 25), months=1)
    assert not warning_due(result, date(2024, 9, 24), months=1)


def test_six_months_before_31_august_is_the_last_day_of_february():
    assert add_months(date(2025, 8, 31), -6) == date(2025, 2, 28)
    assert add_months(date(2024, 8, 31), -6) == date(2024, 2, 29)


# --- the rule table and properties -------------------------------------------------------------


def test_every_rule_cites_its_article_and_has_a_french_label():
    for rule in RULES:
        assert rule.source.startswith("art. ") and "CPP" in rule.source
        assert rule.label_fr


FACTS_DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
NATURES = st.sampled_from(["crime", "delit", "contravention"])
ARTICLES = st.sampled_from(
    [None, "221-1", "222-23", "222-29-1", "225-5", "225-7", "227-23", "421-1", "222-37", "311-1"]
)


@st.composite
def cases(draw):
    facts = draw(FACTS_DATES)
    birth = draw(st.one_of(st.none(), st.dates(min_value=facts - timedelta(days=30 * 365), max_value=facts)))
    hidden = draw(st.booleans())
    discovered = draw(st.one_of(st.none(), st.dates(min_value=facts, max_value=facts + timedelta(days=20 * 365))))
    acts = draw(st.lists(st.dates(min_value=facts, max_value=facts + timedelta(days=40 * 365)), max_size=3))
    return {
        "nature": draw(NATURES),
        "facts_date": facts,
        "article": draw(ARTICLES),
        "victim_birth_date": birth,
        "hidden": hidden,
        "discovered_on": discovered,
        "interruptions": acts,
    }


@given(cases())
def test_the_prescription_date_is_never_before_the_facts(case):
    result = prescription_date(**case)
    assert result.date is None or result.date >= case["facts_date"]


@given(NATURES, ARTICLES, FACTS_DATES, FACTS_DATES, st.booleans(), st.one_of(st.none(), FACTS_DATES))
def test_later_facts_never_give_an_earlier_prescription(nature, article, first, second, hidden, discovered):
    earlier, later = sorted((first, second))
    assume(discovered is None or discovered >= later)
    common = {"nature": nature, "article": article, "hidden": hidden, "discovered_on": discovered}
    assert prescription_date(facts_date=earlier, **common).date <= prescription_date(facts_date=later, **common).date


@given(cases(), st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_an_interruption_never_shortens_the_period(case, act):
    assume(act >= case["facts_date"])
    without = prescription_date(**case)
    with_act = prescription_date(**case | {"interruptions": [*case["interruptions"], act]})
    assert without.date is None or with_act.date >= without.date


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2020, 12, 31)), st.integers(min_value=0, max_value=17 * 365))
def test_for_a_minor_victim_the_date_depends_on_the_birthday_not_on_the_facts(birth, days_after_birth):
    facts = birth + timedelta(days=days_after_birth)
    assume(facts < majority_date(birth))
    result = prescription_date(nature="delit", facts_date=facts, article="227-23", victim_birth_date=birth)
    assert result.date == add_years(majority_date(birth), 10)
