"""Which persons and items a fact set knows, so that a question about an unknown one is an error."""
from __future__ import annotations

from typing import Iterable

from ..language.vocabulary import Vocabulary
from .model import Fact


def known_entities(facts: Iterable[Fact], vocab: Vocabulary) -> dict[str, set]:
    """Values per entity type ('person', 'item', ...) that appear in the facts."""
    known: dict[str, set] = {}
    for fact in facts:
        pred = vocab.predicates[fact.predicate]
        for arg, value in zip(pred.args, fact.args):
            known.setdefault(arg.type, set()).add(value)
    return known
