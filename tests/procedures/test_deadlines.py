"""Deadline rules pinned to real calendar dates; weekday and holiday of each date said in a comment.

Holidays used (C. trav. L3133-1, `holidays` package): 2024: Good Friday 29 Mar (Alsace-Moselle),
Easter Monday 1 Apr, Ascension 9 May, Whit Monday 20 May. 2025: Good Friday 18 Apr (Alsace-Moselle),
Easter Monday 21 Apr, 1 May, 8 May, Ascension 29 May, Whit Monday 9 Jun, 14 Jul (a Monday),
15 Aug (a Friday), 11 Nov (a Tuesday), 25 Dec (a Thursday), 26 Dec (a Friday, Alsace-Moselle only).
2026: 1 Jan (a Thursday).
"""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procedures.deadlines import (
    Direction,
    Rule,
    Unit,
    UnknownRuleError,
    UnknownSubdivisionError,
    add_months,
    chained_rules,
    compute_due_date,
    is_working_day,
    list_rules,
    next_working_day,
)

RULE_KEYS = [rule.key for rule in list_rules()]
SUBDIVISIONS = [None, "57", "6AE", "971"]
BACKWARD_KEYS = [rule.key for rule in list_rules() if rule.direction is Direction.BACKWARD]
NOT_BACKWARD_KEYS = [key for key in RULE_KEYS if key not in BACKWARD_KEYS]
TRIGGERS = st.dates(min_value=date(2005, 1, 1), max_value=date(2035, 12, 31))


# --- the rule table -----------------------------------------------------------------------------


def test_every_required_rule_is_in_the_table():
    required = {
        "appeal_correctionnel",
        "appeal_incident",
        "appeal_procureur_general",
        "appeal_assises",
        "appeal_instruction_order",
        "appeal_instruction_order_procureur",
        "opposition",
        "pourvoi",
        "pacpc_after_complaint",
        "art175_intent",
        "art175_requests_detained",
        "art175_requests",
        "art175_observations_detained",
        "art175_observations",
        "letter_420_1",
    }
    assert required <= set(RULE_KEYS)


def test_rule_keys_are_unique():
    assert len(RULE_KEYS) == len(set(RULE_KEYS))


def test_every_rule_cites_its_article_and_has_a_french_label():
    for rule in list_rules():
        assert isinstance(rule, Rule)
        assert rule.article.endswith(" CPP"), rule.key
        assert rule.label_fr and rule.trigger_fr and rule.source, rule.key
        assert rule.length > 0
        assert rule.unit in {"days", "months", "jours_francs", "hours"}


def test_rules_are_frozen():
    rule = list_rules()[0]
    with pytest.raises(AttributeError):
        rule.length = 99


def test_every_chained_rule_exists():
    for rule in list_rules():
        for key in (*rule.opens, *filter(None, [rule.counted_after])):
            assert key in RULE_KEYS, (rule.key, key)


def test_recording_an_appeal_opens_the_incidental_appeal_of_the_other_parties():
    assert chained_rules("appeal_correctionnel") == ["appeal_incident"]
    assert chained_rules("appeal_assises") == ["appeal_assises_incident"]
    assert chained_rules("appeal_procureur_general") == ["appeal_incident_procureur_general"]


def test_the_art_175_notice_opens_intent_then_requests_then_observations():
    assert chained_rules("art175_intent") == ["art175_requests", "art175_requests_detained"]
    assert chained_rules("art175_requests") == ["art175_observations"]
    assert chained_rules("art175_requests_detained") == ["art175_observations_detained"]
    assert chained_rules("art175_observations") == []


def test_the_pourvoi_is_counted_in_jours_francs_and_the_420_1_letter_backwards():
    rules = {rule.key: rule for rule in list_rules()}
    assert rules["pourvoi"].unit is Unit.JOURS_FRANCS
    assert rules["letter_420_1"].direction is Direction.BACKWARD
    assert rules["letter_420_1"].unit is Unit.HOURS


def test_an_unknown_rule_key_raises_a_value_error_listing_the_known_keys():
    with pytest.raises(UnknownRuleError) as excinfo:
        compute_due_date("appel_en_retard", date(2025, 3, 3))
    assert isinstance(excinfo.value, ValueError)
    assert "appel_en_retard" in str(excinfo.value)
    assert "appeal_correctionnel" in str(excinfo.value)
    with pytest.raises(UnknownRuleError):
        chained_rules("appel_en_retard")


