"""A real browser (headless Chromium through Selenium) opens the main pages, the API documentation
and the admin under the Content-Security-Policy: the console shows no violation."""

import time

import pytest

from tests.factories import CaseFactory, UserFactory
from tests.reports.statistics.conftest import dataset  # noqa: F401 - the statistics' data set

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(browser, live_server, client, user):
    """The session of a signed-in user, handed to the browser (the sign-in form is tested elsewhere)."""
    client.force_login(user)
    browser.get(live_server.url + "/connexion/")
    browser.delete_all_cookies()
    browser.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})


def violations(browser, live_server, path: str, ready: str = "") -> list[str]:
    browser.get(live_server.url + path)
    deadline = time.monotonic() + 15
    while ready and time.monotonic() < deadline and not browser.execute_script(f"return !!{ready}"):
        time.sleep(0.2)
    time.sleep(0.5)  # late violations (styles and workers set up after load)
    return [
        f"{path}: {entry['message']}"
        for entry in browser.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Content-Security-Policy" in entry["message"]
    ]


def test_the_main_pages_raise_no_content_security_policy_violation(browser, live_server, client, owner, association):
    case = CaseFactory(association=association)
    found = violations(browser, live_server, "/connexion/")
    sign_in(browser, live_server, client, owner)
    for path in ("/", "/affaires/", f"/affaires/{case.pk}/", "/affaires/nouvelle/", "/delais/", "/statistiques/"):
        found += violations(browser, live_server, path)
    assert browser.find_elements("css selector", "header.site-header")
    assert not found, found


@pytest.mark.usefixtures("dataset")
def test_the_statistics_charts_and_their_tooltips_raise_no_violation(browser, live_server, client, owner):
    """ECharts writes style attributes (tooltips, legends): allowed on this page only, scripts stay ours."""
    from selenium.webdriver.common.action_chains import ActionChains

    sign_in(browser, live_server, client, owner)
    found = violations(browser, live_server, "/statistiques/", "window.statisticsCharts")
    for name in ("month", "parquet", "category"):
        canvas = browser.find_element("css selector", f"#chart-{name} canvas")
        ActionChains(browser).move_to_element_with_offset(canvas, 10, 10).perform()
        ActionChains(browser).move_to_element(canvas).perform()
        time.sleep(0.5)
    tooltips = browser.execute_script(
        "return Array.from(document.querySelectorAll('div')).filter(d => d.style.zIndex === '9999999').length"
    )
    found += [entry["message"] for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]
    assert tooltips > 0
    assert not found, found


def test_the_api_documentation_raises_no_content_security_policy_violation(browser, live_server, client, owner):
    sign_in(browser, live_server, client, owner)
    found = violations(browser, live_server, "/api/docs/", "document.querySelector('.swagger-ui .info')")
    swagger_rendered = bool(browser.find_elements("css selector", ".swagger-ui .info"))
    # Redoc's « API docs by Redocly » logo comes from cdn.redoc.ly: refused on purpose, the browser
    # asks no third party for anything.
    found += [
        violation
        for violation in violations(browser, live_server, "/api/redoc/", "document.querySelector('.api-content')")
        if "https://cdn.redoc.ly/" not in violation
    ]
    redoc_rendered = bool(browser.find_elements("css selector", ".api-content"))
    assert not found, found
    assert swagger_rendered and redoc_rendered, (swagger_rendered, redoc_rendered)


def test_the_admin_raises_no_content_security_policy_violation(browser, live_server, client):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    sign_in(browser, live_server, client, superuser)
    found = []
    for path in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{superuser.pk}/change/", "/admin/auth/user/add/"):
        found += violations(browser, live_server, path)
    assert not found, found


def test_an_inline_style_is_refused_and_reported_in_the_console(browser, live_server):
    """The check above would see a violation: the policy is enforced and its refusals are logged."""
    browser.get(live_server.url + "/connexion/")
    browser.get_log("browser")
    browser.execute_script(
        "var s = document.createElement('style'); s.textContent = 'body{}'; document.head.append(s);"
    )
    time.sleep(0.3)
    logged = [entry["message"] for entry in browser.get_log("browser")]
    assert any("violates the following Content Security Policy directive" in message for message in logged), logged
