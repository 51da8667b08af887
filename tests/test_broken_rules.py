"""Every mistake a legal expert can make in a rule file is reported at its exact place.

Data-driven, in the style of OPA's and Catala's test suites: each file in tests/broken_rules/ holds
one deliberate mistake (multiple_errors.dl holds several) and states what `kb check` must say about
it in its first line:

    % expect: unknown-predicate at 13:5 help "did you mean `in_circle/3`?"

i.e. a diagnostic code at line:column of that file, optionally with text its message must contain
(`says "..."`) and text its suggestion must contain (`help "..."`). Several expectations are
separated by `;`. Optional directive lines shape the knowledge base the file is checked in:

    % drop: ID, ID            comment these shipped rules out of the copied rules
    % add-predicate: NAME: {...}   add one predicate (YAML flow mapping) to the copied vocabulary
    % known-bug[CHECKS]: WHY  the named checks (reported, only) are strict xfails until kb/ is fixed

Each file is checked in a fresh directory: the shipped vocabulary and rules plus that one file.
"""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kb.cli import main
from kb.language.diagnostics import CODES, WARNING_CODES, KnowledgeBaseError
from kb.language.knowledge_base import DEFAULT_DIR, check_directory, load_knowledge_base
from kb.language.parser import parse_file

BROKEN_DIR = Path(__file__).resolve().parent / "broken_rules"
BROKEN_FILES = sorted(BROKEN_DIR.glob("*.dl"))
MULTI = "multiple_errors.dl"

_EXPECT_ITEM = re.compile(
    r'(?P<code>[a-z][a-z-]*) at (?P<line>\d+):(?P<column>\d+)'
    r'(?P<texts>(?:\s+(?:says|help)\s+"[^"]*")*)')
_TEXT = re.compile(r'(says|help)\s+"([^"]*)"')


@dataclass(frozen=True)
class Expected:
    code: str
    line: int
    column: int
    says: tuple[str, ...] = ()
    help: tuple[str, ...] = ()

    @property
    def where(self) -> tuple[str, int, int]:
        return self.code, self.line, self.column


@dataclass
class BrokenCase:
    path: Path
    expected: list[Expected]
    drop: set[str] = field(default_factory=set)
    add_predicates: list[str] = field(default_factory=list)
    known_bugs: dict[str, str] = field(default_factory=dict)  # check -> reason


def read_case(path: Path) -> BrokenCase:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines and lines[0].startswith("% expect: "), f"{path.name}: the first line must be `% expect: ...`"
    expected = []
    for item in lines[0][len("% expect: "):].split(";"):
        match = _EXPECT_ITEM.fullmatch(item.strip())
        assert match, f"{path.name}: cannot read the expectation {item.strip()!r}"
        texts = _TEXT.findall(match["texts"])
        expected.append(Expected(match["code"], int(match["line"]), int(match["column"]),
                                 tuple(t for kind, t in texts if kind == "says"),
                                 tuple(t for kind, t in texts if kind == "help")))
    case = BrokenCase(path, expected)
    for line in lines[1:]:
        if line.startswith("% drop: "):
            case.drop |= {name.strip() for name in line[len("% drop: "):].split(",")}
        elif line.startswith("% add-predicate: "):
            case.add_predicates.append(line[len("% add-predicate: "):])
        elif (m := re.match(r"% known-bug\[([a-z,]+)\]: (.*)", line)):
            case.known_bugs.update({check: m[2] for check in m[1].split(",")})
    return case