def test_an_unknown_subdivision_raises_a_value_error():
    with pytest.raises(UnknownSubdivisionError) as excinfo:
        compute_due_date("appeal_correctionnel", date(2025, 3, 3), subdivision="99")
    assert isinstance(excinfo.value, ValueError)


# --- working days -------------------------------------------------------------------------------


def test_26_december_2025_a_friday_is_worked_in_paris_but_not_in_moselle_or_alsace():
    assert is_working_day(date(2025, 12, 26))
    assert not is_working_day(date(2025, 12, 26), "57")
    assert not is_working_day(date(2025, 12, 26), "6AE")


def test_good_friday_18_april_2025_is_a_holiday_only_in_alsace_moselle():
    assert is_working_day(date(2025, 4, 18))
    assert not is_working_day(date(2025, 4, 18), "57")


def test_whit_monday_stays_a_holiday_in_2005_to_2007():
    # Crim. 10 May 2006, 05-86.744: Monday 16 May 2005 was Whit Monday, the appeal filed on
    # Tuesday 17 May was in time.
    for whit_monday in (date(2005, 5, 16), date(2006, 6, 5), date(2007, 5, 28)):
        assert not is_working_day(whit_monday)
    assert next_working_day(date(2005, 5, 16)) == date(2005, 5, 17)


def test_21_july_victor_schoelcher_day_is_a_holiday_in_guadeloupe_only():
    assert is_working_day(date(2025, 7, 21))  # a Monday
    assert not is_working_day(date(2025, 7, 21), "971")


def test_saint_pierre_et_miquelon_is_accepted_under_its_number_975():
    assert is_working_day(date(2025, 3, 3), "975")


# --- month arithmetic ---------------------------------------------------------------------------


def test_one_month_after_31_january_is_the_last_day_of_february():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)  # 2024 is a leap year


def test_months_run_from_quantieme_to_quantieme_across_years():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert add_months(date(2025, 3, 31), 1) == date(2025, 4, 30)


# --- appeal of a tribunal correctionnel judgment (art. 498) -------------------------------------


def test_a_correctionnel_appeal_runs_ten_days_from_the_day_after_the_judgment():
    # Monday 3 March 2025 + 10 days = Thursday 13 March 2025, a working day.
    assert compute_due_date("appeal_correctionnel", date(2025, 3, 3)) == date(2025, 3, 13)


def test_an_appeal_deadline_on_ascension_2025_moves_to_friday_30_may():
    # Monday 19 May 2025 + 10 = Thursday 29 May 2025, Ascension -> Friday 30 May.
    assert compute_due_date("appeal_correctionnel", date(2025, 5, 19)) == date(2025, 5, 30)


def test_an_appeal_deadline_on_ascension_2024_moves_to_friday_10_may():
    # Monday 29 April 2024 + 10 = Thursday 9 May 2024, Ascension -> Friday 10 May.
    assert compute_due_date("appeal_correctionnel", date(2024, 4, 29)) == date(2024, 5, 10)


def test_an_appeal_deadline_on_14_july_2025_moves_to_tuesday_15_july():
    # Friday 4 July 2025 + 10 = Monday 14 July 2025, fête nationale -> Tuesday 15 July.
    assert compute_due_date("appeal_correctionnel", date(2025, 7, 4)) == date(2025, 7, 15)


def test_a_deadline_on_sunday_8_june_2025_skips_whit_monday_to_tuesday_10_june():
    # Thursday 29 May 2025 + 10 = Sunday 8 June; Monday 9 June is Whit Monday -> Tuesday 10 June.
    assert compute_due_date("appeal_correctionnel", date(2025, 5, 29)) == date(2025, 6, 10)


def test_a_deadline_on_26_december_2025_stays_in_paris_and_moves_to_29_december_in_moselle():
    # Tuesday 16 December 2025 + 10 = Friday 26 December: worked in Paris; a holiday in Moselle,
    # then Saturday 27 and Sunday 28 -> Monday 29 December 2025.
    judgment = date(2025, 12, 16)
    assert compute_due_date("appeal_correctionnel", judgment) == date(2025, 12, 26)
    assert compute_due_date("appeal_correctionnel", judgment, alsace_moselle=True) == date(2025, 12, 29)
    assert compute_due_date("appeal_correctionnel", judgment, subdivision="6AE") == date(2025, 12, 29)


