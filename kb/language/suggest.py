"""Find a declared predicate by what it means: an unknown predicate name read against the readings.

Legal experts name a condition in their own words, often Dutch (`begeleidt`, `toestemming`), while
the vocabulary names predicates in English and keeps the Dutch and English wording in their
readings. Suggesting "declare it in the vocabulary" would invite a second predicate for what
`guides` already says, so the words of an unknown name are first looked for in every reading.
Words are compared by a rough stem (Dutch and English endings cut off), enough to pair `begeleidt`
with "begeleiding" without pairing unrelated words.
"""
from __future__ import annotations

import re
import unicodedata

from .vocabulary import PLACEHOLDER, Vocabulary

_LANGUAGES = {"nl": "Dutch", "en": "English"}
# Words that say nothing about what a predicate means.
_STOPWORDS = frozenset({
    "de", "het", "een", "en", "van", "voor", "bij", "op", "in", "is", "aan", "om", "te", "door", "met", "die",
    "dat", "er", "als", "of", "naar", "niet", "geen",
    "the", "a", "an", "and", "for", "to", "on", "at", "be", "by", "with", "that", "as", "or", "not", "no",
    "its", "his", "her", "their"})
_ENDINGS = ("ingen", "ing", "ings", "en", "es", "ed", "t", "d", "e", "s")
_MIN_STEM = 4


def _stem(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[:-len(ending)]
    return word


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", text.lower()) if w not in _STOPWORDS]


def _same(a: str, b: str) -> bool:
    """Two stems that name the same thing: equal, or one most of the other's start (`begeleiding`,
    `begeleidingscel`), never a short word inside a long one (`school`, `schooluitstap`)."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 6 and long.startswith(short) and len(short) >= 0.7 * len(long)


def by_reading(name: str, arity: int, vocab: Vocabulary) -> str:
    """A 'did you mean' naming the predicate whose reading holds the words of `name`, or ''."""
    wanted = [_stem(w) for w in _words(name.replace("_", " "))]
    if not wanted:
        return ""
    best: tuple | None = None
    for pred in vocab.predicates.values():
        for lang in _LANGUAGES:
            reading = pred.readings.get(lang, "")
            # The argument names in braces (`{School}`) are words of the reading too.
            stems = [_stem(w) for w in _words(PLACEHOLDER.sub(r" \1 ", reading))]
            matched = sum(any(_same(w, s) for s in stems) for w in wanted)
            if matched == 0:
                continue
            # Every word of the name found first; then the predicate of the same arity, the shorter
            # reading (a reading that says more matches by chance more often), the Dutch one.
            score = (matched == len(wanted), matched, pred.arity == arity, -len(stems), lang == "nl")
            if best is None or score > best[0]:
                best = (score, pred, lang, reading)
    if best is None or not best[0][0]:
        return ""
    _, pred, lang, reading = best
    return (f"did you mean `{pred.name}` ({_LANGUAGES[lang]} reading: “{reading}”)? Predicates are named in "
            f"English, with their Dutch and English wording in kb/vocabulary.yaml: declare a new one there "
            f"only for what no reading says")
