"""The roles (kb/vocabulary.yaml `roles:`): the decision layer reads the law's predicate names from
the vocabulary, so a legal expert can rename them; a vocabulary lacking a role is reported by
`kb check`; and no predicate name of the vocabulary is written into the Python above the loader."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kb.engine.registry import engine_factory
from kb.golden import golden_texts
from kb.language.diagnostics import KnowledgeBaseError
from kb.language.knowledge_base import check_directory, load_knowledge_base
from kb.language.vocabulary import ROLE_NAMES, Kind
from kb.scenarios import load_scenario, run_scenario, scenario_paths

ROOT = Path(__file__).resolve().parent.parent
# Concluded predicates renamed as a legal expert might (input predicates are named by the facts of
# the scenarios, so they stay): outcomes, reasons, D6, capability, redaction.
RENAMED = {"obligated": "verplicht", "forbidden": "verboden", "must_tell": "moet_melden", "may_tell": "mag_melden",
           "may_choose": "mag_kiezen", "exception_applies": "uitzondering_geldt", "blocked": "verhinderd",
           "may_disclose": "mag_delen", "capable": "bekwaam", "withheld_from": "afgeschermd_voor"}


def rename_predicates(directory: Path, renamed: dict[str, str]) -> None:
    """Rename predicates in a knowledge-base copy: in rule atoms, vocabulary keys and role values."""
    for path in [*directory.glob("rules/*.dl")]:
        text = path.read_text(encoding="utf-8")
        for old, new in renamed.items():
            text = re.sub(rf"(?<![\w.]){old}(?=\()", new, text)
        path.write_text(text, encoding="utf-8")
    vocabulary = directory / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    for old, new in renamed.items():
        text = re.sub(rf"(?m)^  {old}:\n", f"  {new}:\n", text)          # the predicate's entry
        text = re.sub(rf"(?m)^(  \w+: ){old}(\s)", rf"\g<1>{new}\2", text)  # a role naming it
    vocabulary.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def renamed_kb(tmp_path_factory):
    from kb.language.knowledge_base import copy_knowledge_base
    directory = copy_knowledge_base(tmp_path_factory.mktemp("renamed") / "kb")
    rename_predicates(directory, RENAMED)
    return load_knowledge_base(directory)


def test_renaming_the_decision_predicates_keeps_every_scenario_passing(renamed_kb):
    assert set(RENAMED.values()) <= set(renamed_kb.vocabulary.predicates)
    assert not set(RENAMED) & set(renamed_kb.vocabulary.predicates)
    engine = engine_factory("materialized")()
    try:
        failed = [r.scenario.path for r in (run_scenario(load_scenario(p, renamed_kb), renamed_kb, engine)
                                            for p in scenario_paths(None)) if not r.passed]
    finally:
        engine.close()
    assert failed == []


@pytest.mark.parametrize("name", ["d_duty_outweighs_discretion", "b01_clb_worker_needs_ground_to_tell_teacher",
                                  "i03_abuse_report_not_shown_to_parent"])
def test_renaming_the_decision_predicates_keeps_the_explanations(kb, renamed_kb, name):
    """The explanation texts of the renamed rules equal those of the shipped ones (whatever the
    golden files say: `kb golden` keeps those)."""
    path = ROOT / "fixtures" / "scenarios" / f"{name}.yaml"
    engine = engine_factory("pydatalog")()
    try:
        texts = golden_texts(load_scenario(path, renamed_kb), renamed_kb, engine)
        shipped = golden_texts(load_scenario(path, kb), kb, engine)
    finally:
        engine.close()
    assert texts == shipped


def _without_role(kb_copy: Path, role: str) -> list:
    vocabulary = kb_copy / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    vocabulary.write_text(re.sub(rf"(?m)^  {role}: .*\n", "", text, count=1), encoding="utf-8")
    _, diagnostics = check_directory(kb_copy)
    return diagnostics


@pytest.mark.parametrize("role", ["duty", "item_subject", "forbidden"])
def test_kb_check_reports_a_missing_role(kb_copy, role):
    diagnostics = _without_role(kb_copy, role)
    assert [(d.code, role in d.message) for d in diagnostics if d.is_error] == [("vocabulary-missing-role", True)]
    assert diagnostics[0].pos.file.endswith("vocabulary.yaml") and diagnostics[0].pos.line > 1
    with pytest.raises(KnowledgeBaseError):
        load_knowledge_base(kb_copy)


@pytest.mark.parametrize("line, needle", [
    ("  duty: must_tel\n", "not a declared predicate"),      # a typo: did you mean must_tell?
    ("  duty: item_about\n", "needs a derived predicate with 3 argument(s)"),
    ("  dutie: must_tell\n", "not a role the decision layer knows"),
])
def test_kb_check_reports_a_wrong_role(kb_copy, line, needle):
    vocabulary = kb_copy / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    vocabulary.write_text(text.replace("  duty: must_tell ", line.rstrip("\n") + " ", 1), encoding="utf-8")
    _, diagnostics = check_directory(kb_copy)
    roles = [d for d in diagnostics if d.code == "vocabulary-role"]
    assert roles and needle in roles[0].message, [d.message for d in diagnostics]


def test_every_role_is_named_in_the_shipped_vocabulary(kb):
    assert all(getattr(kb.roles, role) in kb.vocabulary.predicates for role in ROLE_NAMES)
    assert kb.vocabulary.predicates[kb.roles.duty].kind is Kind.DERIVED


# String literals that equal a predicate name but are not one: each with the reason it is not.
NOT_PREDICATES = {
    # kb eval (issue 15) treats the question's own context predicate specially.
    ("kb/query.py", "asked"),
    # The JSON field `may_disclose` of `kb decide --format json`.
    ("kb/cli_tools.py", "may_disclose"),
    # The outcomes' English words (render.py), keyed by Outcome.
    ("kb/explain/render.py", "obligated"), ("kb/explain/render.py", "discretionary"),
    ("kb/explain/render.py", "permitted"), ("kb/explain/render.py", "forbidden"),
    # The JSON field `may_disclose` of an explanation and of the API (explanation.schema.json, openapi.yaml).
    ("kb/explain/explainer.py", "may_disclose"), ("kb/explain/model.py", "may_disclose"),
    ("query_service/api/decisions.py", "may_disclose"), ("query_service/traces.py", "may_disclose"),
    # The API's reader names (Reader enum).
    ("kb/explain/readers.py", "pupil"), ("kb/explain/readers.py", "parent"),
    # The scenario files' key `expect: withheld_from:` (kb/scenarios.py reads the predicate from the roles).
    ("kb/scenarios.py", "withheld_from"),
    # HTTP 403's problem code, and the English word for the remedy kind "consent".
    ("query_service/errors.py", "forbidden"), ("query_service/front_errors.py", "forbidden"),
    ("query_service/pages/i18n.py", "consent"),
    # The preload setting's keyword (DEELWIJZER_PRELOAD_MOMENTS=today): a day, not the predicate.
    ("query_service/forking.py", "today"), ("query_service/gunicorn_conf.py", "today"),
}
LOADER = "kb/language/vocabulary.py"
# The engine seam's contract: the three context predicates a question supplies (kb/engine/base.py
# names them once: TODAY, SETTING, QUESTION; the vocabulary declares them `kind: context`).
ENGINE_CONTEXT = ("today", "asked", "asked_in")
# Code that writes facts rather than reading decisions: the demo world's generator states its facts
# in the vocabulary's terms, as a fact file does.
FACT_WRITERS = ("kb/demo/",)


def test_no_predicate_name_is_written_into_the_python(kb):
    names = set(kb.vocabulary.predicates)
    found = set()
    for root in ("kb", "query_service"):
        for path in sorted((ROOT / root).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            if where == LOADER:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in names:
                    found.add((where, node.value))
    found = {(where, name) for where, name in found if not where.startswith(FACT_WRITERS)
             and not (where.startswith("kb/engine/") and name in ENGINE_CONTEXT)}
    assert found - NOT_PREDICATES == set(), "read these from kb.roles (vocabulary.yaml `roles:`)"
    assert NOT_PREDICATES - found == set(), "the allow-list names a literal that is gone: drop it"


def test_a_rule_set_kept_before_roles_existed_rebuilds_with_the_running_roles(kb):
    """A decision logged before `roles:` was declared keeps rule texts without it; it still rebuilds."""
    from kb.language.knowledge_base import check_texts
    sources = dict(kb.sources)
    path = next(p for p in sources if p.endswith("vocabulary.yaml"))
    sources[path] = re.sub(r"(?ms)^roles:\n.*?\n\n", "", sources[path])
    assert "\nroles:" not in sources[path]
    refused, diagnostics = check_texts(sources)
    assert refused is None and {d.code for d in diagnostics} == {"vocabulary-missing-role"}
    rebuilt, _ = check_texts(sources, roles=kb.roles)
    assert rebuilt is not None and rebuilt.roles == kb.roles
