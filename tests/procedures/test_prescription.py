"""Prescription of the public action (art. 7, 8, 9, 9-1, 9-2 CPP) on real calendar dates, without a database.

Counting (Crim. 8 Jan. 2018, n° 16-86.735): from the day after the facts, « de quantième à quantième »,
expiring the last day at midnight. So `date` is the anniversary and the action is prescribed the day after.
The successive laws apply only to offences not yet prescribed on their first day (art. 112-2 4° C. pén.).
More dated cases: worked_examples/prescription.toml.
"""

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from procedures.eligibility import in_ranges
from procedures.prescription import (
    ARTICLE_706_47,
    LAW_VERSIONS,
    RULES,
    SerialOffence,
    add_months,
    add_years,
    find_rule,
    is_prescribed,
    majority_date,
    prescription_date,
    warning_due,
)
from procedures.prescription_rules import LIST_706_47

# --- ordinary periods --------------------------------------------------------------------------


def test_a_delit_can_be_prosecuted_until_the_sixth_anniversary_of_the_facts():
    # Procuring (225-5) on an adult, Wednesday 25 October 2017.
    result = prescription_date(nature="delit", facts_date=date(2017, 10, 25), article="225-5")
    assert result.date == date(2023, 10, 25)
    assert result.prescribed_from == date(2023, 10, 26)
    assert result.rule_key == "delit"
    assert result.source == "art. 8 al. 1 CPP"


def test_a_crime_is_prescribed_twenty_years_after_the_facts():
    # Murder (221-1) of an adult, 15 April 2018.
    result = prescription_date(
        nature="crime", facts_date=date(2018, 4, 15), article="221-1", victim_birth_date=date(1980, 1, 1)
    )
    assert result.date == date(2038, 4, 15)
    assert result.rule_key == "crime"


# --- no revival (art. 112-2 4° C. pén.) ------------------------------------------------------------


def test_a_crime_prescribed_under_the_ten_year_law_is_not_revived_by_the_twenty_years_of_2017():
    # Murder of an adult, 15 April 2004: ten years (art. 7 ancien) end on 15 April 2014, before 2017.
    result = prescription_date(
        nature="crime", facts_date=date(2004, 4, 15), article="221-1", victim_birth_date=date(1980, 1, 1)
    )
    assert result.date == date(2014, 4, 15)
    assert result.source == "art. 7 al. 1 CPP (rédaction antérieure à la loi n° 2017-242)"
    assert any("non appliquée" in step and "2017-242" in step for step in result.law_steps)


def test_a_delit_prescribed_in_january_2015_stays_prescribed():
    result = prescription_date(nature="delit", facts_date=date(2012, 1, 10), article="225-5")
    assert result.date == date(2015, 1, 10)
    assert "pas de résurrection" in result.explanation_fr


def test_a_delit_still_running_on_1_march_2017_gets_the_six_years():
    result = prescription_date(nature="delit", facts_date=date(2014, 6, 1), article="225-5")
    assert result.date == date(2020, 6, 1)
    assert result.law_steps[0].startswith("Loi applicable au 01/06/2014")
    assert any("2017-242" in step and "appliquée" in step and "non" not in step for step in result.law_steps)


def test_the_new_law_reaches_an_offence_whose_last_day_is_its_first_day():
    assert prescription_date(nature="delit", facts_date=date(2014, 3, 1)).date == date(2020, 3, 1)
    assert prescription_date(nature="delit", facts_date=date(2014, 2, 28)).date == date(2017, 2, 28)


def test_a_law_before_march_2004_does_not_reach_earlier_facts():
    # Loi 98-468 (in force 20 June 1998) and the 1994 wording of art. 112-2 4°: a rape of a minor of
    # 1997 keeps ten years from the facts until the law of 9 March 2004 takes it over.
    result = prescription_date(
        nature="crime", facts_date=date(1997, 5, 1), article="222-23", victim_birth_date=date(1990, 1, 1)
    )
    # 10 years -> 1 May 2007, running on 12 March 2004: 20 years from the majority (1 January 2008),
    # then 30 years from 6 August 2018.
    assert result.date == date(2038, 1, 1)
    assert any("98-468" in step and "faits antérieurs" in step for step in result.law_steps)


def test_every_law_version_cites_where_it_was_read_and_starts_after_the_previous_one():
    days = [version.valid_from for version in LAW_VERSIONS]
    assert days == sorted(days) and len(set(days)) == len(days)
    assert all(version.source and version.title_fr for version in LAW_VERSIONS)
    assert {version.key for version in LAW_VERSIONS if not version.applies_to_pending} == {
        "before_1995",
        "loi_1995_125",
        "loi_1998_468",
        "loi_2003_239",
    }


