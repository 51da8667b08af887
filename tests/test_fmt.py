"""`kb fmt`: the canonical layout of rule files, keeping comments, quotes and annotations; `--check`."""
from __future__ import annotations

import pytest

from kb.cli import main
from kb.language.fmt import format_text
from kb.language.knowledge_base import DEFAULT_DIR, rule_files
from kb.language.parser import parse_text

MESSY = '''

% a file comment
#   Beroepsgeheim   



>   Informatie die we verkrijgen mogen we niet delen,   
>het beroepsgeheim.
@id:B2.shared_secrecy
@source:   B2; brochure § "Beroepsgeheim? Afspreken werkt het best"

@nl: {Actor} mag {Recipient} informeren over {Item}.
@en: {Actor} may tell {Recipient} about {Item}.
may_tell( Actor,Recipient , Item ):-holds_professional_secrecy(Actor,Item), % why this holds
   % the colleague must share it
   shared_secrecy_colleague(Recipient,Item),Recipient!=Actor.   % a closing note
> … een collega
@id: B2.colleague
@source: B2
@nl: {Colleague} deelt het beroepsgeheim.
@en: {Colleague} shares professional secrecy.
shared_secrecy_colleague(Colleague, Item) :- item_about(Item, Pupil), care_provider(Colleague), guides(Colleague,Pupil), Colleague != "a % b".
% the end
'''

CANONICAL = '''% a file comment

# Beroepsgeheim

> Informatie die we verkrijgen mogen we niet delen,
> het beroepsgeheim.
@id: B2.shared_secrecy
@source: B2; brochure § "Beroepsgeheim? Afspreken werkt het best"
@nl: {Actor} mag {Recipient} informeren over {Item}.
@en: {Actor} may tell {Recipient} about {Item}.
may_tell(Actor, Recipient, Item) :-
    holds_professional_secrecy(Actor, Item),  % why this holds
    % the colleague must share it
    shared_secrecy_colleague(Recipient, Item),
    Recipient != Actor.  % a closing note

> … een collega
@id: B2.colleague
@source: B2
@nl: {Colleague} deelt het beroepsgeheim.
@en: {Colleague} shares professional secrecy.
shared_secrecy_colleague(Colleague, Item) :-
    item_about(Item, Pupil),
    care_provider(Colleague),
    guides(Colleague, Pupil),
    Colleague != "a % b".

% the end
'''


def test_a_messy_file_becomes_the_canonical_one_with_every_comment_kept():
    formatted, diagnostics = format_text(MESSY, "messy.dl")
    assert diagnostics == [] and formatted == CANONICAL
    assert format_text(CANONICAL, "canonical.dl")[0] == CANONICAL  # idempotent


def test_formatting_keeps_the_rules_legal_text_and_annotations():
    before, _ = parse_text(MESSY, "messy.dl")
    after, _ = parse_text(CANONICAL, "messy.dl")
    assert [(str(r), r.legal_text, [(a.key, a.value) for a in r.annotations], r.heading) for r in before.rules] == \
        [(str(r), r.legal_text, [(a.key, a.value) for a in r.annotations], r.heading) for r in after.rules]


@pytest.mark.parametrize("path", rule_files(DEFAULT_DIR), ids=lambda p: p.name)
def test_the_shipped_rules_are_canonical(path):
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path))[0] == text


def test_kb_fmt_rewrites_and_check_reports(tmp_path, capsys):
    messy = tmp_path / "rules" / "20_messy.dl"
    messy.parent.mkdir()
    messy.write_text(MESSY, encoding="utf-8")
    assert main(["fmt", "--check", str(messy.parent)]) == 1
    out = capsys.readouterr().out
    assert "+    holds_professional_secrecy(Actor, Item),  % why this holds" in out
    assert messy.read_text(encoding="utf-8") == MESSY  # --check changes nothing
    assert main(["fmt", str(messy)]) == 0
    assert messy.read_text(encoding="utf-8") == CANONICAL
    assert main(["fmt", "--check", str(messy)]) == 0
    assert main(["fmt", "--check"]) == 0  # the shipped rules, through the entry point


def test_kb_fmt_leaves_a_file_that_does_not_parse_alone(tmp_path, capsys):
    broken = tmp_path / "broken.dl"
    text = MESSY.replace("Recipient!=Actor.", "Recipient!=Actor")
    broken.write_text(text, encoding="utf-8")
    assert main(["fmt", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "error[syntax]" in err and "not formatted, it does not parse" in err
    assert broken.read_text(encoding="utf-8") == text
