"""Deadline rules pinned to real calendar dates; weekday and holiday of each date said in a comment.

Most dated cases live in worked_examples/deadlines.toml (run by test_deadline_examples.py); this
module holds the rule table's invariants, the calendar, the explanation and the properties.
Holidays used here: 2025: Good Friday 18 Apr (Alsace-Moselle; customary in 971/972), Easter Monday
21 Apr, Whit Monday 9 Jun, 21 Jul (customary in 971), 26 Dec (a Friday, Alsace-Moselle only).
"""

import json
import zoneinfo
from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procedures.court_calendar import COURT_TIMEZONES, SLAVERY_ABOLITION_DAYS, customary_holidays, statutory_holidays
from procedures.deadlines import (
    RULES,
    Direction,
    NoVersionInForce,
    Party,
    Rule,
    Unit,
    UnknownRuleError,
    UnknownSubdivisionError,
    add_months,
    chained_rules,
    compute,
    compute_due_date,
    court_timezone,
    get_rule,
    is_working_day,
    list_rules,
    next_working_day,
    previous_working_day,
)

RULE_KEYS = [rule.key for rule in list_rules()]
SUBDIVISIONS = [None, "57", "6AE", "971", "MF"]
BACKWARD_KEYS = [rule.key for rule in list_rules() if rule.direction is Direction.BACKWARD]
FIXED_KEYS = [rule.key for rule in list_rules() if rule.unit is Unit.FIXED_DATE]
FORWARD_KEYS = [key for key in RULE_KEYS if key not in BACKWARD_KEYS and key not in FIXED_KEYS]
TRIGGERS = st.dates(min_value=date(2005, 1, 1), max_value=date(2035, 12, 31))
CLOSURES = st.frozensets(st.dates(min_value=date(2005, 1, 1), max_value=date(2036, 12, 31)), max_size=5)


def due_or_none(rule, trigger, **kwargs):
    """The due date, or None when no version of the rule was in force on the trigger's date."""
    try:
        return compute_due_date(rule, trigger, **kwargs)
    except NoVersionInForce:
        return None


# --- the rule table -----------------------------------------------------------------------------


def test_every_required_rule_is_in_the_table():
    required = {
        "appeal_correctionnel",
        "appeal_incident",
        "appeal_procureur",
        "appeal_procureur_general",
        "appeal_incident_procureur_general",
        "appeal_prevenu_signification",
        "appeal_assises",
        "appeal_assises_incident",
        "appeal_instruction_order",
        "appeal_instruction_order_procureur",
        "appeal_instruction_order_procureur_incident",
        "opposition",
        "opposition_outside_metropole",
        "pourvoi",
        "pacpc_after_complaint",
        "art175_intent",
        "art175_requests_detained",
        "art175_requests",
        "art175_observations_detained",
        "art175_observations",
        "letter_420_1",
        "consignation_88",
        "citation_552",
        "citation_552_outre_mer",
        "citation_552_eu",
        "citation_552_abroad",
    }
    assert required <= set(RULE_KEYS)


def test_rule_keys_are_unique():
    assert len(RULE_KEYS) == len(set(RULE_KEYS))


def test_every_rule_cites_its_article_and_has_a_french_label():
    for rule in list_rules():
        assert isinstance(rule, Rule)
        assert rule.article.endswith(" CPP"), rule.key
        assert not rule.article.startswith("art."), rule.key
        assert rule.label_fr and rule.trigger_fr and rule.source, rule.key
        assert isinstance(rule.party, Party)


def test_every_version_cites_the_text_that_set_it_and_where_it_was_read():
    for rule in list_rules():
        for version in rule.versions:
            assert version.enacted_by and version.source, rule.key
            assert "«" in version.source, (rule.key, version.source)
            assert version.length > 0 or version.unit is Unit.FIXED_DATE, rule.key


def test_every_rule_has_a_version_and_its_versions_are_contiguous_without_overlap():
    for rule in list_rules():
        assert rule.versions, rule.key
        assert rule.versions[-1].valid_until is None, rule.key  # still in force
        for before, after in zip(rule.versions, rule.versions[1:], strict=False):
            assert before.valid_until is not None and after.valid_from is not None, rule.key
            assert after.valid_from == before.valid_until + timedelta(days=1), rule.key
        for version in rule.versions:
            if version.valid_from and version.valid_until:
                assert version.valid_from <= version.valid_until, rule.key


