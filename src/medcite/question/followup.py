"""Follow-up questions: rewrite "what about dosing?" in the context of the thread.

Each turn is parsed into entities of three kinds — drugs, a topic (the condition or subject:
the question's topic words that are neither drugs nor populations) and a population — plus
an intent (``compose.intent``). The thread's state is folded over the earlier turns:

- a turn with no follow-up cue that names a topic or a drug is a new question: the state
  starts fresh from it (a topic change);
- otherwise (a cue such as "and ...", "what about ...", "it", or nothing to be about) it is a
  follow-up: its intent replaces the state's when it states one, each entity kind it names
  replaces the same kind in the state (a new topic also drops the old topic's drugs), for
  an interaction question a new drug is added to the one "it" refers to, and a pronoun with
  a new topic ("is it linked to X?") asks about X within the thread's topic.

The rewrite is a readable query ("dosing of ocrelizumab in primary progressive MS") that is
shown to the user ("Answering: ...") and is what retrieval and composition use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from medcite.question.intent import INTENT_RULES, analyse
from medcite.text.drugs import find_drugs
from medcite.text.terms import QUESTION_WORDS, STOPWORDS

# Populations, each with the phrase that names it in a rewritten query.
POPULATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), phrase)
    for pattern, phrase in (
        (r"\bpregnan\w*", "during pregnancy"),
        (r"\bbreast-?feeding\b|\blactat\w*|\bnursing mothers?\b", "during breastfeeding"),
        (r"\bnew-?borns?\b|\bneonat\w*|\binfants?\b|\bbab(?:y|ies)\b", "in infants"),
        (r"\bchild\w*|\bp(?:a)?ediatric\w*|\bkids?\b", "in children"),
        (r"\badolescen\w*|\bteen\w*", "in adolescents"),
        (r"\bmen\b|\bmales?\b", "in men"),
        (r"\bwomen\b|\bfemales?\b", "in women"),
        (
            r"\belderly\b|\bolder (?:adults?|people|patients?|persons?)\b|\bgeriatric\w*",
            "in older adults",
        ),
        (r"\badults?\b", "in adults"),
        (
            r"\brenal (?:impairment|failure|insufficiency)\b|\bkidney (?:disease|failure)\b",
            "in renal impairment",
        ),
        (
            r"\bhepatic (?:impairment|failure)\b|\bliver (?:disease|failure)\b",
            "in hepatic impairment",
        ),
    )
)
# Words that carry a follow-up's grammar, not its subject ("is it safe to take with ...").
FOLLOW_UP_WORDS = frozenset(
    """safe safely safety okay ok take takes taking taken give given giving also else instead
    still work works help helps helped effective effectiveness recommend recommended
    about during again same well good related linked link links associated association
    connected connection relationship relation""".split()
)
_PRONOUN = re.compile(
    r"\b(?:it|its|it's|them|they|their|this|these|those|the drug|the disease)\b", re.IGNORECASE
)
_CUE = re.compile(
    r"^\s*(?:and|or|but|also|then|so|plus|same|what about|how about|what if|ok(?:ay)?)\b"
    f"|{_PRONOUN.pattern}",
    re.IGNORECASE,
)
_PARENTHETICAL = re.compile(r"\(([^()]*)\)")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
# Follow-up phrasings of an intent that the question-level rules do not cover.
_WITH = re.compile(r"\b(?:with|and)\b(.*)$", re.IGNORECASE)  # "is it safe with <drug>"
_SAFE = re.compile(r"\bsafe(?:ty|ly)?\b", re.IGNORECASE)
# The yes/no fallback ("is it ...") and the definition default do not state an intent.
_WEAK_INTENTS = frozenset({"evidence", "definition"})
_PHRASES: dict[str, str] = {
    "treatment": "treatment of {topic}{with_drugs}",
    "dosing": "dosing of {drugs_or_topic}{in_topic}",
    "adverse_effects": "side effects of {drugs_or_topic}{in_topic}",
    "interactions": "interactions of {drugs}{in_topic}",
    "diagnosis": "diagnosis of {topic}",
    "prognosis": "prognosis of {topic}",
    "cause": "causes of {topic}",
    "prevention": "prevention of {topic}",
    "evidence": "evidence on {drugs_and_topic}",
    "definition": "{drugs_and_topic}",
}


@dataclass(frozen=True)
class ThreadState:
    """What the conversation is about after some turns."""

    intent: str
    topic: str = ""  # condition or subject, in the asker's words and casing
    subgroups: tuple[str, ...] = ()
    drugs: tuple[str, ...] = ()
    population: str = ""  # a phrase from POPULATIONS, e.g. "during pregnancy"


@dataclass(frozen=True)
class Turn:
    """One question's own intent, entities and follow-up cue."""

    question: str
    intent: str | None  # None when the question states no intent of its own
    topic: str
    subgroups: tuple[str, ...]
    drugs: tuple[str, ...]
    population: str
    cue: bool
    pronoun: bool  # refers back ("is it linked to ...")

    @property
    def follow_up_shaped(self) -> bool:
        """Reads as a follow-up: a cue, or nothing of its own to be about."""
        return self.cue or not (self.topic or self.drugs)


