"""The pages in the headless browser at a phone's width (400 px: no sideways scroll on any page), and
the new pages used as a person would: ask a question with suggested names, search the rule
catalogue, read the vocabulary, see a what-if's before and after side by side."""
from __future__ import annotations

from contextlib import contextmanager

from . import test_browser as shared
from .test_browser import HEIGHT, by_id, click_and_load, screenshot

# The browser, the running site and a logged-in page, shared with test_browser.py.
browser, site, page = shared.browser, shared.site, shared.page

NARROW = 400


@contextmanager
def width(driver, pixels: int):
    """The page laid out as on a screen `pixels` CSS pixels wide."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": pixels, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def sideways(driver) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scroll)."""
    return driver.execute_script(
        "return Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)")


def test_no_page_scrolls_sideways_at_400_px(page, site):
    base, decisions = site
    paths = ["/", f"/decisions/{decisions['forbidden']}", f"/decisions/{decisions['forbidden']}?view=full",
             f"/decisions/{decisions['obligated']}?view=full", "/rules", "/rules/B3.consent", "/vocabulary",
             "/ask", "/try?example=1", "/law", "/interviews"]
    wide = {}
    with width(page, NARROW):
        for path in paths:
            page.get(f"{base}{path}{'&' if '?' in path else '?'}lang=en")
            assert page.execute_script("return window.innerWidth") == NARROW  # less a scroll bar for the page
            if sideways(page):
                wide[path] = sideways(page)
        page.get(f"{base}/decisions/{decisions['forbidden']}?lang=en&view=full")
        screenshot(page, "decision-forbidden-400px")
    assert not wide, f"pages wider than {NARROW} px: {wide}"


def test_ask_a_question_with_suggested_names(page, site):
    base, _ = site
    page.get(f"{base}/ask?lang=en")
    actor = by_id(page, "ask-actor")
    assert actor.get_attribute("list") == "ask-persons"
    suggested = page.execute_script(
        "return Array.from(document.getElementById('ask-persons').options).map(o => o.value)")
    assert {"ann", "tine", "tom"} <= set(suggested)
    actor.send_keys("ann")
    by_id(page, "ask-recipient").send_keys("tom")
    by_id(page, "ask-item").send_keys("i_home_situation")
    page.execute_script("document.getElementById('ask-at').value = '2026-11-02'")
    click_and_load(page, by_id(page, "ask-submit"))
    assert "/decisions/" in page.current_url
    assert "outcome-permitted" in by_id(page, "outcome").get_attribute("class")


def test_search_the_rule_catalogue(page, site):
    base, _ = site
    page.get(f"{base}/rules?lang=en")
    every = len(page.find_elements("css selector", "article.rule-card"))
    by_id(page, "rule-search").send_keys("consent")
    click_and_load(page, by_id(page, "rule-filter-apply"))
    found = page.find_elements("css selector", "article.rule-card")
    assert 0 < len(found) < every
    assert f"of {every} rules shown" in by_id(page, "rules-shown").text
    assert not page.find_elements("css selector", 'dd[lang="nl"]')  # English page, English readings only


def test_vocabulary_page_shows_how_to_write_a_fact(page, site):
    base, _ = site
    page.get(f"{base}/vocabulary?lang=en&kind=input")
    card = by_id(page, "predicate-consent")
    assert "- consent: [Giver, Item, Recipient, GivenOn]" in card.text
    assert not page.find_elements("id", "predicate-holds_professional_secrecy")


def test_try_out_before_and_after_side_by_side_then_stacked_at_400_px(page, site):
    base, _ = site
    page.get(f"{base}/try?lang=en")
    by_id(page, "facts").send_keys("- consent: [lena, i_home_situation, tine, 2026-10-01]")
    page.find_element("css selector", 'input[name="mode"][value="stored"]').click()
    for name, value in (("actor", "ann"), ("recipient", "tine"), ("item", "i_home_situation"), ("at", "2026-11-02")):
        by_id(page, name).send_keys(value)
    click_and_load(page, by_id(page, "decide"))
    before, after = by_id(page, "before"), by_id(page, "after")
    assert "forbidden" in before.text.casefold() and "permitted" in after.text.casefold()
    assert before.rect["y"] == after.rect["y"] and before.rect["x"] < after.rect["x"]  # side by side
    screenshot(page, "try-before-after")
    with width(page, NARROW):
        before, after = by_id(page, "before"), by_id(page, "after")
        assert after.rect["y"] > before.rect["y"]  # one above the other on a phone
        assert not sideways(page)
