"""Criminal Code articles are cited as on the question's day (issue 19, concept 9)."""
import datetime

import pytest

from kb.explain.citations import NEW_CRIMINAL_CODE_IN_FORCE, cite_in_force

SOURCE = "B9; L6; art. 458bis Sw.; art. 422bis Sw. (L6)"


def test_before_the_new_code_the_source_is_unchanged():
    day = NEW_CRIMINAL_CODE_IN_FORCE - datetime.timedelta(days=1)
    assert cite_in_force(SOURCE, day, "nl") == SOURCE


@pytest.mark.parametrize("lang, first, second", [
    ("nl", "art. 458bis van het Strafwetboek van 1867 (hernummerd door het Strafwetboek dat sinds 8 april 2026 geldt)",
     "art. 422bis van het Strafwetboek van 1867 (L6)"),
    ("en", "art. 458bis of the 1867 Criminal Code (renumbered by the Criminal Code in force since 8 April 2026)",
     "art. 422bis of the 1867 Criminal Code (L6)"),
])
def test_from_the_new_code_each_article_names_the_1867_code_and_the_first_its_renumbering(lang, first, second):
    cited = cite_in_force(SOURCE, NEW_CRIMINAL_CODE_IN_FORCE.isoformat(), lang)
    assert cited == f"B9; L6; {first}; {second}"
    assert "Sw." not in cited


def test_no_new_article_number_is_ever_invented():
    cited = cite_in_force("art. 458 Sw.", "2026-11-02", "nl")
    assert [word for word in cited.split() if word.rstrip(".,()").isdigit()] == ["458", "1867", "8", "2026"]


def test_an_explanation_cites_by_the_question_day(kb, decide_text):
    before = decide_text("2026-03-01")
    after = decide_text("2026-11-02")
    assert "art. 458 Sw." in before and "Strafwetboek van 1867" not in before
    assert "Strafwetboek van 1867 (hernummerd" in after and "art. 458 Sw." not in after


@pytest.fixture
def decide_text(tmp_path):
    """The Dutch auditor's text of a B2 permission (cites art. 458 Sw.) on a given day."""
    from kb.cli import main
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        "facts:\n"
        "  - clb_worker: [ann]\n  - clb_worker: [bert]\n  - pupil: [lena, sint_jozef]\n"
        "  - born: [lena, 2012-03-01]\n  - guides: [bert, lena]\n  - item_about: [i_x, lena]\n"
        "  - learned: [ann, i_x, lena, clb_worker]\n")

    def run(day: str) -> str:
        import contextlib
        import io
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(["decide", "ann", "bert", "i_x", "--at", day, "--facts", str(facts), "--explain",
                  "--lang", "nl", "--reader", "auditor"])
        return out.getvalue()
    return run