def build_kb_dir(case: BrokenCase, directory: Path) -> Path:
    """The shipped vocabulary and rules plus the broken file, in `directory`. Returns the copied file."""
    rules = directory / "rules"
    rules.mkdir(parents=True)
    vocabulary = (DEFAULT_DIR / "vocabulary.yaml").read_text(encoding="utf-8")
    assert vocabulary.rstrip().splitlines()[-1].startswith("    "), "predicates must be the last section"
    for spec in case.add_predicates:
        vocabulary = vocabulary.rstrip("\n") + "\n  " + spec + "\n"
    (directory / "vocabulary.yaml").write_text(vocabulary, encoding="utf-8")
    shutil.copy(DEFAULT_DIR / "conditions.yaml", directory / "conditions.yaml")
    dropped = set()
    for shipped in sorted((DEFAULT_DIR / "rules").glob("*.dl")):
        lines = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
        for rule in (parse_file(shipped)[0].rules if case.drop else ()):
            if rule.id in case.drop:
                dropped.add(rule.id)
                first = min([a.pos.line for a in rule.annotations] + [rule.pos.line])
                for index in range(first - 1, rule.pos.end_line):
                    lines[index] = "% dropped: " + lines[index]
        (rules / shipped.name).write_text("".join(lines), encoding="utf-8")
    assert dropped == case.drop, f"no shipped rule has the id(s) {case.drop - dropped}"
    target = rules / case.path.name
    shutil.copyfile(case.path, target)
    return target


CASES = {path.name: read_case(path) for path in BROKEN_FILES}


def _param(name: str, check: str):
    reason = CASES[name].known_bugs.get(check)
    marks = [pytest.mark.xfail(strict=True, reason=f"kb/ bug: {reason}")] if reason else []
    return pytest.param(name, marks=marks, id=name.removesuffix(".dl"))


def params(check: str):
    return [_param(name, check) for name in CASES]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """name -> (kb directory, the copied broken file, diagnostics); each case is built once."""
    cache: dict[str, tuple[Path, Path, list]] = {}

    def get(name: str):
        if name not in cache:
            directory = tmp_path_factory.mktemp(name.removesuffix(".dl"))
            target = build_kb_dir(CASES[name], directory)
            kb, diagnostics = check_directory(directory)
            assert kb is None, "a knowledge base with errors must not be built"
            cache[name] = (directory, target, diagnostics)
        return cache[name]

    return get


# -- the collection itself ------------------------------------------------------------------------

def test_there_is_a_broken_file_for_each_kind_of_mistake():
    assert len(BROKEN_FILES) >= 16
    covered = {e.code for case in CASES.values() for e in case.expected}
    # Vocabulary codes are covered by tests/test_vocabulary.py, scenario codes and warnings (which
    # do not stop loading) by tests/test_one_edit_mistakes.py, the query code by tests/test_cli_eval.py.
    every_rule_code = {code for code in CODES if not code.startswith("vocabulary")} - {
        "fact", "conditions", "unknown-rule-id", "allow-list", "query-needs-question"} - WARNING_CODES
    assert every_rule_code <= covered, f"no broken file shows {sorted(every_rule_code - covered)}"


@pytest.mark.parametrize("name", list(CASES), ids=[n.removesuffix(".dl") for n in CASES])
def test_every_expected_code_is_a_registered_code(name):
    for expected in CASES[name].expected:
        assert expected.code in CODES


def test_the_shipped_knowledge_base_checks_clean():
    kb, diagnostics = check_directory(DEFAULT_DIR)
    assert diagnostics == []
    assert kb is not None and len(kb.rules) > 0


# -- what check_directory reports -----------------------------------------------------------------

@pytest.mark.parametrize("name", params("reported"))
def test_broken_file_reports_the_expected_diagnostic_at_its_place(name, checked):
    _, target, diagnostics = checked(name)
    for expected in CASES[name].expected:
        here = [d for d in diagnostics if d.pos.file == str(target)
                and (d.code, d.pos.line, d.pos.column) == expected.where]
        assert here, (f"no {expected.code} at {target.name}:{expected.line}:{expected.column}; got "
                      + "; ".join(f"{d.code} at {d.pos.line}:{d.pos.column}" for d in diagnostics))
        (diagnostic,) = here
        for text in expected.says:
            assert text in diagnostic.message
        for text in expected.help:
            assert text in diagnostic.suggestion


@pytest.mark.parametrize("name", params("only"))
def test_broken_file_reports_nothing_but_its_own_mistakes(name, checked):
    """No cascade: the only diagnostics are the expected ones, in the broken file, sorted by place."""
    _, target, diagnostics = checked(name)
    got = [(d.code, d.pos.line, d.pos.column) for d in diagnostics]
    assert all(d.pos.file == str(target) for d in diagnostics), got
    assert got == [e.where for e in CASES[name].expected]


