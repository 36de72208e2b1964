"""The accessibility engine itself: the vendored axe-core is the one described, and it does see a
violation when there is one (a check that finds nothing because it never ran proves nothing)."""

import hashlib

import pytest

from tests.e2e.axe import AXE_SOURCE, axe_violations, describe

pytestmark = pytest.mark.django_db(transaction=True)

VENDORED_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"


def test_the_vendored_axe_is_the_published_4_14_1():
    assert hashlib.sha256(AXE_SOURCE.read_bytes()).hexdigest() == VENDORED_SHA256
    assert AXE_SOURCE.read_text(encoding="utf-8").startswith("/*! axe v4.14.1")


def test_axe_runs_under_the_content_security_policy_and_reports_a_planted_violation(browser, live_server):
    browser.get(live_server.url + "/connexion/")
    assert axe_violations(browser) == [], describe(axe_violations(browser), "connexion")
    browser.execute_script(
        "var img = document.createElement('img'); img.src = '/static/nulle-part.png';"
        "document.querySelector('main').append(img);"
    )
    found = axe_violations(browser)
    assert [violation["id"] for violation in found] == ["image-alt"], describe(found, "connexion + image")
    assert "image-alt" in describe(found, "connexion + image")
