"""Anchors and receipts: what is kept outside the database to check the database against.

Whoever can write the database can rewrite a chain *and* its head consistently; only something
kept elsewhere shows it. Two things can be kept:

- an **anchor**, one line naming the last record of both chains (decision log and fact history)
  with their whole hashes, printed by `kb audit anchor`:

      deelwijzer-anchor 1 decisions=1042:<64 hex> facts=17:<64 hex>

  A later `kb audit verify --anchor LINE` checks that the chains still hold those records with
  those hashes: a rewritten, renumbered or truncated past no longer matches;
- a **receipt**, `ID:HASH` of one decision, which every answer that creates or returns a record
  carries (`receipt`); `kb audit verify --receipt ID:HASH` confirms the log still holds it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "deelwijzer-anchor"
VERSION = "1"
_HEX = r"[0-9a-f]{64}"
_ANCHOR = re.compile(rf"{PREFIX} {VERSION} decisions=([0-9]{{1,19}}):({_HEX}) facts=([0-9]{{1,19}}):({_HEX})")
_RECEIPT = re.compile(rf"([0-9]{{1,19}}):({_HEX})")


@dataclass(frozen=True)
class Anchor:
    """The last record of each chain (id 0 and the genesis hash for an empty chain)."""

    decisions: tuple[int, str]
    facts: tuple[int, str]

    def text(self) -> str:
        return (f"{PREFIX} {VERSION} decisions={self.decisions[0]}:{self.decisions[1]} "
                f"facts={self.facts[0]}:{self.facts[1]}")

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """The anchor a line names; ValueError saying what a valid one looks like."""
        found = _ANCHOR.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"not an anchor line; `kb audit anchor` prints one: "
                             f"{PREFIX} {VERSION} decisions=ID:HASH facts=ID:HASH")
        return cls((int(found[1]), found[2]), (int(found[3]), found[4]))


@dataclass(frozen=True)
class Receipt:
    """One decision's id and hash, as its answer gave them."""

    id: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Receipt:
        found = _RECEIPT.fullmatch(text.strip().lower())
        if found is None:
            raise ValueError(f"`{text}` is not a receipt: write ID:HASH, the decision's id and its 64 hex digits")
        return cls(int(found[1]), found[2])