def test_multiple_errors_are_all_reported_at_once_sorted_by_location(checked):
    _, target, diagnostics = checked(MULTI)
    expected = CASES[MULTI].expected
    assert len(expected) >= 6 and len({e.code for e in expected}) == len(expected)
    got = [(d.code, d.pos.line, d.pos.column) for d in diagnostics if d.pos.file == str(target)]
    assert got == [e.where for e in expected]
    assert got == sorted(got, key=lambda g: (g[1], g[2]))


def test_loading_a_broken_knowledge_base_raises_with_every_diagnostic(checked):
    directory, target, diagnostics = checked(MULTI)
    with pytest.raises(KnowledgeBaseError) as raised:
        load_knowledge_base(directory)
    assert raised.value.diagnostics == diagnostics
    rendered = raised.value.render()
    for expected in CASES[MULTI].expected:
        assert f"{target}:{expected.line}:{expected.column}: error[{expected.code}]" in rendered
    positions = [rendered.index(f"{target}:{e.line}:{e.column}:") for e in CASES[MULTI].expected]
    assert positions == sorted(positions)


def test_a_did_you_mean_is_rendered_as_help_under_the_caret(checked):
    _, target, diagnostics = checked("misspelled_predicate.dl")
    (diagnostic,) = diagnostics
    source = target.read_text(encoding="utf-8").splitlines()
    rendered = diagnostic.render(source).splitlines()
    assert rendered[0] == f"{target}:13:5: error[unknown-predicate]: unknown predicate `in_cirle/3`"
    assert rendered[1] == "    under: Broken — misspelled predicate"
    assert rendered[2].endswith("|     in_cirle(Recipient, Pupil, care_team).")
    assert rendered[3].index("^") == rendered[2].index("in_cirle")
    assert rendered[4] == "    help: did you mean `in_circle/3`?"


# -- the kb check command ----------------------------------------------------------------------------

def run_cli(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:  # argparse errors exit instead of returning
        return exit_.code if isinstance(exit_.code, int) else 1


@pytest.mark.parametrize("name", list(CASES), ids=[n.removesuffix(".dl") for n in CASES])
def test_kb_check_exits_nonzero_and_names_each_expected_code(name, checked, capsys):
    directory, target, _ = checked(name)
    capsys.readouterr()
    assert run_cli(["--dir", str(directory), "check", "--json"]) == 1
    reported = json.loads(capsys.readouterr().out)
    in_file = {d["code"] for d in reported if d["file"] == str(target)}
    assert {e.code for e in CASES[name].expected} <= in_file


def test_kb_check_prints_every_error_and_the_count(checked, capsys):
    directory, target, diagnostics = checked(MULTI)
    capsys.readouterr()
    assert run_cli(["--dir", str(directory), "check"]) == 1
    out = capsys.readouterr().out
    assert f"{len(diagnostics)} errors — the knowledge base was not loaded." in out
    for expected in CASES[MULTI].expected:
        assert f"{target}:{expected.line}:{expected.column}: error[{expected.code}]" in out


def test_kb_check_exits_zero_on_the_shipped_knowledge_base(capsys):
    assert run_cli(["check"]) == 0
    assert run_cli(["--dir", str(DEFAULT_DIR), "check"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_kb_check_json_is_an_empty_list_on_the_shipped_knowledge_base(capsys):
    assert run_cli(["--dir", str(DEFAULT_DIR), "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_kb_check_accepts_dir_after_the_subcommand(checked, capsys):
    assert run_cli(["check", "--dir", str(DEFAULT_DIR)]) == 0
    directory, _, _ = checked("unknown_predicate.dl")
    capsys.readouterr()
    assert run_cli(["check", "--dir", str(directory), "--json"]) == 1
    assert any(d["code"] == "unknown-predicate" for d in json.loads(capsys.readouterr().out))
