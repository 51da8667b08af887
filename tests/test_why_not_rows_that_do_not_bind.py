"""Why-not: a condition whose rows exist but none fits the bindings so far fails; it is not a crash.

Review 6 (2026-12-07) found `--explain` raising a TypeError on the most basic staff question, a
teacher telling a colleague who sits on none of the pupil's circles: the search for the closest rule
instance found rows for a condition that none could bind, and ended with no instance at all.
"""
import contextlib
import io
import json

from kb.cli import main

FACTS = """facts:
  - pupil: [lena, sj]
  - born: [lena, 2012-03-01]
  - school_staff: [tine, sj, teacher]
  - school_staff: [piet, sj, teacher]
  - item_about: [i1, lena]
  - learned: [tine, i1, lena, school_staff]
"""


def _conditions(tree, rule_id, out):
    if isinstance(tree, dict):
        if tree.get("rule", {}).get("id") == rule_id if isinstance(tree.get("rule"), dict) else False:
            out.extend(f.get("condition") for f in tree.get("failed", []))
        for value in tree.values():
            _conditions(value, rule_id, out)
    elif isinstance(tree, list):
        for value in tree:
            _conditions(value, rule_id, out)
    return out


def test_a_teacher_toward_a_colleague_on_no_circle_is_explained(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text(FACTS)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["decide", "tine", "piet", "i1", "--at", "2026-11-02", "--facts", str(facts),
                     "--explain", "--format", "json"])
    assert code in (0, None)
    explanation = json.loads(out.getvalue())
    assert explanation["outcome"] == "forbidden"
    failed = _conditions(explanation["why_not"], "L8.care_structure_to_class_council", [])
    assert "in_circle(piet, lena, class_council)" in failed
