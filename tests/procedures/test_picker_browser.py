"""The procedure picker in a real browser (headless Chromium): typing queries the endpoint, the
listbox is driven from the keyboard, the chosen procedure becomes a ticked box that the form posts,
and nothing breaks the Content-Security-Policy."""

import time

import pytest
from django.urls import reverse

from cases import pickers
from procedures.models import Referral, ReferralKind
from tests.factories import ParquetFactory
from tests.procedures.factories import ProcedureFactory
from tests.test_csp_browser import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(browser, script: str, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if browser.execute_script(f"return {script}"):
            return
        time.sleep(0.1)
    raise AssertionError(f"Toujours faux après {timeout} s : {script}")


def test_a_lawyer_picks_a_procedure_by_typing_its_number(browser, live_server, client, owner, case, monkeypatch):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    monkeypatch.setattr(pickers, "MAX_RENDERED_CHOICES", 2)
    paris = ParquetFactory(name="Parquet de Paris")
    wanted = ProcedureFactory(case=case, parquet=paris, parquet_reference="24/123.456")
    for number in ("24/555.001", "23/777.002"):
        ProcedureFactory(case=case, parquet=paris, parquet_reference=number)
    sign_in(browser, live_server, client, owner)
    browser.get(live_server.url + reverse("referral_add", args=[case.pk]))

    search = browser.find_element("id", "id_procedures_recherche")
    assert search.is_displayed()
    assert not browser.find_elements("css selector", "#id_procedures input[type=checkbox]")
    search.send_keys("24 123")
    wait_for(browser, "document.querySelectorAll('#id_procedures_resultats [role=option]').length === 1")
    assert search.get_attribute("aria-expanded") == "true"
    assert "Résultats : 1." in browser.find_element("id", "id_procedures_etat").text
    search.send_keys(Keys.ARROW_DOWN)
    assert search.get_attribute("aria-activedescendant") == "id_procedures_option_0"
    search.send_keys(Keys.ENTER)
    chip = browser.find_element("css selector", f"#id_procedures input[type=checkbox][value='{wanted.pk}']")
    assert chip.is_selected()
    assert search.get_attribute("aria-expanded") == "false"
    assert (
        browser.find_element("css selector", ".picker-chip .picker-remove")
        .get_attribute("aria-label")
        .startswith("Retirer")
    )

    Select(browser.find_element("id", "id_kind")).select_by_value(ReferralKind.ARTICLE_40)
    browser.find_element("id", "id_author").send_keys("Ministre de l'Intérieur")
    browser.find_element("id", "id_recipient").send_keys("Procureur de Paris")
    browser.execute_script("document.getElementById('id_sent_on').value = '2024-05-06'")
    browser.find_element("css selector", "form.form button[type=submit]").click()
    wait_for(browser, "!document.getElementById('id_procedures_recherche')")

    assert list(Referral.objects.get(case=case).procedures.all()) == [wanted]
    console = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not [message for message in console if "Content Security Policy" in message or "picker" in message]