def test_a_deadline_on_good_friday_2025_moves_to_tuesday_after_easter_in_alsace():
    # Tuesday 8 April 2025 + 10 = Friday 18 April, Good Friday: worked in Paris; in Alsace a
    # holiday, then the weekend and Easter Monday 21 April -> Tuesday 22 April 2025.
    assert compute_due_date("appeal_correctionnel", date(2025, 4, 8)) == date(2025, 4, 18)
    assert compute_due_date("appeal_correctionnel", date(2025, 4, 8), subdivision="6AE") == date(2025, 4, 22)


def test_the_subdivision_takes_precedence_over_the_alsace_moselle_flag():
    # 26 December 2025 is worked in Guadeloupe.
    judgment = date(2025, 12, 16)
    assert compute_due_date("appeal_correctionnel", judgment, alsace_moselle=True, subdivision="971") == date(
        2025, 12, 26
    )


# --- incidental appeals (art. 500, 505 al. 2, 380-10, 185 al. 3) --------------------------------


def test_the_incidental_appeal_adds_five_days_to_the_end_of_the_main_appeal_period():
    # Judgment Monday 3 March 2025: main period ends Thursday 13 March, + 5 = Tuesday 18 March.
    assert compute_due_date("appeal_incident", date(2025, 3, 3)) == date(2025, 3, 18)


def test_the_incidental_appeal_starts_from_the_prorogued_end_of_the_main_period():
    # Wednesday 5 March 2025 + 10 = Saturday 15 March -> Monday 17 March; + 5 = Saturday 22 March
    # -> Monday 24 March 2025.
    assert compute_due_date("appeal_incident", date(2025, 3, 5)) == date(2025, 3, 24)
    # Thursday 29 May 2025: main period -> Tuesday 10 June (Whit Monday); + 5 = Sunday 15 June
    # -> Monday 16 June 2025.
    assert compute_due_date("appeal_incident", date(2025, 5, 29)) == date(2025, 6, 16)


def test_the_procureur_general_has_twenty_days_after_a_conviction():
    # Monday 3 March 2025 + 20 = Sunday 23 March -> Monday 24 March 2025.
    assert compute_due_date("appeal_procureur_general", date(2025, 3, 3)) == date(2025, 3, 24)


def test_the_other_parties_have_five_days_after_the_procureur_general_appeal():
    # Monday 24 March 2025 + 5 = Saturday 29 March -> Monday 31 March 2025.
    assert compute_due_date("appeal_incident_procureur_general", date(2025, 3, 24)) == date(2025, 3, 31)


def test_an_assises_appeal_on_14_july_and_its_incidental_appeal_in_guadeloupe():
    # Verdict Friday 4 July 2025 + 10 = Monday 14 July -> Tuesday 15 July; incidental appeal
    # + 5 = Sunday 20 July -> Monday 21 July, which in Guadeloupe is Victor Schoelcher Day
    # -> Tuesday 22 July 2025.
    verdict = date(2025, 7, 4)
    assert compute_due_date("appeal_assises", verdict) == date(2025, 7, 15)
    assert compute_due_date("appeal_assises_incident", verdict) == date(2025, 7, 21)
    assert compute_due_date("appeal_assises_incident", verdict, subdivision="971") == date(2025, 7, 22)


def test_the_procureur_incidental_appeal_runs_five_days_from_the_mis_en_examen_appeal():
    # Monday 2 February 2026 + 5 = Saturday 7 February -> Monday 9 February 2026.
    assert compute_due_date("appeal_instruction_order_procureur_incident", date(2026, 2, 2)) == date(2026, 2, 9)


# --- instruction orders (art. 185, 186) ---------------------------------------------------------


def test_an_instruction_order_appeal_matches_the_cour_de_cassation_examples():
    # Crim. 16-86.853: notified Thursday 14 April 2016, expired Sunday 24 April -> Monday 25 April.
    assert compute_due_date("appeal_instruction_order", date(2016, 4, 14)) == date(2016, 4, 25)
    # Crim. 16-86.799: notified Friday 17 June 2016, expired Monday 27 June 2016.
    assert compute_due_date("appeal_instruction_order", date(2016, 6, 17)) == date(2016, 6, 27)


def test_an_instruction_order_appeal_on_ascension_2024_moves_to_friday():
    # Monday 29 April 2024 + 10 = Thursday 9 May 2024, Ascension -> Friday 10 May.
    assert compute_due_date("appeal_instruction_order", date(2024, 4, 29)) == date(2024, 5, 10)