def test_every_rule_has_contiguous_citations_and_a_single_direction():
    for rule in list_rules():
        assert rule.citations, rule.key
        assert rule.citations[-1].valid_until is None, rule.key
        for before, after in zip(rule.citations, rule.citations[1:], strict=False):
            assert after.valid_from == before.valid_until + timedelta(days=1), rule.key
            assert after.source, rule.key  # a new number is only given where it was read
        assert len({version.direction for version in rule.versions}) == 1, rule.key


def test_the_association_s_own_rules_and_the_information_only_rules():
    parties = {rule.key: rule.party for rule in list_rules()}
    assert parties["opposition"] is Party.PREVENU
    assert parties["opposition_outside_metropole"] is Party.PREVENU
    assert parties["appeal_prevenu_signification"] is Party.PREVENU
    assert parties["appeal_procureur"] is Party.MINISTERE_PUBLIC
    assert parties["appeal_procureur_general"] is Party.MINISTERE_PUBLIC
    assert parties["pourvoi"] is Party.ASSOCIATION
    assert parties["consignation_88"] is Party.ASSOCIATION


def test_rules_are_frozen():
    rule = list_rules()[0]
    with pytest.raises(AttributeError):
        rule.label_fr = "autre"
    with pytest.raises(AttributeError):
        rule.versions[0].length = 99


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


def test_the_pourvoi_is_counted_in_jours_francs_and_the_420_1_letter_and_552_citation_backwards():
    rules = {rule.key: rule for rule in list_rules()}
    assert rules["pourvoi"].unit is Unit.JOURS_FRANCS
    assert rules["letter_420_1"].direction is Direction.BACKWARD
    assert rules["letter_420_1"].unit is Unit.HOURS
    assert {"citation_552", "citation_552_outre_mer", "citation_552_eu", "citation_552_abroad"} <= set(BACKWARD_KEYS)
    assert rules["consignation_88"].unit is Unit.FIXED_DATE


def test_the_pourvoi_went_from_five_to_ten_jours_francs_on_30_september_2024():
    pourvoi = get_rule("pourvoi")
    assert pourvoi.version_on(date(2024, 9, 29)).length == 5
    assert pourvoi.version_on(date(2024, 9, 30)).length == 10
    assert compute("pourvoi", date(2025, 6, 2)).version_label == (
        "art. 568 CPP, version du 30/09/2024 (loi n° 2023-1059 du 20 nov. 2023, art. 16)"
    )


def test_the_rewritten_code_s_number_is_cited_for_events_from_2029_where_it_was_read():
    pourvoi = get_rule("pourvoi")
    assert pourvoi.citation_on(date(2028, 12, 31)) == "art. 568 CPP"
    assert pourvoi.citation_on(date(2029, 1, 1)) == "art. L7212-1 CPP"
    assert get_rule("appeal_procureur_general").citation_on(date(2029, 6, 1)) == "art. L4471-4 CPP"
    # No new number read for art. 498: the old one is kept and the computation says so.
    later = compute("appeal_correctionnel", date(2029, 3, 5))
    assert later.citation == "art. 498 CPP"
    assert any("nouveau code" in note for note in later.notes)
    assert not any("nouveau code" in note for note in compute("pourvoi", date(2029, 3, 5)).notes)


def test_a_rule_with_no_version_in_force_raises_a_french_value_error():
    with pytest.raises(NoVersionInForce) as excinfo:
        compute_due_date("art175_intent", date(2019, 5, 31))
    assert isinstance(excinfo.value, ValueError)
    assert "31/05/2019" in str(excinfo.value)
    assert "01/06/2019" in str(excinfo.value)


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


def test_21_july_victor_schoelcher_day_is_customary_and_stops_a_deadline_only_when_the_court_closed():
    monday = date(2025, 7, 21)
    assert is_working_day(monday, "971")
    assert not is_working_day(monday, "971", closures=frozenset({monday}))
    assert next_working_day(monday, "971", closures=frozenset({monday})) == date(2025, 7, 22)
    assert previous_working_day(monday, "971", frozenset({monday})) == date(2025, 7, 18)


