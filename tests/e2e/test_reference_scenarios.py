"""A day's work on the reference-scale case (23,051 procedures), in Debian's Chromium, as each role
does it (issue 17, « Done when »): every page visited is checked by axe-core (WCAG 2.1 A and AA,
zero violations) and photographed at 1280 px (some at 390 px) into artefacts/e2e/."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from procedures.models import Deadline, DeadlineStatus, Filing, Procedure
from reports.models import Dossier, DossierStatus
from reports.statistics.models import StatisticsRun
from tests.e2e.axe import check_page
from tests.e2e.conftest import sign_in

# Each test in a transaction of its own (only reads in this thread); the world is committed once for
# the module (tests/e2e/conftest.py) and what the browser writes goes through the live server.
pytestmark = pytest.mark.django_db

SPACES = "\u00a0\u202f "


def wait_for(condition, timeout: float = 60, message=""):
    """`message` may be a callable: read only on failure (a page in mid-navigation has no body)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError((message() if callable(message) else message) or "condition jamais remplie")


def text_of(browser) -> str:
    try:
        return browser.find_element(By.TAG_NAME, "body").text
    except NoSuchElementException:  # between two pages
        return ""


def digits_only(text: str) -> str:
    return "".join(character for character in text if character not in SPACES)


def searchable_procedure(world) -> Procedure:
    """The hearing's procedure: its number written as a court writes it, « 23 187 000123 »."""
    return world.hearing.procedure


def spelled_differently(reference: str) -> str:
    if reference.isdigit() and len(reference) == 11:
        return f"{reference[:2]} {reference[2:5]} {reference[5:]}"
    return reference.replace("/", " / ").replace(".", " ")


def test_a_lawyer_finds_a_procedure_by_its_number_records_a_filing_and_sees_its_deadline(browser, reference_world):
    world = reference_world
    procedure = searchable_procedure(world)
    sign_in(browser, world, "lawyer", on_page=lambda name: check_page(browser, name, phone=name == "connexion"))
    check_page(browser, "accueil-avocate", phone=True)

    search = browser.find_element(By.ID, "header-search-q")
    search.send_keys(spelled_differently(procedure.parquet_reference))
    search.submit()
    wait_for(lambda: "/recherche/" in browser.current_url)
    check_page(browser, "recherche", phone=True)
    browser.find_element(By.CSS_SELECTOR, f'.search-results a[href="/procedures/{procedure.pk}/"]').click()
    wait_for(lambda: browser.current_url.endswith(f"/procedures/{procedure.pk}/"))
    assert procedure.parquet_reference in text_of(browser)
    check_page(browser, "procedure", phone=True)

    browser.find_element(By.LINK_TEXT, "Se constituer partie civile").click()
    wait_for(lambda: "/constitutions/ajouter/" in browser.current_url)
    check_page(browser, "constitution-formulaire", phone=True)
    # The basis the eligibility analysis retains comes pre-selected (art. 2-3, child protection).
    assert Select(browser.find_element(By.ID, "id_legal_basis")).first_selected_option.get_attribute("value") == "2-3"
    # Art. 2-3 does not let the association set the action going (art. 85): it joins the instruction.
    Select(browser.find_element(By.ID, "id_mode")).select_by_value("art87")
    Select(browser.find_element(By.ID, "id_status")).select_by_value("filed")
    today = timezone.localdate()
    due_on = today + timedelta(days=20)
    # A date field's typed format follows the browser's locale: the value is set as the picker would.
    for field, value in (("id_filed_on", today), ("id_consignation_due_on", due_on)):
        browser.execute_script(
            "arguments[0].value = arguments[1]", browser.find_element(By.ID, field), value.isoformat()
        )
    browser.find_element(By.ID, "id_consignation_amount").send_keys("1500")
    browser.find_element(By.CSS_SELECTOR, "main form.form button[type=submit]").click()
    wait_for(
        lambda: browser.current_url.endswith(f"/procedures/{procedure.pk}/"), message=lambda: text_of(browser)[:2000]
    )
    assert "Constitution de partie civile enregistrée." in text_of(browser)
    check_page(browser, "procedure-apres-constitution")

    filing = Filing.objects.get(procedure=procedure)
    assert (filing.mode, filing.legal_basis, filing.consignation_due_on) == ("art87", "2-3", due_on)
    deadline = Deadline.objects.get(procedure=procedure, rule="consignation_88", status=DeadlineStatus.OPEN)
    assert deadline.due_on == due_on and deadline.owner == world.users["lawyer"]

    browser.find_element(By.LINK_TEXT, "Mes délais").click()
    wait_for(lambda: browser.current_url.endswith("/delais/"))
    row = browser.find_element(By.XPATH, f'//tr[.//a[@href="/delais/{deadline.pk}/"]]')
    assert due_on.strftime("%d/%m/%Y") in row.text
    assert "Consignation fixée par le juge d'instruction" in row.text
    assert "J-20" in row.text or "20 jours" in row.text, row.text
    check_page(browser, "mes-delais", phone=True)

    browser.find_element(By.LINK_TEXT, world.case.reference).click()
    wait_for(lambda: browser.current_url.endswith(f"/affaires/{world.case.pk}/"))
    assert "23051" in digits_only(text_of(browser))
    check_page(browser, "affaire-reference", phone=True)
    # Every list the case page loads on demand (timeline, prescription, history…), opened in place.
    links = browser.find_elements(By.CSS_SELECTOR, ".lazy-section a[data-section-link]")
    assert len(links) >= 2, len(links)
    for index in range(len(links)):
        link = browser.find_elements(By.CSS_SELECTOR, ".lazy-section a[data-section-link]")[index]
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
    check_page(browser, "affaire-reference-sections-ouvertes")

    browser.find_element(By.PARTIAL_LINK_TEXT, "Liste des procédures").click()
    wait_for(lambda: browser.current_url.split("?")[0].endswith(f"/affaires/{world.case.pk}/procedures/"))
    check_page(browser, "liste-procedures", phone=True)
    for link_text, name, path in (
        ("Délais de l'équipe", "delais-equipe", reverse("deadline_team")),
        ("Agenda", "agenda", reverse("calendar_page")),
    ):
        browser.find_element(By.CSS_SELECTOR, "nav.main-nav").find_element(By.LINK_TEXT, link_text).click()
        wait_for(lambda path=path: browser.current_url.endswith(path), message=browser.current_url)
        check_page(browser, name)


