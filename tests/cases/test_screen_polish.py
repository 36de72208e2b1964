"""Polish found on screen (issue 17, part 5): each test was written failing first."""

import pytest
from django.urls import reverse

from cases.models import Victim

pytestmark = pytest.mark.django_db


def test_a_blank_victim_form_is_refused_with_a_form_error(client, owner, case):
    client.force_login(owner)
    # What a browser sends for the untouched form: every field, empty.
    blank = dict.fromkeys(
        ["first_name", "last_name", "birth_date", "contact", "facts_date", "age_at_facts", "notes"], ""
    )
    response = client.post(reverse("victim_add", args=[case.pk]), blank)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors and "au moins" in errors[0]
    assert not Victim.objects.exists()


def test_a_victim_with_only_a_facts_age_is_accepted(client, owner, case):
    client.force_login(owner)
    response = client.post(reverse("victim_add", args=[case.pk]), {"age_at_facts": "14"})
    assert response.status_code == 302
    assert Victim.objects.count() == 1


def test_every_page_has_a_skip_link_and_labelled_navigations(client, owner):
    client.force_login(owner)
    html = client.get(reverse("home")).content.decode()
    assert '<a class="skip-link" href="#content">Aller au contenu</a>' in html
    assert '<main id="content"' in html
    assert '<nav class="main-nav" aria-label="Navigation principale">' in html
    assert '<nav class="account" aria-label="Compte">' in html


def test_the_home_page_says_en_tant_qu_avocat(client, owner):
    client.force_login(owner)
    html = client.get(reverse("home")).content.decode()
    assert "en tant qu’avocat·e" in html


def test_the_statistics_panel_pluralises_and_groups_thousands():
    from django.template.loader import render_to_string

    one = render_to_string(
        "reports/statistics/_panel.html", {"totals": {"procedures": 23051, "parquets": 1, "victims": 1}}
    )
    assert "23\u202f051 procédures, 1 parquet, 1 victime." in one
    many = render_to_string(
        "reports/statistics/_panel.html", {"totals": {"procedures": 1, "parquets": 70, "victims": 480}}
    )
    assert "1 procédure, 70 parquets, 480 victimes." in many


def test_aria_describedby_points_at_a_help_text_that_exists():
    import re

    from django import forms
    from django.template.loader import render_to_string

    class HelpedForm(forms.Form):
        title = forms.CharField(label="Intitulé", help_text="Tel qu'écrit sur la pièce.")

    html = render_to_string("cases/_form_fields.html", {"form": HelpedForm()})
    described = re.search(r'aria-describedby="([^"]+)"', html).group(1)
    for target in described.split():
        assert f'id="{target}"' in html
