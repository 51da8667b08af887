"""The pages in a real browser: Debian's headless Chromium, driven by Selenium through chromedriver.

The app runs on 127.0.0.1 on a free port (werkzeug's threaded server in a thread) with a temporary
SQLite store seeded from seed_facts.yaml, in demo mode with configured tokens as well. Each test
asserts on the DOM as the browser built it and saves a full-page screenshot to screenshots/
(gitignored) for a person to look at.

Skipped when chromium or chromedriver is not installed — unless DEELWIJZER_BROWSER_TESTS=required
(as scripts/test and .ci/run set it), when a missing browser fails instead. `scripts/test
--no-browser` sets it to `skip`: the tests are then skipped, saying the user asked for it.
"""
from __future__ import annotations

import base64
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from query_service.state import EXTENSION
from service.live import threaded_server

from .conftest import QUERY_TOKEN, decide, make_app

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
WIDTH, HEIGHT = 1280, 900
A4_TEXT_WIDTH = round((210 - 2 * 14) / 25.4 * 96)  # CSS pixels
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", f"--window-size={WIDTH},{HEIGHT}")
SCENARIO = """\
- clb_worker: [ann]
- pupil: [lena, sint_jozef]
- born: [lena, 2012-03-01]
- school_staff: [tine, sint_jozef, teacher]
- item_about: [i_home_situation, lena]
- learned: [ann, i_home_situation, lena, clb_worker]
"""


def _missing() -> str:
    if CHROMIUM is None or CHROMEDRIVER is None:
        return "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return ""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The running app: (base URL, {name: decision id})."""
    app = make_app(tmp_path_factory.mktemp("browser"), DEMO=True)
    client = app.test_client()
    decisions = {
        "forbidden": decide(client, actor="ann", recipient="tine", item="i_home_situation", lang="en")["id"],
        "permitted": decide(client, actor="ann", recipient="tom", item="i_home_situation", lang="nl")["id"],
        "obligated": decide(client, actor="ann", recipient="vk_gent", item="i_abuse_signal", setting="report",
                            lang="en")["id"],
    }
    with threaded_server(app) as (host, port):
        yield f"http://{host}:{port}", decisions
    app.extensions[EXTENSION].close()


