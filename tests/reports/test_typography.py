from datetime import date
from decimal import Decimal

from reports.templatetags.dossier_fr import date_fr, euros, fr, sha_lines, typeset


def test_french_spacing_uses_unbreakable_spaces_only_where_a_space_was_typed():
    assert (
        typeset("Objet : « audience » ; vraiment ? l'avis")
        == "Objet\u00a0: «\u202faudience\u202f»\u202f; vraiment\u202f? l’avis"
    )
    assert typeset("http://exemple.fr/a?b=1 10:30") == "http://exemple.fr/a?b=1 10:30"


def test_user_text_is_escaped_before_typesetting():
    assert fr("<b>l'audience</b> : x") == "&lt;b&gt;l’audience&lt;/b&gt;\u00a0: x"
    assert fr("'seul'") == "&#x27;seul&#x27;"
    assert fr(None) == ""


def test_dates_amounts_and_fingerprints_are_written_the_french_way():
    assert date_fr(date(2024, 3, 1)) == "1er\u00a0mars\u00a02024"
    assert date_fr(date(2024, 6, 25)) == "25\u00a0juin\u00a02024"
    assert date_fr(None) == "—"
    assert euros(Decimal("1500")) == "1\u202f500,00\u00a0€"
    assert euros(None) == "—"
    assert sha_lines("a" * 64) == "a" * 32 + "<br>" + "a" * 32
