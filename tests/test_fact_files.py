"""Fact and scenario files that cannot be used get a clear error naming the file, never a traceback.

The outside probe's F10: `kb decide --facts`, `--hypothetical` and `kb test` on a file that is not
UTF-8 ended in a UnicodeDecodeError traceback, an empty scenario file in an AttributeError (326
tracebacks in 3,031 fuzzed scenario files, of those 2 causes)."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.cli import main as kb_main
from kb.facts.fixtures import load_fact_file
from kb.language.diagnostics import KnowledgeBaseError
from kb.language.knowledge_base import load_knowledge_base
from kb.scenarios import load_scenario, scenario_paths

LATIN1 = "facts:\n  - clb_worker: [anné]\n".encode("latin-1")
FILES = {
    "not-utf8": (LATIN1, "latin.yaml:2:21: error[syntax]: the file is not UTF-8 text: byte 0xe9 cannot be read"),
    "empty": (b"", "empty.yaml:1:1: error[fact]: the {what} file is empty"),
    "only-a-comment": (b"# nothing yet\n\n", "only-a-comment.yaml:1:1: error[fact]: the {what} file is empty"),
}


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def _file(tmp_path, name: str) -> str:
    data, _ = FILES[name]
    path = tmp_path / ("latin.yaml" if name == "not-utf8" else f"{name}.yaml")
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("option", ["--facts", "--hypothetical"])
def test_kb_decide_names_the_file_and_what_is_wrong(tmp_path, capsys, name, option):
    path = _file(tmp_path, name)
    assert kb_main(["decide", "jonas_836", "eva_835", "item_00009", option, path]) == 1
    err = capsys.readouterr().err
    assert FILES[name][1].format(what="fact") in err and "Traceback" not in err


@pytest.mark.parametrize("name", sorted(FILES))
def test_kb_test_names_the_scenario_file_and_what_is_wrong(tmp_path, capsys, name):
    path = _file(tmp_path, name)
    assert kb_main(["test", path]) == 1
    out = capsys.readouterr()
    assert FILES[name][1].format(what="scenario") in out.out + out.err


def test_a_missing_file_is_named(tmp_path, capsys):
    assert kb_main(["decide", "ann", "bert", "i1", "--facts", str(tmp_path / "gone.yaml")]) == 1
    assert "gone.yaml:1:1: error[fact]: the fact file cannot be read: No such file or directory" in \
        capsys.readouterr().err


@pytest.mark.parametrize("text, message", [
    ("- a\n- b\n", "a scenario file is a mapping, not a list"),
    ("just words\n", "a scenario file is a mapping, not a single value"),
    ("question: 5\nexpect: [a]\n", "`question:` must be a mapping"),
])
def test_a_scenario_file_of_the_wrong_shape_is_a_diagnostic(tmp_path, kb, text, message):
    path = tmp_path / "shape.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as raised:
        load_scenario(path, kb)
    assert message in raised.value.render()


_SEEDS = [p.read_bytes() for p in scenario_paths()]


def _mutated(seed: bytes, rnd: random.Random) -> bytes:
    data = bytearray(seed)
    for _ in range(rnd.randint(1, 4)):
        operation = rnd.randrange(5)
        if operation == 0 and data:
            data[rnd.randrange(len(data))] = rnd.randrange(256)  # any byte, UTF-8 or not
        elif operation == 1:
            data = data[:rnd.randrange(len(data) + 1)]
        elif operation == 2:
            at = rnd.randrange(len(data) + 1)
            data[at:at] = rnd.choice([b": ", b"- ", b"[", b"{", b"\n  ", b"null", b"1.5", b"[a, b]", b"&a *a", b"\t"])
        elif operation == 3 and data:
            at = rnd.randrange(len(data))
            del data[at:at + rnd.randint(1, 20)]
        else:
            lines = data.split(b"\n")
            rnd.shuffle(lines)
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@settings(max_examples=150, deadline=None, database=None)
@given(seed=st.sampled_from(_SEEDS), salt=st.integers(0, 2**32 - 1))
def test_a_damaged_scenario_or_fact_file_is_loaded_or_refused_with_diagnostics(tmp_path_factory, kb, seed, salt):
    """Mutated copies of the shipped scenarios (bytes flipped, cut, inserted, deleted, lines shuffled)
    are read as scenarios and as fact files: each loads, or fails with diagnostics — nothing else."""
    path = tmp_path_factory.mktemp("fuzz") / "mutated.yaml"
    path.write_bytes(_mutated(seed, random.Random(salt)))
    for load in (lambda: load_scenario(path, kb), lambda: load_fact_file(path, kb.vocabulary)):
        try:
            load()
        except KnowledgeBaseError as err:
            assert err.diagnostics and str(path) in err.render()