@pytest.fixture(scope="module")
def browser():
    if os.environ.get("DEELWIJZER_BROWSER_TESTS") == "skip":
        pytest.skip("the browser tests were skipped on request (scripts/test --no-browser)")
    reason = _missing()
    if reason:
        if os.environ.get("DEELWIJZER_BROWSER_TESTS") == "required":
            pytest.fail(f"browser tests are required here, but {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="deelwijzer-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def page(browser, site):
    """A browser logged in (through the login form) as a user with the query scope."""
    base, _ = site
    browser.delete_all_cookies()
    browser.get(f"{base}/login?lang=en")
    browser.find_element("id", "token").send_keys(QUERY_TOKEN)
    click_and_load(browser, browser.find_element("id", "login-submit"))
    assert urlsplit(browser.current_url).path == "/"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    return browser


def screenshot(driver, name: str) -> Path:
    """The whole page (not just the window) as tests/pages/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1}})
    path = SCREENSHOTS / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def by_id(driver, element_id: str):
    return driver.find_element("id", element_id)


def click_and_load(driver, element, timeout: float = 15) -> None:
    """Click something that loads a new page, and wait until the new page has replaced the old one
    and finished loading (reading right after the click could still see the old page)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    old = driver.find_element("tag name", "html")
    element.click()

    def old_page_gone(_driver) -> bool:
        try:
            old.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as err:
            # Under load chromedriver may report the replaced node as not belonging to the document
            # instead of as stale: the same fact, in other words.
            if "does not belong to the document" in str(err):
                return True
            raise

    WebDriverWait(driver, timeout).until(old_page_gone)
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return document.readyState") == "complete")


def test_login_flow_and_logout(browser, site):
    base, decisions = site
    browser.delete_all_cookies()
    browser.get(f"{base}/decisions/{decisions['forbidden']}?lang=en")
    assert urlsplit(browser.current_url).path == "/login"
    assert "Log in to see this page." in browser.find_element("tag name", "main").text
    assert "DEMO" in by_id(browser, "demo-notice").text
    screenshot(browser, "login")
    by_id(browser, "token").send_keys("not-a-token")
    click_and_load(browser, by_id(browser, "login-submit"))
    assert by_id(browser, "login-problem").text == "This token is not valid for this service."

    by_id(browser, "token").send_keys(QUERY_TOKEN)
    click_and_load(browser, by_id(browser, "login-submit"))
    assert urlsplit(browser.current_url).path == f"/decisions/{decisions['forbidden']}"
    assert "FORBIDDEN" in by_id(browser, "outcome").text

    click_and_load(browser, by_id(browser, "logout"))
    assert "You are logged out." in by_id(browser, "logged-out").text
    browser.get(f"{base}/rules")
    assert urlsplit(browser.current_url).path == "/login"


def test_home_page(page, site):
    base, _ = site
    page.get(f"{base}/?lang=en")
    assert "Demo mode" in by_id(page, "demo-notice").text
    assert "Rules version" in by_id(page, "health").text
    screenshot(page, "home")
    click_and_load(page, page.find_element("link text", "Rule catalogue"))
    assert urlsplit(page.current_url).path == "/rules"


def test_decision_page_summary_then_the_full_proof_one_click_away(page, site):
    base, decisions = site
    page.get(f"{base}/decisions/{decisions['forbidden']}?lang=en")
    outcome = by_id(page, "outcome")
    assert "DECISION: FORBIDDEN" in outcome.text and "ann may not share this with tine." in outcome.text
    assert "outcome-forbidden" in outcome.get_attribute("class")
    summary = by_id(page, "summary").text
    assert "If lena consents to sharing information about lena with tine, ann may share it with tine." in summary
    assert not page.find_elements("id", "why")
    screenshot(page, "decision-forbidden-en")

    # One click to the full proof: a DAG whose repeats link back to the first showing.
    click_and_load(page, by_id(page, "full-view"))
    assert "view=full" in page.current_url
    why = by_id(page, "why")
    assert "D5.forbidden" in why.text
    for link in page.find_elements("css selector", "#proof a[href^='#n']"):
        assert page.find_elements("id", link.get_attribute("href").split("#")[1])
    # Marks follow the outcome: no green tick stands on a line of a forbidden decision's proof.
    marks = {m.text for m in page.find_elements("css selector", "#why .mark")}
    assert "✔" not in marks and "✘" in marks


def test_the_language_switch_changes_the_texts(page, site):
    base, decisions = site
    page.get(f"{base}/decisions/{decisions['permitted']}?lang=en&view=full")
    assert "DECISION: PERMITTED" in by_id(page, "outcome").text
    assert page.find_element("css selector", "#why h2").text == "How the decision follows"
    click_and_load(page, by_id(page, "lang-nl"))
    assert "lang=nl" in page.current_url
    assert page.find_element("tag name", "html").get_attribute("lang") == "nl"
    assert "BESLISSING: TOEGELATEN" in by_id(page, "outcome").text
    assert page.find_element("css selector", "#why h2").text == "Hoe de beslissing volgt"
    assert "Rechtsbronnen" in by_id(page, "sources").text
    screenshot(page, "decision-permitted-nl")


def test_obligated_decision_page(page, site):
    base, decisions = site
    page.get(f"{base}/decisions/{decisions['obligated']}?view=full")
    assert "DECISION: OBLIGATED" in by_id(page, "outcome").text
    assert "B9.report" in by_id(page, "why").text
    screenshot(page, "decision-obligated-en")


def test_print_media_hides_the_navigation_and_fits_a4(page, site):
    base, decisions = site
    page.get(f"{base}/decisions/{decisions['forbidden']}?lang=en&view=full")
    assert page.find_element("css selector", ".site-header").is_displayed()

    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert by_id(page, "why-not").is_displayed()
        assert not page.find_element("css selector", ".site-header").is_displayed()
        assert by_id(page, "demo-notice").is_displayed()  # a printed demo decision still says so
        screenshot(page, "decision-forbidden-print")
        # Nothing wider than an A4 page's text (210 mm less the 2 × 14 mm margins of @page).
        page.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                             {"width": A4_TEXT_WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})
        assert page.execute_script("return document.documentElement.scrollWidth") <= A4_TEXT_WIDTH
    finally:
        page.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # And printed for real, on A4 by the page's own @page rule, for the contested-decision file.
    pdf = base64.b64decode(page.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    assert pdf.startswith(b"%PDF")
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "decision-forbidden.pdf").write_bytes(pdf)
    pages = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf)
    assert pages and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in pages)  # A4, in points