def test_an_appeal_expiring_on_whit_monday_2005_moves_to_the_tuesday():
    # Friday 6 May 2005 + 10 = Monday 16 May 2005, Whit Monday (Crim. 10 May 2006) -> Tuesday 17 May.
    assert compute_due_date("appeal_instruction_order", date(2005, 5, 6)) == date(2005, 5, 17)


def test_the_procureur_appeal_of_an_order_on_whit_monday_2024_moves_to_tuesday():
    # Friday 10 May 2024 + 10 = Monday 20 May 2024, Whit Monday -> Tuesday 21 May 2024.
    assert compute_due_date("appeal_instruction_order_procureur", date(2024, 5, 10)) == date(2024, 5, 21)


# --- opposition (art. 491) ----------------------------------------------------------------------


def test_an_opposition_deadline_on_new_year_day_2026_moves_to_friday_2_january():
    # Monday 22 December 2025 + 10 = Thursday 1 January 2026 -> Friday 2 January 2026.
    assert compute_due_date("opposition", date(2025, 12, 22)) == date(2026, 1, 2)


def test_an_opposition_from_outside_metropolitan_france_runs_one_month():
    # 31 December 2025 + 1 month = Saturday 31 January 2026 -> Monday 2 February 2026.
    assert compute_due_date("opposition_outside_metropole", date(2025, 12, 31)) == date(2026, 2, 2)


# --- pourvoi en cassation (art. 568) ------------------------------------------------------------


def test_the_pourvoi_example_of_the_domain_reference():
    # Decision Monday 2 June 2025: D+6 is Sunday 8 June, Monday 9 June is Whit Monday
    # -> Tuesday 10 June 2025.
    assert compute_due_date("pourvoi", date(2025, 6, 2)) == date(2025, 6, 10)


def test_a_pourvoi_can_be_filed_until_d_plus_six():
    # Decision Wednesday 5 March 2025: five jours francs 6-10 March, filing still open on
    # Tuesday 11 March 2025 (D+6), a working day.
    assert compute_due_date("pourvoi", date(2025, 3, 5)) == date(2025, 3, 11)


# --- PACPC after a plainte simple (art. 85) -----------------------------------------------------


def test_a_pacpc_is_admissible_the_day_after_three_months_have_run_out():
    # Complaint Wednesday 15 January 2025: three months run out at 24:00 on Tuesday 15 April
    # -> admissible from Wednesday 16 April 2025.
    assert compute_due_date("pacpc_after_complaint", date(2025, 1, 15)) == date(2025, 4, 16)


def test_a_pacpc_after_a_complaint_of_31_january_waits_past_1_may():
    # 31 January 2025 + 3 months = 30 April (no 31 April); the next day is 1 May, a holiday
    # -> admissible from Friday 2 May 2025.
    assert compute_due_date("pacpc_after_complaint", date(2025, 1, 31)) == date(2025, 5, 2)


# --- end of instruction (art. 175) --------------------------------------------------------------


def test_the_declaration_of_intent_runs_fifteen_days_from_the_avis():
    # Monday 28 April 2025 + 15 = Tuesday 13 May 2025.
    assert compute_due_date("art175_intent", date(2025, 4, 28)) == date(2025, 5, 13)
    # Wednesday 23 April 2025 + 15 = Thursday 8 May 2025, Victoire 1945 -> Friday 9 May.
    assert compute_due_date("art175_intent", date(2025, 4, 23)) == date(2025, 5, 9)


def test_requests_within_three_months_on_15_august_2025_move_to_monday_18_august():
    # Avis Thursday 15 May 2025 + 3 months = Friday 15 August, Assumption -> Monday 18 August.
    assert compute_due_date("art175_requests", date(2025, 5, 15)) == date(2025, 8, 18)


def test_requests_within_three_months_of_30_november_end_on_the_last_day_of_february():
    # 30 November 2025 + 3 months = Saturday 28 February 2026 (no 30 February) -> Monday 2 March.
    assert compute_due_date("art175_requests", date(2025, 11, 30)) == date(2026, 3, 2)


def test_requests_within_one_month_of_31_january_end_on_28_february_2025():
    # Avis Friday 31 January 2025 + 1 month = Friday 28 February 2025 (no 31 February).
    assert compute_due_date("art175_requests_detained", date(2025, 1, 31)) == date(2025, 2, 28)


def test_requests_within_one_month_of_31_january_2024_end_on_leap_day():
    # Avis Wednesday 31 January 2024 + 1 month = Thursday 29 February 2024 (leap year).
    assert compute_due_date("art175_requests_detained", date(2024, 1, 31)) == date(2024, 2, 29)