def test_a_staff_member_prints_a_hearing_dossier_from_the_home_panel_and_downloads_it(
    browser, reference_world, tmp_path
):
    world = reference_world
    sign_in(browser, world, "staff")
    check_page(browser, "accueil-secretariat", phone=True)
    panel = browser.find_element(By.ID, "panel-hearings")
    assert world.hearing.court in panel.text
    panel.find_element(By.XPATH, './/button[normalize-space()="Dossier d\'audience"]').click()
    wait_for(lambda: "/dossiers/" in browser.current_url, message=browser.current_url)

    dossier = Dossier.objects.get(hearing=world.hearing)
    assert dossier.procedure_id == world.hearing.procedure_id and not dossier.reveal_identities

    def downloadable():
        if not browser.find_elements(By.LINK_TEXT, "Télécharger le PDF"):
            browser.refresh()
            return False
        return True

    wait_for(downloadable, timeout=180, message=lambda: f"dossier jamais prêt : {text_of(browser)[:1500]}")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE and dossier.pages >= 1
    check_page(browser, "dossier-audience", phone=True)

    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.find_element(By.LINK_TEXT, "Télécharger le PDF").click()

    def downloaded() -> Path | None:
        files = [path for path in tmp_path.iterdir() if path.suffix == ".pdf"]
        return files[0] if files else None

    pdf = wait_for(downloaded, timeout=60, message=f"rien de téléchargé : {list(tmp_path.iterdir())}")
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF-") and len(content) == dossier.size
    browser.get(world.url + "/")
    panel = browser.find_element(By.ID, "panel-dossiers")
    assert world.case.reference in panel.text and "télécharger" in panel.text


def test_an_admin_sees_the_imported_figures_without_recalculating(browser, reference_world):
    world = reference_world
    # Nobody asked for a run: the import's commit queued it (reports/statistics/after_import.py).
    assert not StatisticsRun.objects.filter(requested_by__isnull=False).exists()
    sign_in(browser, world, "admin", on_page=lambda name: check_page(browser, f"{name}-admin"))
    check_page(browser, "accueil-administratrice", phone=True)
    browser.find_element(By.CSS_SELECTOR, "nav.main-nav").find_element(By.LINK_TEXT, "Statistiques").click()
    wait_for(lambda: "/statistiques/" in browser.current_url)
    wait_for(lambda: browser.execute_script("return !!window.statisticsCharts"), timeout=20)
    page = text_of(browser)
    assert "23 051" in page.replace("\u202f", " ").replace("\u00a0", " "), page[:3000]
    check_page(browser, "statistiques", phone=True)
    assert not StatisticsRun.objects.filter(requested_by__isnull=False).exists()


def test_an_outsider_sees_none_of_it(browser, reference_world):
    world = reference_world
    procedure = searchable_procedure(world)
    sign_in(browser, world, "outsider")
    for query in (spelled_differently(procedure.parquet_reference), world.case.reference):
        search = browser.find_element(By.ID, "header-search-q")
        search.send_keys(query)
        search.submit()
        wait_for(lambda: "/recherche/" in browser.current_url)
        assert not browser.find_elements(By.CSS_SELECTOR, ".search-results li a"), text_of(browser)
        assert "Aucune procédure." in text_of(browser) and "Aucune affaire." in text_of(browser)
    check_page(browser, "recherche-ailleurs")

    case, hearing = world.case, world.hearing
    paths = [
        f"/affaires/{case.pk}/",
        f"/affaires/{case.pk}/procedures/",
        f"/procedures/{procedure.pk}/",
        f"/procedures/{procedure.pk}/constitutions/ajouter/",
        f"/audiences/{hearing.pk}/modifier/",
    ]
    paths += [f"/dossiers/{pk}/" for pk in Dossier.objects.filter(case=case).values_list("pk", flat=True)]
    paths += [f"/delais/{pk}/" for pk in Deadline.objects.filter(case=case).values_list("pk", flat=True)[:3]]
    for path in paths:
        browser.get(world.url + path)
        assert "Page introuvable (erreur 404)" in text_of(browser), (path, text_of(browser)[:500])
        assert case.reference not in text_of(browser) and procedure.parquet_reference not in text_of(browser)
    check_page(browser, "introuvable-404")

    # Its own dashboard counts its own association's procedures: none of the 23,051.
    browser.get(world.url + reverse("statistics_dashboard"))
    figure = browser.find_element(By.CSS_SELECTOR, '[data-figure="procedures"]').text
    assert digits_only(figure) == "0", figure
    assert "23051" not in digits_only(text_of(browser))