def test_find_rule_answers_for_the_law_of_a_given_day():
    assert find_rule("delit", "225-5").years == 6
    assert find_rule("delit", "225-5", on=date(2016, 12, 31)).years == 3
    assert find_rule("crime", "222-23", minor=True, on=date(2010, 1, 1)).years == 20
    assert find_rule("crime", "222-23", minor=True).years == 30


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
    for article in ("222-23-1", "222-27", "222-29-1", "225-7", "225-7-1", "225-12-1", "227-22-1", "227-23", "227-26"):
        assert in_ranges(article, ARTICLE_706_47), article
    # Murder of a minor is in today's 1° (list form); definitions (227-21-1, 222-22-1) and the other
    # procuring offences are not offences of the list.
    assert in_ranges("221-1", ARTICLE_706_47)
    for article in ("227-21-1", "222-22-1", "227-28-3", "225-5", "225-10", "225-12-5", "323-3-2"):
        assert not in_ranges(article, ARTICLE_706_47), article
    assert all(entry.source.startswith("art. 706-47") for entry in LIST_706_47)


def test_a_murder_of_a_minor_entered_706_47_unconditionally_only_with_the_list_form():
    common = {
        "nature": "crime",
        "facts_date": date(2019, 7, 1),
        "article": "221-1",
        "victim_birth_date": date(2005, 1, 1),
    }
    plain = prescription_date(**common)
    # 20 years under the 2004 wording (murder with rape, torture or barbarism only), not acquired on
    # 23 April 2021, then 30 years from the majority (1 January 2023).
    assert plain.date == date(2053, 1, 1) and plain.rule_key == "minor_crime_706_47"
    assert "706-47 1°" in plain.explanation_fr
    # Facts prescribed under the conditional wording stay prescribed (art. 112-2 4° C. pén.).
    old = prescription_date(
        nature="crime", facts_date=date(1999, 7, 1), article="221-1", victim_birth_date=date(1990, 1, 1)
    )
    assert old.date is not None and old.date < date(2021, 4, 23)
    with_rape = prescription_date(**common, murder_with_rape_torture_barbarism=True)
    assert with_rape.date == date(2053, 1, 1) and with_rape.rule_key == "minor_crime_706_47"
    in_recidivism = prescription_date(**common, murder_in_legal_recidivism=True)
    assert in_recidivism.date == date(2053, 1, 1)


def test_procuring_of_a_minor_counts_for_706_47_only_from_the_date_read():
    # 225-7 was not in the 2004-2016 list; the date it entered was not found: 23 April 2021 is used.
    result = prescription_date(
        nature="delit", facts_date=date(2012, 9, 1), article="225-7", victim_birth_date=date(1995, 5, 5)
    )
    assert result.date == date(2015, 9, 1)


def test_the_majority_date_is_never_printed_and_majority_based_says_it_was_used():
    birth = date(2009, 6, 15)
    result = prescription_date(nature="delit", facts_date=date(2021, 3, 1), article="227-23", victim_birth_date=birth)
    assert result.majority_based
    assert "Point de départ : majorité de la victime." in result.explanation_fr
    assert "15/06/2027" not in result.explanation_fr and "15/06/2009" not in result.explanation_fr
    assert not any("15/06/2027" in step for step in result.law_steps)
    adult = prescription_date(
        nature="delit", facts_date=date(2021, 3, 1), article="227-23", victim_birth_date=date(1990, 1, 1)
    )
    assert not adult.majority_based


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
    # Only a rape is prolonged, not a murder, even one of 706-47.
    unrelated = prescription_date(
        nature="crime",
        facts_date=date(2021, 7, 14),
        article="221-1",
        victim_birth_date=date(2009, 9, 20),
        serial_offences=[later],
        murder_with_rape_torture_barbarism=True,
    )
    assert unrelated.date == date(2057, 9, 20)


def test_sliding_prescription_of_a_delit_covers_sexual_assaults_and_atteintes_not_other_delits():
    # Art. 8 al. 4: « une agression sexuelle ou une atteinte sexuelle commise sur un mineur ».
    later = SerialOffence(committed_on=date(2024, 1, 10), prescription_date=date(2048, 9, 9), article="222-29-1")
    common = {"nature": "delit", "facts_date": date(2022, 6, 1), "victim_birth_date": date(2009, 4, 1)}
    assert prescription_date(**common, article="227-25", serial_offences=[later]).date == date(2048, 9, 9)
    assert prescription_date(**common, article="222-27", serial_offences=[later]).date == date(2048, 9, 9)
    # Not images (227-23), though of 706-47: ten years from the majority, 1 April 2037.
    assert prescription_date(**common, article="227-23", serial_offences=[later]).date == date(2037, 4, 1)
    # A later offence of another kind (corruption, 227-22) prolongs nothing.
    other = SerialOffence(committed_on=date(2024, 1, 10), prescription_date=date(2048, 9, 9), article="227-22")
    assert prescription_date(**common, article="227-25", serial_offences=[other]).date == date(2037, 4, 1)