def test_rule_catalogue_and_one_rule(page, site):
    base, _ = site
    page.get(f"{base}/rules?lang=en")
    card = by_id(page, "D3.permitted_by_exception")
    assert "Interpretation choice: An exception outweighs every block" in card.find_element("class name", "choice").text
    source = card.find_element("css selector", "details.source-text pre")
    assert not source.is_displayed()
    card.find_element("css selector", "details.source-text summary").click()
    assert "@id: D3.permitted_by_exception" in source.text
    screenshot(page, "rules-en")
    page.get(f"{base}/rules/B3.consent?lang=nl")
    assert "Regel B3.consent" in page.find_element("tag name", "h1").text
    assert "In alle andere gevallen" in page.find_element("css selector", "details.source-text pre").text
    screenshot(page, "rule-nl")


def test_scenario_form_decides_and_switches_language(page, site):
    base, _ = site
    page.get(f"{base}/try?lang=en")
    assert "not recorded in the decision log" in by_id(page, "try-notice").text
    by_id(page, "facts").send_keys(SCENARIO)
    for name, value in (("actor", "ann"), ("recipient", "tine"), ("item", "i_home_situation"), ("at", "2026-11-02")):
        by_id(page, name).send_keys(value)
    click_and_load(page, by_id(page, "decide"))
    assert "DECISION: FORBIDDEN" in by_id(page, "outcome").text
    assert "lena" in by_id(page, "remedies").text
    assert by_id(page, "facts").get_attribute("value") == SCENARIO  # the scenario stays in the form
    screenshot(page, "try-result-en")

    click_and_load(page, by_id(page, "lang-nl"))  # resubmits the same scenario in Dutch
    assert "BESLISSING: VERBODEN" in by_id(page, "outcome").text
    assert by_id(page, "facts").get_attribute("value") == SCENARIO


def test_scenario_form_shows_bad_input_with_its_line(page, site):
    base, _ = site
    page.get(f"{base}/try?lang=en")
    by_id(page, "facts").send_keys("- clb_worker: [ann]\n- consnet: [lena, i_home_situation, tine, 2026-10-01]\n")
    for name, value in (("actor", "ann"), ("recipient", "tine"), ("item", "i_home_situation"), ("at", "2026-13-01")):
        by_id(page, name).send_keys(value)
    click_and_load(page, by_id(page, "decide"))
    problems = by_id(page, "problems").text
    assert "line 2, column 3: unknown predicate `consnet`" in problems
    assert "did you mean `consent`?" in problems
    assert "`2026-13-01` is not a date" in by_id(page, "error-at").text
    assert not page.find_elements("id", "result")
    screenshot(page, "try-errors-en")


@pytest.mark.parametrize("lang, words", [
    ("nl", {"reached": "Er is een antwoord", "permitted": "TOEGELATEN", "ended": "Het vraaggesprek is afgerond"}),
    ("en", {"reached": "An answer is reached", "permitted": "PERMITTED", "ended": "The interview is finished"}),
])
def test_an_interview_is_clicked_through_to_an_outcome(page, site, lang, words):
    """Logged in through the form (a session, so every POST needs the page's CSRF field): start an
    interview, answer yes / no until an answer is reached, and stop there."""
    base, _ = site
    page.get(f"{base}/interviews?lang={lang}")
    for name, value in (("actor", "ann"), ("recipient", "tine"), ("item", "i_home_situation")):
        by_id(page, f"interview-{name}").send_keys(value)
    # The date picker: set as a person picking 2 November 2026 leaves it.
    page.execute_script("arguments[0].value = '2026-11-02'", by_id(page, "interview-at"))
    click_and_load(page, by_id(page, "interview-start"))
    assert re.fullmatch(r"/interviews/[0-9a-f]{32}", urlsplit(page.current_url).path)
    screenshot(page, f"interview-start-{lang}")
    for _ in range(6):  # at most a handful of questions before an answer is reached
        if page.find_elements("id", "answer-reached"):
            break
        question = by_id(page, "question-text").text
        assert question.endswith("?") and "Ongeldige vraag" not in page.page_source
        # "Yes" to a consent decides it; "no" to anything else, so the path is the same every time.
        button = "answer-yes" if question.split()[0] in ("Geeft", "Does") else "answer-no"
        click_and_load(page, by_id(page, button))
    assert words["reached"] in page.find_element("tag name", "main").text
    assert words["permitted"] in by_id(page, "outcome").text
    assert by_id(page, "answered").text
    screenshot(page, f"interview-reached-{lang}")
    click_and_load(page, by_id(page, "stop"))
    assert words["ended"] in by_id(page, "next-question").text
