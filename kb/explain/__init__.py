"""Explanations: why (proof trees), why not (failed candidates), remedies, and their renderings.

Built as the JSON of `explanation.schema.json` from the rules' AST and the engine's answers (the
same whichever engine evaluated), read into one typed model (model.py) that every view renders:
the one-page summary and the full proof (render.py), as one reader may see it (readers.py), with
people, schools and items by name (names.py) and who each person is (people.py).
"""
