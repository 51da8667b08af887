"""Page labels for the catalogue's search and filters, the vocabulary page, the ask page and the
try-out's before/after (kept apart from i18n.py's furniture; merged into LABELS there)."""
from __future__ import annotations

TOOLS = {
    "en": {
        "nav_ask": "Ask", "nav_vocabulary": "Vocabulary",
        "search": "Search", "search_label": "Words in the id, source, legal text or reading",
        "filter_statement": "Statement", "filter_file": "File", "filter_all": "all", "filter_apply": "Show",
        "filter_clear": "Show every rule",
        "rules_shown": "{n} of {total} rules shown.", "rules_none": "No rule matches.",
        "predicates_shown": "{n} of {total} predicates shown.",
        "reading_label": "Reading",
        "vocabulary_title": "Vocabulary",
        "vocabulary_intro": "Every predicate the rules and facts use: its kind, its arguments and how it reads. "
                            "Write a fact as `predicate: [argument, …]` in this order.",
        "kind_input": "Facts (input)", "kind_derived": "Concluded by rules (derived)",
        "kind_context": "Given by the question (context)", "kind_decision": "Outcomes (decision)",
        "arguments": "Arguments", "example": "Example", "as_fact": "As a fact", "stored_example": "Stored example",
        "concluded_by": "Concluded by", "filter_kind": "Kind", "types_h": "Types and their values",
        "ask_title": "Ask a question",
        "ask_intro": "May the actor tell the recipient about the item, on the day, in the setting? Decided on the "
                     "stored facts and recorded in the decision log. Names are suggested from the stored facts.",
        "ask_submit": "Decide", "ask_errors_h": "The question cannot be decided as asked", "before_after_h": "Before and after the what-if facts",
        "before_label": "Stored facts only", "after_label": "With the what-if facts",
        "what_if_facts": "What-if facts", "changed": "The what-if facts change the outcome.",
        "unchanged": "The what-if facts do not change the outcome.",
    },
    "nl": {
        "nav_ask": "Vraag", "nav_vocabulary": "Woordenlijst",
        "search": "Zoeken", "search_label": "Woorden in de id, bron, wettekst of lezing",
        "filter_statement": "Uitspraak", "filter_file": "Bestand", "filter_all": "alle", "filter_apply": "Toon",
        "filter_clear": "Toon alle regels",
        "rules_shown": "{n} van {total} regels getoond.", "rules_none": "Geen enkele regel komt overeen.",
        "predicates_shown": "{n} van {total} predicaten getoond.",
        "reading_label": "Lezing",
        "vocabulary_title": "Woordenlijst",
        "vocabulary_intro": "Elk predicaat dat de regels en feiten gebruiken: zijn soort, zijn argumenten en hoe het "
                            "leest. Schrijf een feit als `predicaat: [argument, …]` in deze volgorde.",
        "kind_input": "Feiten (input)", "kind_derived": "Afgeleid door regels (derived)",
        "kind_context": "Gegeven door de vraag (context)", "kind_decision": "Uitkomsten (decision)",
        "arguments": "Argumenten", "example": "Voorbeeld", "as_fact": "Als feit", "stored_example": "Opgeslagen voorbeeld",
        "concluded_by": "Afgeleid door", "filter_kind": "Soort", "types_h": "Soorten waarden",
        "ask_title": "Een vraag stellen",
        "ask_intro": "Mag de actor de ontvanger informeren over het item, op de dag, in de setting? Beslist op de "
                     "opgeslagen feiten en opgenomen in het beslissingslogboek. Namen worden voorgesteld uit de "
                     "opgeslagen feiten.",
        "ask_submit": "Beslis", "ask_errors_h": "De vraag kan niet beslist worden zoals ze gesteld is", "before_after_h": "Voor en na de wat-als-feiten",
        "before_label": "Enkel opgeslagen feiten", "after_label": "Met de wat-als-feiten",
        "what_if_facts": "Wat-als-feiten", "changed": "De wat-als-feiten veranderen de uitkomst.",
        "unchanged": "De wat-als-feiten veranderen de uitkomst niet.",
    },
}
