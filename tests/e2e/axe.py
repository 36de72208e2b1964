"""axe-core in the browser tests: the engine is vendored (tests/e2e/vendor/axe.min.js, from the npm
package axe-core, see vendor/README.md), injected through WebDriver — never fetched from a CDN.

WebDriver's execute_script runs in the page through the DevTools protocol, not as a <script>
element: the Content-Security-Policy (script-src 'self', no inline) does not apply to it, so the
page is audited under its real policy."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"
# RGAA 4.1 is built on WCAG 2.1 level AA: the four sets of rules of that level.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
ARTEFACTS = Path(os.environ.get("E2E_ARTEFACTS", Path(__file__).resolve().parents[2] / "artefacts" / "e2e"))
DESKTOP, PHONE = 1280, 390

_RUN = """
const tags = arguments[0], done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(result => done({violations: result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary}))}))}))
  .catch(error => done({error: String(error)}));
"""


def axe_violations(driver) -> list[dict]:
    """The WCAG 2.1 A and AA violations axe finds in the page as it is now."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE_SOURCE.read_text(encoding="utf-8"))
    driver.set_script_timeout(120)
    result = driver.execute_async_script(_RUN, list(WCAG_TAGS))
    if "error" in result:
        raise AssertionError(f"axe n'a pas pu analyser la page : {result['error']}")
    return result["violations"]


def describe(violations: list[dict], page_name: str) -> str:
    lines = [f"{page_name}: {len(violations)} violation(s) axe (WCAG 2.1 A/AA)"]
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}] {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:10]:
            target = " > ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node['html'][:160]}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      ")[:600])
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more elements")
    return "\n".join(lines)


def assert_no_axe_violations(driver, page_name: str) -> None:
    violations = axe_violations(driver)
    assert not violations, describe(violations, page_name)


def viewport(driver, width: int, height: int = 900) -> None:
    """The page laid out at exactly `width` CSS pixels (a phone below 600), whatever the window."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def screenshot(driver, name: str, width: int = DESKTOP) -> Path:
    """The whole page (not only the first screen) at `width` px, kept under artefacts/e2e/."""
    viewport(driver, width)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": width, "height": min(size["height"], 8000), "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}-{width}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def settle(driver, timeout: float = 15) -> None:
    """The page as a person reads it: loaded, and its sections fetched on load (aria-busy) in."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if driver.execute_script(
            "return document.readyState === 'complete' && !document.querySelector('[aria-busy=\"true\"]')"
        ):
            return
        time.sleep(0.2)
    raise AssertionError(f"page jamais prête : {driver.current_url}")


def check_page(driver, name: str, *, phone: bool = False) -> None:
    """What every visited page goes through: a screenshot at 1280 px (and 390 px for the pages a
    lawyer opens on a phone), and axe at each width, zero violations."""
    settle(driver)
    screenshot(driver, name, DESKTOP)
    assert_no_axe_violations(driver, f"{name} ({DESKTOP} px)")
    if phone:
        screenshot(driver, name, PHONE)
        assert_no_axe_violations(driver, f"{name} ({PHONE} px)")
        viewport(driver, DESKTOP)