def test_the_slavery_abolition_day_of_l3422_2_is_a_holiday_in_each_overseas_court():
    # C. trav. L3422-2: 27 April Mayotte, 22 May Martinique, 27 May Guadeloupe and Saint-Martin,
    # 10 June Guyane, 9 October Saint-Barthélemy, 20 December La Réunion.
    expected = {
        "976": (4, 27),
        "972": (5, 22),
        "971": (5, 27),
        "MF": (5, 27),
        "973": (6, 10),
        "BL": (10, 9),
        "974": (12, 20),
    }
    assert {code: (month, day) for code, (month, day, _since) in SLAVERY_ABOLITION_DAYS.items()} == expected
    for code, (month, day) in expected.items():
        assert date(2026, month, day) in statutory_holidays(2026, code), code
        assert date(2026, month, day) not in statutory_holidays(2026, None), code


def test_the_package_agrees_with_the_statute_on_slavery_days_except_saint_martin():
    for code, (month, day, _since) in SLAVERY_ABOLITION_DAYS.items():
        package = {d for d, name in holidays.France(years=2025, subdiv=code).items() if "slavery" in name.lower()}
        if code == "MF":
            assert package == {date(2025, 5, 28)}  # celebrated since 2019, not the statute's 27 May
            assert customary_holidays(2025, "MF")[date(2025, 5, 28)]
        else:
            assert package == {date(2025, month, day)}, code


def test_customary_days_of_guadeloupe_and_martinique_are_not_statutory():
    assert set(customary_holidays(2025, "971")) == {date(2025, 3, 27), date(2025, 4, 18), date(2025, 7, 21)}
    assert set(customary_holidays(2025, "972")) == {date(2025, 4, 18), date(2025, 7, 21)}
    assert customary_holidays(2025, "57") == {}
    assert customary_holidays(2025, None) == {}


def test_saint_pierre_et_miquelon_is_accepted_under_its_number_975():
    assert is_working_day(date(2025, 3, 3), "975")
    assert court_timezone("975") == "America/Miquelon"


def test_each_court_has_its_local_time_zone():
    assert court_timezone(None) == "Europe/Paris"
    assert court_timezone("57") == "Europe/Paris"
    assert court_timezone("972") == "America/Martinique"
    assert court_timezone("971") == "America/Guadeloupe"
    assert court_timezone("974") == "Indian/Reunion"
    for zone in COURT_TIMEZONES.values():
        zoneinfo.ZoneInfo(zone)
    assert set(COURT_TIMEZONES) <= set(holidays.France.subdivisions)


# --- month arithmetic ---------------------------------------------------------------------------


def test_one_month_after_31_january_is_the_last_day_of_february():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)  # 2024 is a leap year


def test_months_run_from_quantieme_to_quantieme_across_years():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert add_months(date(2025, 3, 31), 1) == date(2025, 4, 30)


# --- compute_due_date's keywords --------------------------------------------------------------


def test_the_alsace_moselle_flag_means_moselle_and_the_subdivision_takes_precedence():
    # Tuesday 16 December 2025 + 10 = Friday 26 December: worked in Paris and Guadeloupe, a holiday
    # in Moselle, then the weekend -> Monday 29 December 2025.
    judgment = date(2025, 12, 16)
    assert compute_due_date("appeal_correctionnel", judgment) == date(2025, 12, 26)
    assert compute_due_date("appeal_correctionnel", judgment, alsace_moselle=True) == date(2025, 12, 29)
    assert compute_due_date("appeal_correctionnel", judgment, alsace_moselle=True, subdivision="971") == date(
        2025, 12, 26
    )


def test_the_pourvoi_example_of_the_domain_reference():
    # Decision Monday 2 June 2025: ten jours francs 3-12 June, filing still open on D+11, Friday 13 June.
    assert compute_due_date("pourvoi", date(2025, 6, 2)) == date(2025, 6, 13)


def test_a_pourvoi_against_a_decision_of_2023_can_be_filed_until_d_plus_six():
    # Decision Wednesday 20 December 2023, old rule: D+6 = Tuesday 26 December, worked in Paris, a
    # holiday in Moselle -> Wednesday 27 December.
    assert compute_due_date("pourvoi", date(2023, 12, 20)) == date(2023, 12, 26)
    assert compute_due_date("pourvoi", date(2023, 12, 20), alsace_moselle=True) == date(2023, 12, 27)