def test_sliding_prescription_counts_only_offences_committed_from_23_april_2021():
    common = {
        "nature": "crime",
        "facts_date": date(2019, 1, 1),
        "article": "222-23",
        "victim_birth_date": date(2005, 1, 1),
    }
    before = SerialOffence(committed_on=date(2021, 4, 22), prescription_date=date(2058, 1, 1))
    after = SerialOffence(committed_on=date(2021, 4, 23), prescription_date=date(2058, 1, 1))
    assert prescription_date(**common, serial_offences=[before]).date == date(2053, 1, 1)
    assert prescription_date(**common, serial_offences=[after]).date == date(2058, 1, 1)


# --- cross-procedure interruption (art. 9-2 last al.) ---------------------------------------------


def test_an_act_against_the_same_person_for_another_minor_interrupts_from_25_april_2021():
    common = {
        "nature": "delit",
        "facts_date": date(2016, 6, 1),
        "article": "227-25",
        "victim_birth_date": date(2000, 1, 1),
    }
    assert prescription_date(**common).date == date(2028, 1, 1)
    assert prescription_date(**common, cross_procedure_interruptions=[date(2027, 6, 1)]).date == date(2037, 6, 1)
    # Restored by the rectificatif of 24 April 2021: an act of that day does not count.
    early = prescription_date(**common, cross_procedure_interruptions=[date(2021, 4, 24)])
    assert early.date == date(2028, 1, 1)
    assert "25/04/2021" in early.explanation_fr
    assert prescription_date(**common, cross_procedure_interruptions=[date(2021, 4, 25)]).date == date(2031, 4, 25)


def test_the_cross_procedure_interruption_is_only_for_rape_sexual_assault_and_atteinte_on_a_minor():
    minor = {"facts_date": date(2016, 6, 1), "victim_birth_date": date(2000, 1, 1)}
    acts = [date(2027, 6, 1)]
    assert prescription_date(
        nature="delit", article="227-23", cross_procedure_interruptions=acts, **minor
    ).date == date(2028, 1, 1)
    adult = prescription_date(
        nature="delit",
        facts_date=date(2020, 6, 1),
        article="222-27",
        victim_birth_date=date(1990, 1, 1),
        cross_procedure_interruptions=[date(2025, 6, 1)],
    )
    assert adult.date == date(2026, 6, 1)


# --- hidden offences ---------------------------------------------------------------------------


def test_a_hidden_delit_runs_from_its_discovery():
    result = prescription_date(
        nature="delit", facts_date=date(2015, 3, 1), hidden=True, discovered_on=date(2019, 6, 10)
    )
    assert result.date == date(2025, 6, 10)


def test_a_hidden_delit_discovered_late_is_capped_twelve_years_after_the_facts():
    result = prescription_date(
        nature="delit", facts_date=date(2016, 1, 15), hidden=True, discovered_on=date(2026, 5, 1)
    )
    assert result.date == date(2028, 1, 15)


def test_a_hidden_crime_is_capped_thirty_years_after_the_facts():
    result = prescription_date(nature="crime", facts_date=date(2010, 9, 1), hidden=True, discovered_on=date(2045, 1, 1))
    assert result.date == date(2040, 9, 1)


def test_before_1_march_2017_a_hidden_offence_runs_from_the_facts():
    # Art. 9-1 comes with the loi 2017-242; the earlier case law is not applied (the earlier date).
    result = prescription_date(
        nature="delit", facts_date=date(2010, 1, 15), hidden=True, discovered_on=date(2020, 5, 1)
    )
    assert result.date == date(2013, 1, 15)
    assert "01/03/2017" in result.explanation_fr


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
        facts_date=date(2016, 1, 15),
        hidden=True,
        discovered_on=date(2027, 5, 1),
        interruptions=[date(2027, 9, 1)],
    )
    assert result.date == date(2033, 9, 1)


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
    # Three years (art. 8 ancien) end on 10 January 2013; neither the act of 2017 nor the 2017 law revive it.
    result = prescription_date(nature="delit", facts_date=date(2010, 1, 10), interruptions=[date(2017, 1, 1)])
    assert result.date == date(2013, 1, 10)
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


