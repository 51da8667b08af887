"""Dutch and English labels for the pages.

The words an explanation is made of (outcomes, "why not", "legal sources", validity periods …) come
from the text renderer's PHRASES, so the text, the JSON summary and the pages say the same thing;
only the words of the page furniture (navigation, forms, headings) are added here.
"""
from __future__ import annotations

from kb.explain.render import _FAILURE_WORD as FAILURE_WORD  # noqa: F401  (one mapping, shared)
from kb.explain.render import PHRASES

from ..config import DEMO_NOTICE, DEMO_TOKEN
from .labels_tools import TOOLS

LANGS = ("nl", "en")
DEFAULT_LANG = "nl"  # a Flemish service: Dutch unless a page or a record says otherwise
LANG_NAMES = {"nl": "Nederlands", "en": "English"}

_PAGE = {
    "en": {
        "tagline": "Who may tell whom about a pupil? Flemish school-privacy law, explained.",
        "nav": "Main navigation", "nav_home": "Home", "nav_rules": "Rules", "nav_law": "Law", "nav_try": "Try a scenario",
        "nav_login": "Log in", "nav_logout": "Log out", "language": "Language",
        "demo_notice": DEMO_NOTICE.replace("`", ""),
        "question_h": "Question", "actor": "Actor", "recipient": "Recipient", "item_label": "Item",
        "at": "Date", "setting": "Setting", "what_if": "What-if facts (never stored)",
        "outcome_obligated": "Must share it", "outcome_discretionary": "May weigh whether to share it",
        "outcome_permitted": "May share it", "outcome_forbidden": "May not share it",
        "summary_h": "The decision", "tree_h": "Derivation",
        "tree_hint": "Click a line to open or close its reasons. Printing opens them all.",
        "rule_label": "Rule", "source_label": "Source", "expand_all": "Open all", "collapse_all": "Close all",
        "bindings": "Bindings", "choice": "Interpretation choice", "legal_text": "Legal text",
        "location": "Location", "source_text": "Rule as written", "clause": "Clause",
        "reading_nl": "Dutch reading", "reading_en": "English reading", "concludes": "Concludes",
        "why_not_none_h": "Why not another outcome",
        "no_why_not": "The outcome is the strongest there is: there is no stronger outcome to explain.",
        "no_blocks": "No blocking rule applies.",
        "satisfied_h": "Holds", "failed_h": "Fails", "can_bring_about": "{by} can bring this about ({act})",
        "who_what": "Who could do what", "by": "by", "verified": "verified by deciding again",
        "leads_to": "leads to",
        "act_consent": "consent", "act_agreement": "agreement", "act_designation": "designation",
        "act_request": "request",
        "versions_h": "Versions", "decision_id": "Decision", "decided_at": "Decided at (UTC)",
        "kb_version": "Rules version", "facts_version": "Facts version", "record_hash": "Record hash",
        "prev_hash": "Previous record's hash",
        "rules_changed": "The rules have changed since this decision (they are now version {now}). "
                         "This page shows the decision exactly as it was made, under rules version {then}.",
        "what_if_label": "What-if.",
        "what_if_mark": ("This decision was asked with hypothetical facts (listed with the question): it says what "
                         "would follow if they held, not what is the case."),
        "record_unrenderable": ("Decision {id} is intact in the log, but this service cannot show it: {reason}. "
                                "Ask the administrator."),
        "print": "Print", "full_view": "Show the full proof",
        "not_for_reader": "For the professional: this decision is not meant for this reader; do not hand them this page.",
        "interview_title": "Interview", "interview_intro": "Which facts would decide this question? Answer one at a "
        "time; the answers are what-if facts, never stored.", "outcome_so_far": "Outcome so far",
        "next_question": "Next question", "asked_of_label": "Who can answer", "answer_yes": "Yes", "answer_no": "No",
        "answered_h": "Answered", "other_questions": "Other open questions",
        "no_open_questions": "No open question would change this outcome.", "start_interview": "Start",
        "if_yes": "a yes leads to", "answer_reached_h": "An answer is reached",
        "answer_reached": "With these answers: {outcome}",
        "go_on_question": "Other questions could still change it. Go on asking?",
        "go_on": "Go on", "stop_here": "Stop here", "interview_ended_h": "The interview is finished",
        "interview_ended": "No more questions are asked. To record this outcome, ask the decision with the answers "
                           "as what-if facts.",
        "interview_new": "Start another interview",
        "no_interview": "There is no interview {id}.",
        "who_reads": "Who is reading?", "show_for": "Show", "unknown_reader": "`{reader}` is not a reader; the readers are {readers}.",
        "choose_actor": "the professional who asked", "choose_pupil": "the pupil", "choose_parent": "a parent",
        "choose_other": "someone else", "choose_auditor": "an auditor (everything)",
        "audit_needed": "The auditor's view shows everything, also what other readers may not see: it needs a "
                        "token with the audit scope.",
        "decision_on": "Decision {id} of {day}.",
        "decision_title": "Decision {id}",
        "rules_title": "Rule catalogue",
        "law_title": "The law Deelwijzer encodes",
        "law_intro": "Every statement the rules cite (docs/law.md), in the project's own words, with the rules whose source cites it.",
        "law_rules": "Rules", "law_link": "statements", "alternative": "Alternative", "condition": "Condition",
        "rules_intro": "{n} rules in rules version {kb}, grouped by file and by the heading of the law they encode. "
                       "Interpretation choices are highlighted.",
        "contents": "Contents", "rules_count": "{n} rules",
        "rule_title": "Rule {id}",
        "rule_scenarios_h": "Scenarios that exercise this rule",
        "rule_no_scenarios": "No scenario makes this rule fire.",
        "rule_dependents_h": "Rules that depend on this rule",
        "rule_no_dependents": "No rule uses this rule's conclusion: it decides an outcome directly.",
        "try_title": "Try a scenario",
        "try_intro": "Enter facts and a question; Deelwijzer decides and explains.",
        "try_notice": "Try-out: this decision is not recorded in the decision log, and the facts entered "
                      "here are not stored.",
        "facts_label": "Facts", "facts_help": "YAML, as in the fixture files: one `- predicate: [arguments]` per fact, "
                                              "optionally with `from:` and `until:` dates. Leave empty to decide "
                                              "on the stored fact base.",
        "decide_on": "Decide on", "mode_scenario": "only the facts entered here (a scenario)",
        "mode_stored": "the stored fact base, plus the facts entered here as what-if facts",
        "example": "Fill in an example", "submit": "Decide",
        "errors_h": "The scenario cannot be decided as entered",
        "line_col": "line {line}, column {column}", "suggestion": "Suggestion",
        "required": "fill in the {field}", "bad_date": "`{value}` is not a date; write it as YYYY-MM-DD",
        "scenario_facts": "scenario ({n} facts)", "try_facts_version": "stored version {v}",
        "login_title": "Log in",
        "login_help": "Paste an access token with the query scope. A fingerprint of it (never the token) is kept "
                      "in a signed session cookie until you log out or close the browser.",
        "token_label": "Access token", "login_submit": "Log in",
        "login_demo": f"In this demo the token is {DEMO_TOKEN}.",
        "bad_token": "This token is not valid for this service.",
        "too_many_logins": "Too many failed logins from here; wait a minute and try again.",
        "no_scope": "This token does not carry the query scope these pages need.",
        "sessions_off": "Session login is off on this service (no SECRET_KEY is configured). Send the token in an "
                        "Authorization: Bearer header instead.",
        "logged_in": "Logged in", "logged_out": "You are logged out.", "login_needed": "Log in to see this page.",
        "service_h": "Service", "status": "Status", "engine": "Engine", "decisions_logged": "Decisions logged",
        "rule_count": "Rules", "demo_mode": "Demo mode", "yes": "yes", "no": "no",
        "open_decision": "Open decision number", "open": "Open",
        "home_decision": "A decision page shows one recorded decision exactly as decided: outcome, summary, "
                         "derivation, why not, remedies, legal sources and versions. The API's answers link to it.",
        "home_rules": "Every rule with its legal text, readings and interpretation choices.",
        "home_try": "Enter facts and a question, and see the decision and its explanation without recording it.",
        "error_title": "Something went wrong",
        "error_400": "Bad request", "error_404": "Not found", "error_401": "Log in first", "error_403": "Not allowed",
        "error_413": "Too much text", "error_500": "Internal error",
        "error_409": "Damaged record", "error_503": "Too much to evaluate",
        "busy": "Other try-outs are being evaluated right now; send the form again in a moment.",
        "csrf_failed": ("This form expired or was sent from another site, so nothing was done. Reload the page "
                        "and send it again."),
        "over_budget": ("Answering this needed more than the evaluation budget of {seconds} s, so it was "
                        "stopped. Enter fewer or smaller facts (a long chain or cycle of superiors, for one)."),
        "error_413_detail": "The form sent more than {limit} bytes; enter fewer facts.",
        "error_500_detail": "The service failed while answering this request. The failure was logged.",
        "no_decision": "There is no decision {id} in the log.",
        "record_damaged": ("The record of decision {id} is damaged: it, its rule texts or the facts it rested on "
                           "were changed after it was decided, so it is not shown. Ask the administrator to run "
                           "`kb audit verify`."),
        "no_rule": "There is no rule {id} in rules version {kb}.",
        "back_home": "Back to the home page",
    },
    "nl": {
        "tagline": "Wie mag wat vertellen over een leerling? Het Vlaamse privacyrecht op school, uitgelegd.",
        "nav": "Hoofdnavigatie", "nav_home": "Start", "nav_rules": "Regels", "nav_law": "Wetgeving", "nav_try": "Scenario uitproberen",
        "nav_login": "Aanmelden", "nav_logout": "Afmelden", "language": "Taal",
        "demo_notice": "Demomodus: verzonnen personen en feiten, een openbaar demotoken "
                       f"({DEMO_TOKEN}); niet voor echte beslissingen over echte leerlingen.",
        "question_h": "Vraag", "actor": "Wie informeert", "recipient": "Ontvanger", "item_label": "Item",
        "at": "Datum", "setting": "Context", "what_if": "Wat-als-feiten (nooit opgeslagen)",
        "outcome_obligated": "Moet het delen", "outcome_discretionary": "Mag zelf afwegen of het gedeeld wordt",
        "outcome_permitted": "Mag het delen", "outcome_forbidden": "Mag het niet delen",
        "summary_h": "De beslissing", "tree_h": "Afleiding",
        "tree_hint": "Klik op een regel om de redenen te openen of te sluiten. Afdrukken opent ze allemaal.",
        "rule_label": "Regel", "source_label": "Bron", "expand_all": "Alles openen", "collapse_all": "Alles sluiten",
        "bindings": "Invullingen", "choice": "Interpretatiekeuze", "legal_text": "Wettekst",
        "location": "Plaats", "source_text": "Regel zoals geschreven", "clause": "Clausule",
        "reading_nl": "Nederlandse lezing", "reading_en": "Engelse lezing", "concludes": "Besluit",
        "why_not_none_h": "Waarom geen andere uitkomst",
        "no_why_not": "Dit is de sterkste uitkomst: er is geen sterkere uitkomst om uit te leggen.",
        "no_blocks": "Geen enkele verhinderende regel is van toepassing.",
        "satisfied_h": "Geldt", "failed_h": "Faalt", "can_bring_about": "{by} kan dit teweegbrengen ({act})",
        "who_what": "Wie zou wat kunnen doen", "by": "door", "verified": "nagegaan door opnieuw te beslissen",
        "leads_to": "leidt tot",
        "act_consent": "toestemming", "act_agreement": "akkoord", "act_designation": "aanwijzing",
        "act_request": "verzoek",
        "versions_h": "Versies", "decision_id": "Beslissing", "decided_at": "Beslist op (UTC)",
        "kb_version": "Versie regels", "facts_version": "Versie feiten", "record_hash": "Hash van het record",
        "prev_hash": "Hash van het vorige record",
        "rules_changed": "De regels zijn veranderd sinds deze beslissing (nu versie {now}). Deze pagina toont "
                         "de beslissing precies zoals ze genomen werd, onder versie {then} van de regels.",
        "what_if_label": "Wat-als.",
        "what_if_mark": ("Deze beslissing werd gevraagd met hypothetische feiten (bij de vraag vermeld): ze zegt wat "
                         "zou volgen als die golden, niet wat nu het geval is."),
        "record_unrenderable": ("Beslissing {id} staat ongeschonden in het logboek, maar deze dienst kan ze niet "
                                "tonen: {reason}. Vraag het aan de beheerder."),
        "print": "Afdrukken", "full_view": "Toon het volledige bewijs",
        "not_for_reader": "Voor de professional: deze beslissing is niet bestemd voor deze lezer; geef hem of haar deze pagina niet.",
        "interview_title": "Vraaggesprek", "interview_intro": "Welke feiten zouden deze vraag beslissen? Beantwoord ze "
        "een voor een; de antwoorden zijn wat-als-feiten en worden nooit opgeslagen.", "outcome_so_far": "Uitkomst tot nu toe",
        "next_question": "Volgende vraag", "asked_of_label": "Wie kan antwoorden", "answer_yes": "Ja", "answer_no": "Nee",
        "answered_h": "Beantwoord", "other_questions": "Andere open vragen",
        "no_open_questions": "Geen enkele open vraag zou deze uitkomst veranderen.", "start_interview": "Begin",
        "if_yes": "een ja leidt tot", "answer_reached_h": "Er is een antwoord",
        "answer_reached": "Met deze antwoorden geldt: {outcome}",
        "go_on_question": "Andere vragen kunnen het nog veranderen. Wil je verder vragen?",
        "go_on": "Verder vragen", "stop_here": "Hier stoppen", "interview_ended_h": "Het vraaggesprek is afgerond",
        "interview_ended": "Er worden geen vragen meer gesteld. Wil je deze uitkomst vastleggen, vraag dan de "
                           "beslissing aan met de antwoorden als wat-als-feiten.",
        "interview_new": "Begin een nieuw vraaggesprek",
        "no_interview": "Er is geen vraaggesprek {id}.",
        "who_reads": "Wie leest dit?", "show_for": "Toon", "unknown_reader": "`{reader}` is geen lezer; de lezers zijn {readers}.",
        "choose_actor": "de professional die het vroeg", "choose_pupil": "de leerling", "choose_parent": "een ouder",
        "choose_other": "iemand anders", "choose_auditor": "een auditor (alles)",
        "audit_needed": "De weergave voor een auditor toont alles, ook wat andere lezers niet mogen zien: ze vraagt "
                        "een token met de scope audit.",
        "decision_on": "Beslissing {id} van {day}.",
        "decision_title": "Beslissing {id}",
        "rules_title": "Regelcatalogus",
        "law_title": "De wetgeving die Deelwijzer vertaalt",
        "law_intro": "Elke uitspraak die de regels aanhalen (docs/law.md), in de woorden van het project (Engels), met de regels die ze als bron aanhalen.",
        "law_rules": "Regels", "law_link": "uitspraken", "alternative": "Alternatief", "condition": "Voorwaarde",
        "rules_intro": "{n} regels in versie {kb}, gegroepeerd per bestand en per rubriek van de wet die ze "
                       "weergeven. Interpretatiekeuzes zijn gemarkeerd.",
        "contents": "Inhoud", "rules_count": "{n} regels",
        "rule_title": "Regel {id}",
        "rule_scenarios_h": "Scenario's die deze regel gebruiken",
        "rule_no_scenarios": "Geen enkel scenario laat deze regel toepassen.",
        "rule_dependents_h": "Regels die van deze regel afhangen",
        "rule_no_dependents": "Geen regel gebruikt de conclusie van deze regel: ze beslist rechtstreeks een uitkomst.",
        "try_title": "Scenario uitproberen",
        "try_intro": "Vul feiten en een vraag in; Deelwijzer beslist en legt uit.",
        "try_notice": "Proefbeslissing: ze wordt niet opgenomen in het beslissingslogboek, en de feiten die "
                      "hier ingevuld worden, worden niet opgeslagen.",
        "facts_label": "Feiten", "facts_help": "YAML, zoals in de fixturebestanden: één `- predicaat: [argumenten]` "
                                               "per feit, eventueel met datums `from:` en `until:`. Laat leeg om "
                                               "te beslissen op de opgeslagen feiten.",
        "decide_on": "Beslis op", "mode_scenario": "enkel de feiten die hier ingevuld zijn (een scenario)",
        "mode_stored": "de opgeslagen feiten, plus de feiten die hier ingevuld zijn als wat-als-feiten",
        "example": "Vul een voorbeeld in", "submit": "Beslis",
        "errors_h": "Het scenario kan niet beslist worden zoals het ingevuld is",
        "line_col": "regel {line}, kolom {column}", "suggestion": "Suggestie",
        "required": "vul in: {field}", "bad_date": "`{value}` is geen datum; schrijf ze als JJJJ-MM-DD",
        "scenario_facts": "scenario ({n} feiten)", "try_facts_version": "opgeslagen versie {v}",
        "login_title": "Aanmelden",
        "login_help": "Plak een toegangstoken met de scope query. Een vingerafdruk ervan (nooit het token zelf) "
                      "wordt ondertekend bewaard in een sessiecookie tot u afmeldt of de browser sluit.",
        "token_label": "Toegangstoken", "login_submit": "Aanmelden",
        "login_demo": f"In deze demo is het token {DEMO_TOKEN}.",
        "bad_token": "Dit token is niet geldig voor deze dienst.",
        "too_many_logins": "Te veel mislukte aanmeldingen van hier; wacht een minuut en probeer opnieuw.",
        "no_scope": "Dit token heeft niet de scope query die deze pagina's vragen.",
        "sessions_off": "Aanmelden met een sessie staat uit op deze dienst (er is geen SECRET_KEY ingesteld). "
                        "Stuur het token in een Authorization: Bearer-header.",
        "logged_in": "Aangemeld", "logged_out": "U bent afgemeld.", "login_needed": "Meld u aan om deze pagina te zien.",
        "service_h": "Dienst", "status": "Status", "engine": "Rekenmotor", "decisions_logged": "Beslissingen in het logboek",
        "rule_count": "Regels", "demo_mode": "Demomodus", "yes": "ja", "no": "nee",
        "open_decision": "Open beslissing nummer", "open": "Open",
        "home_decision": "Een beslissingspagina toont één opgenomen beslissing precies zoals ze genomen werd: "
                         "uitkomst, samenvatting, afleiding, waarom niet, oplossingen, rechtsbronnen en versies. "
                         "De antwoorden van de API verwijzen ernaar.",
        "home_rules": "Elke regel met zijn wettekst, lezingen en interpretatiekeuzes.",
        "home_try": "Vul feiten en een vraag in en bekijk de beslissing en haar uitleg, zonder ze op te nemen.",
        "error_title": "Er ging iets mis",
        "error_400": "Ongeldige vraag", "error_404": "Niet gevonden", "error_401": "Meld u eerst aan", "error_403": "Niet toegestaan",
        "error_413": "Te veel tekst", "error_500": "Interne fout",
        "error_409": "Beschadigd dossier", "error_503": "Te veel om te evalueren",
        "busy": "Er worden nu andere scenario's geëvalueerd; verstuur het formulier zo meteen opnieuw.",
        "csrf_failed": ("Dit formulier is verlopen of werd vanaf een andere site verstuurd, dus er gebeurde niets. "
                        "Laad de pagina opnieuw en verstuur het nog eens."),
        "over_budget": ("Dit beantwoorden vroeg meer dan het evaluatiebudget van {seconds} s, dus het werd "
                        "gestopt. Vul minder of kleinere feiten in (een lange keten of kring van meerderen, "
                        "bijvoorbeeld)."),
        "error_413_detail": "Het formulier stuurde meer dan {limit} bytes; vul minder feiten in.",
        "error_500_detail": "De dienst faalde bij het beantwoorden van deze vraag. De fout is gelogd.",
        "no_decision": "Er is geen beslissing {id} in het logboek.",
        "record_damaged": ("Het dossier van beslissing {id} is beschadigd: het, de regelteksten of de feiten waarop "
                           "het steunde zijn na de beslissing gewijzigd, dus het wordt niet getoond. Vraag de "
                           "beheerder `kb audit verify` uit te voeren."),
        "no_rule": "Er is geen regel {id} in versie {kb} van de regels.",
        "back_home": "Terug naar de startpagina",
    },
}


class Labels:
    """The labels of one language, as attributes (`t.nav_home` in a template).

    A missing label raises KeyError instead of rendering as nothing, so a page that uses a label
    one language lacks fails its test in that language."""

    def __init__(self, lang: str):
        self.lang = lang
        self._labels = {**PHRASES[lang], **_PAGE[lang], **TOOLS[lang]}

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):  # copy, pickle and hasattr probes are no label lookups
            raise AttributeError(key)
        return self._labels[key]

    def __getitem__(self, key: str) -> str:
        return self._labels[key]


LABELS = {lang: Labels(lang) for lang in LANGS}


def choose(*candidates) -> str:
    """The first candidate that is a language the pages speak, else the default."""
    return next((c for c in candidates if c in LANGS), DEFAULT_LANG)
