"""Explanations: why (proof trees), why not (failed candidates), remedies, and their renderings.

One data structure — plain JSON-ready dicts documented by `explanation.schema.json` — built from
the rules' AST and the engine's answers, so it is the same whichever engine evaluated.
"""
