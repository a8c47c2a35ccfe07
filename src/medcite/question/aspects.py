"""Every aspect a question asks: "Which drugs prevent migraine and which relieve an attack?"
asks two things (prevention, treatment), and an answer that covers only one must say so.

The question is cut into clauses at coordinators ("and", "or", ",", ";", "as well as"); each
clause's aspect is the first intent rule of :data:`medcite.question.intent.INTENT_RULES` it
matches, the weak ones (a yes/no opening, "what is") counting only when no clause states a
stronger one. An aspect keeps the clause's own words ("relieve", "attack"): a sentence that
uses them answers that aspect more directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcite.question.intent import INTENT_RULES, classify_intent
from medcite.question.words import GENERIC_STEMS, key_stems
from medcite.text.terms import QUESTION_WORDS

WEAK_INTENTS = frozenset({"evidence", "definition"})
MAX_ASPECTS = 3
# Words that open a question of their own ("..., and how is it treated?", "or which ...").
OPENS = r"(?:what|which|how|when|who|why|where|is|are|can|could|do|does|did|should|will|would|if)\b"
# "or" between options ("surgery or medicines") joins one clause; before a new question it
# starts one.
_CLAUSE = re.compile(
    rf"\s*(?:[,;]|\band\b|\bor\b(?=\s+{OPENS})|\bas well as\b|\bplus\b)\s*", re.IGNORECASE
)
# Intent words that say which aspect, not what about: kept out of an aspect's own words.
_ASPECT_STOPS = frozenset(key_stems("which what how when whether why who one ones"))
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_CONDITION = re.compile(r"\s(?:if|unless|once|before|until)\s", re.IGNORECASE)


@dataclass(frozen=True)
class Aspect:
    """One thing asked: an intent and the words the question asks it with."""

    intent: str
    phrase: str  # the clause, as written: "which relieve an attack"
    words: tuple[str, ...]  # its own words beyond the topic, lower-cased: ("relieve", "attack")

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(s for w in self.words for s in key_stems(w))

    def to_dict(self) -> dict[str, object]:
        return {"intent": self.intent, "phrase": self.phrase}


def read_aspects(question: str, skip: frozenset[str] = frozenset()) -> tuple[Aspect, ...]:
    """The question's aspects, in the order asked (at least one); ``skip`` holds the
    (lower-cased) words that name the topic, which are no aspect's own words."""
    found: list[Aspect] = []
    for clause in _clauses(question):
        intent = _strong_intent(clause)
        if intent is None:
            continue
        same = next((i for i, a in enumerate(found) if a.intent == intent), None)
        words = _own_words(clause, skip)
        if same is None:
            found.append(Aspect(intent, clause, words))
        else:  # "What drugs treat X, and is there a surgical option?": one aspect, both asks
            earlier = found[same]
            merged = tuple(dict.fromkeys([*earlier.words, *words]))
            found[same] = Aspect(intent, f"{earlier.phrase}; {clause}", merged)
    if not found:
        intent = classify_intent(question)
        found.append(Aspect(intent, question.strip(), _own_words(question, skip)))
    return tuple(found[:MAX_ASPECTS])


def _clauses(question: str) -> list[str]:
    parts = [p.strip(" ?.!") for p in _CLAUSE.split(question)]
    return [p for p in parts if p]


def _strong_intent(clause: str) -> str | None:
    """The clause's first strong intent, read first without its conditional tail: "what is
    the outlook if symptoms start before he is treated" asks the outlook."""
    main = _CONDITION.split(clause, maxsplit=1)[0]
    for part in dict.fromkeys((main, clause)):
        for intent, pattern in INTENT_RULES:
            if intent not in WEAK_INTENTS and pattern.search(part):
                return intent
    return None


def _own_words(clause: str, skip: frozenset[str]) -> tuple[str, ...]:
    own = []
    for word in _WORD.findall(clause.lower()):
        stems = key_stems(word)
        if not stems or word in skip or stems[0] in _ASPECT_STOPS:
            continue
        # Generic words stay when they name the aspect distinctively ("relieve", "cure"), not
        # when they are the usual way of asking ("treatment", "options", "prevent").
        if stems[0] not in GENERIC_STEMS or (_names_aspect(word) and word not in QUESTION_WORDS):
            own.append(word)
    return tuple(dict.fromkeys(w for w in own if len(w) > 2 and not w.isdigit()))


def _names_aspect(word: str) -> bool:
    return any(
        pattern.search(word) for intent, pattern in INTENT_RULES if intent not in WEAK_INTENTS
    )