def test_one_month_from_leap_day_2024_lands_on_good_friday():
    # Avis Thursday 29 February 2024 + 1 month = Friday 29 March 2024, Good Friday: worked in
    # Paris; in Moselle a holiday, then the weekend and Easter Monday 1 April -> Tuesday 2 April.
    assert compute_due_date("art175_requests_detained", date(2024, 2, 29)) == date(2024, 3, 29)
    assert compute_due_date("art175_requests_detained", date(2024, 2, 29), alsace_moselle=True) == date(2024, 4, 2)


def test_observations_of_a_detained_case_on_11_november_2025_move_to_wednesday():
    # Réquisitions communicated Saturday 1 November 2025 + 10 = Tuesday 11 November, Armistice
    # -> Wednesday 12 November 2025.
    assert compute_due_date("art175_observations_detained", date(2025, 11, 1)) == date(2025, 11, 12)


def test_observations_within_one_month_landing_on_christmas_differ_in_moselle():
    # Réquisitions communicated Tuesday 25 November 2025 + 1 month = Thursday 25 December
    # -> Friday 26 December in Paris; in Moselle 26 December is a holiday -> Monday 29 December.
    assert compute_due_date("art175_observations", date(2025, 11, 25)) == date(2025, 12, 26)
    assert compute_due_date("art175_observations", date(2025, 11, 25), alsace_moselle=True) == date(2025, 12, 29)


# --- letter 420-1 before the hearing -----------------------------------------------------------


def test_the_420_1_letter_for_a_monday_hearing_must_arrive_by_the_friday():
    # Hearing Monday 16 June 2025: the day before the eve is Saturday 14 June, not worked
    # -> moved back to Friday 13 June 2025.
    assert compute_due_date("letter_420_1", date(2025, 6, 16)) == date(2025, 6, 13)


def test_the_420_1_letter_for_a_wednesday_hearing_must_arrive_by_the_monday():
    # Hearing Wednesday 18 June 2025 -> Monday 16 June 2025, a full day before the eve.
    assert compute_due_date("letter_420_1", date(2025, 6, 18)) == date(2025, 6, 16)


def test_the_420_1_letter_skips_back_over_good_friday_in_alsace():
    # Hearing Tuesday 22 April 2025: Sunday 20 April -> Saturday -> Friday 18 April in Paris; in
    # Alsace Good Friday is a holiday -> Thursday 17 April 2025.
    assert compute_due_date("letter_420_1", date(2025, 4, 22)) == date(2025, 4, 18)
    assert compute_due_date("letter_420_1", date(2025, 4, 22), subdivision="6AE") == date(2025, 4, 17)


# --- properties for every rule and subdivision --------------------------------------------------


@pytest.mark.parametrize("subdivision", SUBDIVISIONS)
@pytest.mark.parametrize("rule", RULE_KEYS)
@settings(deadline=None)
@given(trigger=TRIGGERS)
def test_every_result_is_a_working_day(rule, subdivision, trigger):
    assert is_working_day(compute_due_date(rule, trigger, subdivision=subdivision), subdivision)


@pytest.mark.parametrize("subdivision", SUBDIVISIONS)
@pytest.mark.parametrize("rule", NOT_BACKWARD_KEYS)
@settings(deadline=None)
@given(trigger=TRIGGERS)
def test_a_forward_deadline_is_never_before_the_trigger(rule, subdivision, trigger):
    assert compute_due_date(rule, trigger, subdivision=subdivision) > trigger


@pytest.mark.parametrize("subdivision", SUBDIVISIONS)
@pytest.mark.parametrize("rule", BACKWARD_KEYS)
@settings(deadline=None)
@given(trigger=TRIGGERS)
def test_a_backward_deadline_is_always_before_the_hearing_eve(rule, subdivision, trigger):
    assert compute_due_date(rule, trigger, subdivision=subdivision) <= trigger - timedelta(days=2)


@pytest.mark.parametrize("subdivision", SUBDIVISIONS)
@pytest.mark.parametrize("rule", RULE_KEYS)
@settings(deadline=None)
@given(first=TRIGGERS, gap=st.integers(min_value=0, max_value=400))
def test_a_later_trigger_never_gives_an_earlier_date(rule, subdivision, first, gap):
    second = first + timedelta(days=gap)
    assert compute_due_date(rule, first, subdivision=subdivision) <= compute_due_date(
        rule, second, subdivision=subdivision
    )