@dataclass(frozen=True)
class Rewrite:
    """How a question is answered in its thread."""

    question: str
    query: str  # what retrieval and the composer use; the question itself when fresh
    intent: str
    follow_up: bool
    state: ThreadState

    @property
    def answering(self) -> str:
        """The text after "Answering: "."""
        return self.query


def rewrite(question: str, history: Sequence[str] = ()) -> Rewrite:
    """``question`` rewritten in the context of the earlier questions ``history`` (oldest
    first). Without history, or when the question starts a new topic, it is unchanged."""
    state: ThreadState | None = None
    for earlier in history:
        state = _advance(state, parse_turn(earlier))[0]
    new_state, follow_up = _advance(state, parse_turn(question))
    query = render(new_state) if follow_up else question
    return Rewrite(question, query, new_state.intent, follow_up, new_state)


def parse_turn(question: str) -> Turn:
    """A question's intent, drugs, topic, population and whether it reads as a follow-up."""
    analysis = analyse(question)
    outside = _PARENTHETICAL.sub(" ", question) if analysis.subgroups else question
    population = next((phrase for p, phrase in POPULATIONS if p.search(outside)), "")
    drugs = find_drugs(outside)
    skip = {w.lower() for d in drugs for w in d.split()}
    for pattern, _phrase in POPULATIONS:
        skip.update(w.lower() for m in pattern.finditer(outside) for w in m.group(0).split())
    topic = _topic_phrase(outside, skip)
    return Turn(
        question=question,
        intent=_stated_intent(question),
        topic=topic,
        subgroups=tuple(g.label for g in analysis.subgroups),
        drugs=drugs,
        population=population,
        cue=bool(_CUE.search(question)),
        pronoun=bool(_PRONOUN.search(question)),
    )


def render(state: ThreadState) -> str:
    """The readable query for a thread state, e.g. "dosing of X in Y during pregnancy"."""
    topic = state.topic + (f" ({' and '.join(state.subgroups)})" if state.subgroups else "")
    drugs = (
        " with ".join(state.drugs) if state.intent == "interactions" else " and ".join(state.drugs)
    )
    parts = {
        "topic": topic,
        "drugs": drugs,
        "with_drugs": f" with {drugs}" if drugs else "",
        "drugs_or_topic": drugs or f"treatments for {topic}",
        "in_topic": f" in {topic}" if drugs and topic else "",
        "drugs_and_topic": " ".join(p for p in (drugs, topic) if p),
    }
    text = _PHRASES[state.intent].format(**parts).strip()
    if state.population:
        text = f"{text} {state.population}"
    return " ".join(text.split())


def _advance(state: ThreadState | None, turn: Turn) -> tuple[ThreadState, bool]:
    """The state after ``turn`` and whether the turn was a follow-up of ``state``."""
    if state is None or not turn.follow_up_shaped:
        return _fresh(turn), False
    intent = turn.intent or state.intent
    topic, subgroups, drugs = state.topic, state.subgroups, state.drugs
    if turn.topic and turn.pronoun and topic:
        # "Is it linked to X?": X about the same subject, asked its own way.
        topic = f"{turn.topic} in {topic}"
        intent = turn.intent or analyse(turn.question).intent
    elif turn.topic:
        # "What about X?": a new subject; the old subject's drugs do not carry over to it.
        topic, subgroups, drugs = turn.topic, turn.subgroups, ()
    if turn.drugs:
        keep = intent == "interactions" and len(turn.drugs) == 1 and not turn.topic
        drugs = tuple(dict.fromkeys([*drugs[:1], *turn.drugs])) if keep else turn.drugs
    population = turn.population or state.population
    return ThreadState(intent, topic, subgroups, drugs, population), True


def _fresh(turn: Turn) -> ThreadState:
    intent = analyse(turn.question).intent
    return ThreadState(intent, turn.topic, turn.subgroups, turn.drugs, turn.population)


def _stated_intent(question: str) -> str | None:
    for intent, pattern in INTENT_RULES:
        if intent not in _WEAK_INTENTS and pattern.search(question):
            return intent
    after_with = _WITH.search(question)
    if after_with and find_drugs(after_with.group(1)) and _CUE.search(question):
        return "interactions"  # "and with sertraline?": the drug is added to "it"
    return "adverse_effects" if _SAFE.search(question) else None


def _topic_phrase(text: str, skip: set[str]) -> str:
    """The question's subject in its own words: the span from the first to the last topic
    word (stop, question, follow-up, drug and population words are not topic words)."""
    excluded = STOPWORDS | QUESTION_WORDS | FOLLOW_UP_WORDS | skip
    tokens = list(_TOKEN.finditer(text))
    keep = [i for i, t in enumerate(tokens) if _is_topic_word(t.group(0), excluded)]
    if not keep:
        return ""
    span = tokens[keep[0] : keep[-1] + 1]
    if any(t.group(0).lower() in skip for t in span):
        span = [tokens[i] for i in keep]
        return " ".join(t.group(0) for t in span)
    return text[span[0].start() : span[-1].end()]


def _is_topic_word(word: str, excluded: frozenset[str] | set[str]) -> bool:
    lower = word.lower()
    return len(lower) > 1 and lower not in excluded and not lower.isdigit()