def test_a_pourvoi_signified_later_keeps_the_version_of_the_decision_s_date():
    # Decision Friday 27 September 2024 (5 jours francs), signified Monday 7 October: D+6 = Sunday
    # 13 October -> Monday 14 October; with the version of the signification's date it would be 18.
    assert compute_due_date("pourvoi", date(2024, 10, 7), on=date(2024, 9, 27)) == date(2024, 10, 14)
    assert compute_due_date("pourvoi", date(2024, 10, 7)) == date(2024, 10, 18)


def test_closures_are_a_keyword_of_the_working_day_helpers_too():
    good_friday = date(2025, 4, 18)
    assert compute_due_date("appeal_correctionnel", date(2025, 4, 8), subdivision="972") == good_friday
    assert compute_due_date(
        "appeal_correctionnel", date(2025, 4, 8), subdivision="972", closures={good_friday}
    ) == date(2025, 4, 22)


# --- the explained computation ------------------------------------------------------------------


def test_the_pourvoi_computation_explains_the_jours_francs_and_each_extension():
    # Decision Tuesday 3 June 2025: D+11 = Saturday 14 June -> Monday 16 June 2025.
    computation = compute("pourvoi", date(2025, 6, 3))
    assert computation.due_on == date(2025, 6, 16)
    assert computation.rule == "pourvoi" and computation.party == "association"
    assert computation.citation == "art. 568 CPP"
    assert computation.extensions == ((date(2025, 6, 14), "samedi"), (date(2025, 6, 15), "dimanche"))
    text = computation.explanation_fr()
    assert "10 jours francs : ni le jour de départ (03/06/2025) ni le dernier jour (13/06/2025) ne comptent" in text
    assert "samedi 14/06/2025 : samedi" in text
    assert "lundi 16/06/2025" in text


def test_a_holiday_extension_names_the_holiday_and_its_article():
    computation = compute("appeal_correctionnel", date(2025, 5, 29))
    assert "lundi 09/06/2025 : lundi de Pentecôte (jour férié, art. L3133-1 C. trav.)" in computation.steps
    assert (
        "Alsace-Moselle, art. L3134-13"
        in compute("appeal_correctionnel", date(2025, 12, 16), subdivision="57").explanation_fr()
    )
    assert "art. L3422-2" in compute("appeal_correctionnel", date(2025, 5, 12), subdivision="972").explanation_fr()
    closed = compute("appeal_correctionnel", date(2025, 4, 8), subdivision="972", closures={date(2025, 4, 18)})
    assert (
        "vendredi 18/04/2025 : fermeture du tribunal enregistrée (vendredi saint, jour férié d'usage)" in closed.steps
    )


@pytest.mark.parametrize(
    ("rule", "trigger", "subdivision", "closures"),
    [
        ("appeal_incident", date(2025, 5, 29), None, ()),
        ("letter_420_1", date(2025, 4, 22), "6AE", ()),
        ("citation_552_abroad", date(2025, 10, 13), None, ()),
        ("art175_observations", date(2025, 11, 25), "57", ()),
        ("appeal_assises_incident", date(2025, 7, 4), "971", (date(2025, 7, 21),)),
    ],
)
def test_the_explanation_mentions_each_extension_s_reason(rule, trigger, subdivision, closures):
    computation = compute(rule, trigger, subdivision=subdivision, closures=frozenset(closures))
    assert computation.extensions
    text = computation.explanation_fr()
    for day, reason in computation.extensions:
        assert f"{day:%d/%m/%Y} : {reason}" in text


def test_every_computation_carries_the_greffe_note_and_the_court_s_time_zone():
    paris = compute("appeal_correctionnel", date(2025, 3, 3))
    assert any("heures d'ouverture" in note and "Crim. 13 janv. 2015" in note for note in paris.notes)
    assert paris.timezone == "Europe/Paris"
    martinique = compute("appeal_correctionnel", date(2025, 3, 3), subdivision="972")
    assert martinique.timezone == "America/Martinique"
    assert "24 heures, heure locale du tribunal (fuseau America/Martinique)." in martinique.notes


