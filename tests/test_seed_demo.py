from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from cases.models import Case, Victim

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"cases", "procedures", "auth"}
    }


def test_seed_demo_builds_the_coco_reference_case_and_is_idempotent(media_root, settings):
    settings.DEBUG = True  # the test runner forces DEBUG off; seed_demo refuses to run then
    out = StringIO()
    # The 23,051-procedure case has its own tests (tests/procedures/test_case_summary_reference.py).
    call_command("seed_demo", "--sans-reference", stdout=out)
    first = _counts()
    call_command("seed_demo", "--sans-reference", stdout=StringIO())
    assert _counts() == first
    assert "avocate.acpe" in out.getvalue() and "demo-coco-2024" in out.getvalue()
    assert set(Case.objects.values_list("reference", flat=True)) >= {
        "ACPE-2024-001",
        "ACPE-2024-002",
        "SOS-2024-001",
        "SOS-2024-002",
        "SOS-2024-003",
    }
    minor = Victim.objects.get(case__reference="ACPE-2024-002")
    assert minor.minor_at_facts is True and minor.pseudonym == "V-001"
    assert "(fictif)" in minor.first_name
    assert Case.objects.get(reference="ACPE-2024-002").shares.get().association.short_name == "IED"


def test_seed_demo_refuses_production_mode(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=0"):
        call_command("seed_demo", stdout=StringIO())