def test_a_classement_sans_suite_is_no_input_and_changes_nothing():
    # Only acts of art. 9-2 1° to 4° are interruptions; a classement or registering a case is not passed.
    assert prescription_date(nature="delit", facts_date=date(2019, 3, 1)).date == date(2025, 3, 1)


# --- suspension (art. 41-1 last al.) ----------------------------------------------------------------


def test_an_ended_41_1_measure_adds_its_days():
    result = prescription_date(
        nature="delit", facts_date=date(2019, 3, 1), suspensions=[(date(2020, 1, 10), date(2020, 7, 10))]
    )
    assert result.date == date(2025, 8, 30)  # 182 days after 1 March 2025
    assert "41-1" in result.explanation_fr


def test_overlapping_measures_count_their_days_once():
    result = prescription_date(
        nature="delit",
        facts_date=date(2019, 3, 1),
        suspensions=[(date(2020, 1, 10), date(2020, 7, 10)), (date(2020, 3, 1), date(2020, 5, 1))],
    )
    assert result.date == date(2025, 8, 30)


def test_a_running_41_1_measure_gives_no_date():
    result = prescription_date(nature="delit", facts_date=date(2019, 3, 1), suspensions=[(date(2020, 1, 10), None)])
    assert result.date is None and result.suspended_since == date(2020, 1, 10)
    assert "prescription suspendue depuis le 10/01/2020" in result.explanation_fr.lower()
    assert not warning_due(result, date(2030, 1, 1)) and not is_prescribed(result, date(2030, 1, 1))


def test_a_measure_after_the_prescription_suspends_nothing():
    result = prescription_date(nature="delit", facts_date=date(2012, 1, 10), suspensions=[(date(2016, 1, 1), None)])
    assert result.date == date(2015, 1, 10) and result.suspended_since is None


def test_a_suspension_ending_before_it_starts_is_rejected():
    with pytest.raises(ValueError):
        prescription_date(
            nature="delit", facts_date=date(2019, 3, 1), suspensions=[(date(2020, 2, 1), date(2020, 1, 1))]
        )


# --- continuing and habitual offences ---------------------------------------------------------------


def test_a_continuing_offence_runs_from_the_end_of_the_conduct():
    result = prescription_date(
        nature="delit",
        facts_date=date(2014, 1, 1),
        article="227-23",
        continuing=True,
        conduct_ended_on=date(2019, 5, 10),
    )
    assert result.date == date(2025, 5, 10)
    assert "fin du comportement" in result.explanation_fr


def test_a_continuing_offence_with_an_unknown_end_is_computed_from_the_start_and_says_so():
    result = prescription_date(nature="delit", facts_date=date(2018, 1, 1), article="227-23", continuing=True)
    assert result.date == date(2024, 1, 1)
    assert "infraction continue : date de fin du comportement inconnue, calcul prudent à partir du début des faits" in (
        result.explanation_fr.lower()
    )


def test_an_end_of_conduct_before_the_facts_is_rejected():
    with pytest.raises(ValueError):
        prescription_date(nature="delit", facts_date=date(2019, 1, 1), conduct_ended_on=date(2018, 1, 1))


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
    for rule in (*RULES, *(rule for version in LAW_VERSIONS for rule in version.rules)):
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


# From the law of 9 March 2004 (in force 12 March 2004) the minors' délits of 706-47 run from the majority.
@given(
    st.dates(min_value=date(2004, 3, 12), max_value=date(2020, 12, 31)), st.integers(min_value=0, max_value=17 * 365)
)
def test_for_a_minor_victim_the_date_depends_on_the_birthday_not_on_the_facts(birth, days_after_birth):
    facts = birth + timedelta(days=days_after_birth)
    assume(facts < majority_date(birth))
    result = prescription_date(nature="delit", facts_date=facts, article="227-23", victim_birth_date=birth)
    assert result.date == add_years(majority_date(birth), 10)


@given(cases(), st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 400))
def test_a_suspension_never_shortens_the_period(case, start, days):
    assume(start >= case["facts_date"])
    without = prescription_date(**case)
    with_measure = prescription_date(**case | {"suspensions": [(start, start + timedelta(days=days))]})
    assert without.date is None or with_measure.date >= without.date


@given(cases(), st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_a_cross_procedure_act_never_shortens_the_period(case, act):
    assume(act >= case["facts_date"])
    without = prescription_date(**case)
    with_act = prescription_date(**case | {"cross_procedure_interruptions": [act]})
    assert without.date is None or with_act.date >= without.date