def test_a_deadline_on_a_customary_holiday_is_kept_with_a_warning():
    computation = compute("appeal_correctionnel", date(2025, 7, 11), subdivision="971")
    assert computation.due_on == date(2025, 7, 21)
    assert any("jour férié d'usage" in note for note in computation.notes)


def test_the_safety_margin_is_said_for_backward_and_fixed_rules():
    letter = compute("letter_420_1", date(2025, 6, 16))
    assert any(step.startswith("Marge de sécurité : L'heure de l'audience") for step in letter.steps)
    consignation = compute("consignation_88", date(2025, 6, 14))
    assert consignation.due_on == date(2025, 6, 14)
    assert consignation.extensions == ()
    assert any("irrecevable" in note for note in consignation.notes)
    assert any("n'est pas un jour ouvrable" in note for note in consignation.notes)


def test_the_computation_is_json_serialisable_with_iso_dates():
    data = compute("appeal_incident", date(2025, 5, 29), subdivision="57").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["trigger"] == "2025-05-29"
    assert data["due_on"] == "2025-06-16"
    assert data["extensions"][0] == {"date": "2025-06-08", "reason": "dimanche"}
    assert set(data) == {
        "rule",
        "party",
        "trigger",
        "due_on",
        "version_label",
        "citation",
        "steps",
        "extensions",
        "notes",
        "timezone",
    }


def test_compute_due_date_is_compute_s_due_on():
    for rule in RULES:
        trigger = date(2025, 6, 2)
        assert (
            compute_due_date(rule.key, trigger, subdivision="57") == compute(rule.key, trigger, subdivision="57").due_on
        )


# --- properties for every rule and subdivision --------------------------------------------------


@pytest.mark.parametrize("subdivision", SUBDIVISIONS)
@pytest.mark.parametrize("rule", [*FORWARD_KEYS, *BACKWARD_KEYS])
@settings(deadline=None)
@given(trigger=TRIGGERS, closures=CLOSURES)
def test_every_result_is_a_working_day(rule, subdivision, trigger, closures):
    due = due_or_none(rule, trigger, subdivision=subdivision, closures=closures)
    assert due is None or is_working_day(due, subdivision, closures)


@pytest.mark.parametrize("subdivision", SUBDIVISIONS)
@pytest.mark.parametrize("rule", FORWARD_KEYS)
@settings(deadline=None)
@given(trigger=TRIGGERS)
def test_a_forward_deadline_is_always_after_the_trigger(rule, subdivision, trigger):
    due = due_or_none(rule, trigger, subdivision=subdivision)
    assert due is None or due > trigger


@pytest.mark.parametrize("subdivision", SUBDIVISIONS)
@pytest.mark.parametrize("rule", BACKWARD_KEYS)
@settings(deadline=None)
@given(trigger=TRIGGERS)
def test_a_backward_deadline_is_always_before_the_hearing_eve(rule, subdivision, trigger):
    assert compute_due_date(rule, trigger, subdivision=subdivision) <= trigger - timedelta(days=2)


@pytest.mark.parametrize("rule", FIXED_KEYS)
@given(trigger=TRIGGERS)
def test_a_fixed_date_is_the_judge_s_date(rule, trigger):
    assert compute_due_date(rule, trigger, subdivision="972") == trigger


@pytest.mark.parametrize("subdivision", SUBDIVISIONS)
@pytest.mark.parametrize("rule", RULE_KEYS)
@settings(deadline=None)
@given(first=TRIGGERS, gap=st.integers(min_value=0, max_value=400))
def test_a_later_trigger_never_gives_an_earlier_date_under_the_same_version(rule, subdivision, first, gap):
    second = first + timedelta(days=gap)
    spec = get_rule(rule)
    try:
        same_version = spec.version_on(first) == spec.version_on(second)
    except NoVersionInForce:
        return
    if same_version:
        assert compute_due_date(rule, first, subdivision=subdivision) <= compute_due_date(
            rule, second, subdivision=subdivision
        )


@pytest.mark.parametrize("rule", FORWARD_KEYS)
@settings(deadline=None)
@given(trigger=TRIGGERS, closures=CLOSURES)
def test_a_recorded_closure_never_brings_a_forward_deadline_earlier(rule, trigger, closures):
    plain = due_or_none(rule, trigger, subdivision="971")
    assert plain is None or plain <= compute_due_date(rule, trigger, subdivision="971", closures=closures)
