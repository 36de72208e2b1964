"""A real browser (headless Chromium through Selenium) logs in, opens the dashboard and sees the
charts drawn by ECharts from the page's JSON data, under the page's Content-Security-Policy."""

import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dashboard_draws_its_charts_in_a_browser(browser, live_server, dataset, lawyer):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    device = TOTPDevice.objects.create(user=lawyer, name="téléphone", confirmed=True)
    browser.get(live_server.url + "/connexion/")
    browser.find_element(By.NAME, "username").send_keys(lawyer.username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
    # The click only starts the login POST: opening the dashboard before its redirect lands would
    # race it. A lawyer's password alone opens nothing: the second factor is typed on its own page.
    WebDriverWait(browser, 20).until(lambda driver: "/double-authentification/" in driver.current_url)
    token = browser.find_element(By.NAME, "token")
    token.send_keys(totp(device.bin_key))
    token.submit()
    WebDriverWait(browser, 20).until(lambda driver: "/double-authentification/" not in driver.current_url)
    browser.get(live_server.url + "/statistiques/")
    assert "Statistiques" in browser.title
    deadline = time.monotonic() + 20
    charts = 0
    while time.monotonic() < deadline:
        charts = browser.execute_script(
            "return window.statisticsCharts ? Object.keys(window.statisticsCharts).length : 0"
        )
        if charts:
            break
        time.sleep(0.2)
    assert charts == 6
    points = browser.execute_script(
        "var out = {}; Object.keys(window.statisticsCharts).forEach(function (name) {"
        " out[name] = window.statisticsCharts[name].getOption().series[0].data.length; }); return out;"
    )
    parquets = int(browser.find_element(By.CSS_SELECTOR, "[data-figure=parquets]").text)
    assert points["month"] > 30 and points["parquet"] == parquets and points["outcome"] > 3, points
    for name in ("month", "parquet", "category"):
        canvas = browser.find_element(By.CSS_SELECTOR, f"#chart-{name} canvas")
        assert canvas.size["width"] > 200 and canvas.size["height"] > 100, (name, canvas.size)
    # No script was refused by the Content-Security-Policy.
    errors = [
        entry
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
    ]
    assert not errors, errors
