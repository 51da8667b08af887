"""The demo generator is a module of the package: it writes the shipped demo facts byte for byte."""
from __future__ import annotations

from kb.demo.generate import DEFAULT_OUT, main


def test_the_generator_writes_the_shipped_demo_facts_byte_for_byte(tmp_path):
    out = tmp_path / "facts.yaml"
    assert main(["--out", str(out), "--quiet"]) == 0
    assert out.read_bytes() == DEFAULT_OUT.read_bytes()


def test_another_seed_gives_other_facts(tmp_path):
    out = tmp_path / "facts.yaml"
    assert main(["--out", str(out), "--quiet", "--seed", "7", "--pupils", "30"]) == 0
    assert out.read_bytes() != DEFAULT_OUT.read_bytes()
