"""Articles of the Criminal Code as they are cited on the question's day.

The new Criminal Code (law of 29 February 2024) is in force since 8 April 2026 and renumbers the
articles of the 1867 code that the rules cite (art. 458, 458bis, 422bis). We have not verified the
new numbers, so a question dated on or after that day cites the old article by its code and says it
was renumbered; we never print a number we could not check (docs/law.md).
"""
from __future__ import annotations

import datetime
import re

NEW_CRIMINAL_CODE_IN_FORCE = datetime.date(2026, 4, 8)

# "art. 458 Sw.", "art. 458bis Sw.", "art. 422bis Sw." — the 1867 code's abbreviation
_ARTICLE = re.compile(r"\bart\.\s*(\d+(?:bis|ter|quater)?)\s+Sw\.")

_RENUMBERED = {
    "nl": ("art. {n} van het Strafwetboek van 1867 (hernummerd door het Strafwetboek dat sinds "
           "8 april 2026 geldt)", "art. {n} van het Strafwetboek van 1867"),
    "en": ("art. {n} of the 1867 Criminal Code (renumbered by the Criminal Code in force since "
           "8 April 2026)", "art. {n} of the 1867 Criminal Code"),
}


def _day(at) -> datetime.date | None:
    if isinstance(at, datetime.date):
        return at
    try:
        return datetime.date.fromisoformat(str(at))
    except ValueError:
        return None


def cite_in_force(source: str, at, lang: str) -> str:
    """`source` with its Criminal Code articles cited as on the day `at`: unchanged before 8 April
    2026; from that day each names the 1867 code, the first one saying it was renumbered."""
    day = _day(at)
    if day is None or day < NEW_CRIMINAL_CODE_IN_FORCE:
        return source
    long, short = _RENUMBERED["nl" if lang == "nl" else "en"]
    first = True

    def replace(match: re.Match) -> str:
        nonlocal first
        text = (long if first else short).format(n=match.group(1))
        first = False
        return text

    return _ARTICLE.sub(replace, source)
