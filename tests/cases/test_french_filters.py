"""French typography filters used across the screens (issue 17, part 5)."""

from django.template import Context, Template

from cases.templatetags.french import elide, fr_number

NARROW_NBSP = "\u202f"


def test_fr_number_groups_thousands_with_narrow_no_break_space():
    assert fr_number(23053) == f"23{NARROW_NBSP}053"
    assert fr_number(480) == "480"
    assert fr_number(1234567) == f"1{NARROW_NBSP}234{NARROW_NBSP}567"


def test_fr_number_decimal_comma_and_missing_value():
    assert fr_number(1234.5, 1) == f"1{NARROW_NBSP}234,5"
    assert fr_number(None) == "—"
    assert fr_number("") == "—"
    assert fr_number("abc") == "abc"


def test_elide_before_vowel_and_mute_h():
    assert elide("ACPE", "de") == "de l’ACPE"
    assert elide("Fondation X", "de") == "de Fondation X"
    assert elide("avocat·e", "que") == "qu’avocat·e"
    assert elide("salarié·e", "que") == "que salarié·e"
    assert elide("Administrateur·rice", "que") == "qu’administrateur·rice"
    assert elide("Hôpital", "de") == "de l’Hôpital"


def test_home_header_says_en_tant_qu_avocat():
    from types import SimpleNamespace

    membership = SimpleNamespace(association=SimpleNamespace(name="ACPE"), get_role_display="Avocat·e")
    html = Template("{% include 'cases/_home_header.html' %}").render(Context({"membership": membership}))
    assert "en tant qu’avocat·e" in html
    assert "en tant que Avocat" not in html
