"""Topic lock and honest abstention, shared by every composer.

A statement is eligible only when each concept of the question's reading is named by its
document's subject (focus, title, MeSH, label drug names) or by the statement itself (with the
sentence it leans on). Before sentences are even read, a hit is set aside when:

- it is retracted;
- it is a page written about another condition (a MedQuAD page whose focus names none of the
  question's conditions: the Schilder's disease page that mentions multiple sclerosis);
- its subject is about another population than the one asked ("in children" when the
  question asks about adults);
- its subject is another form of the topic than the one asked ("chronic diarrhea" for
  "acute diarrhea", relapsing-remitting for progressive multiple sclerosis);
- its document is an animal or laboratory study, unless the question asks for one.

When no hit is left that names every concept, the composer abstains and says what is missing
("bupropion with escitalopram"): see :func:`missing_topic` and :func:`insufficient_answer`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache

from medcite.compose.content import PRECLINICAL
from medcite.models import Answer, Document, Hit, Statement
from medcite.question.followup import POPULATIONS
from medcite.question.intent import INTENT_RULES
from medcite.question.reading import QuestionReading, interrogative
from medcite.question.topic import NOT_NAMED, Concept, NamedText, has_focus, subjects, untitled
from medcite.text.drugs import DrugLexicon

INSUFFICIENT = "Insufficient evidence in this corpus"  # how an abstaining bottom line starts
PASSAGE_ONLY = -1  # a concept named only elsewhere in the statement's passage
PAGES_ALSO: dict[str, frozenset[str]] = {
    intent: frozenset({"treatment"})
    for intent in ("dosing", "adverse_effects", "interactions", "monitoring")
}
# Asked about pregnancy, a page about women is not about another population.
COMPATIBLE_POPULATIONS: dict[str, set[str]] = {
    "during pregnancy": {"during pregnancy", "in women"},
    "during breastfeeding": {"during breastfeeding", "in women"},
    "in older adults": {"in older adults", "in adults"},
}
PRECLINICAL_MENTIONS = 2  # distinct animal or laboratory words that make an abstract one
_ANIMAL_MESH = frozenset({"Mice", "Rats", "Animals", "Disease Models, Animal", "Cell Line"})


@dataclass
class Source:
    """A hit that may be cited, with what its document and passage name."""

    hit: Hit
    subject: NamedText  # the document's subject
    levels: tuple[int, ...]  # per concept: how specifically the subject names it
    retrieval: float  # the hit's score relative to the best hit
    subtype: bool = False  # about a modified form only ("juvenile ALS" for "ALS")
    lexicon: DrugLexicon | None = None

    @cached_property
    def passage(self) -> NamedText:
        return NamedText(self.hit.passage.text, self.lexicon)

    def covers(self, text: NamedText, reading: QuestionReading) -> tuple[int, ...] | None:
        """Per concept, how specifically the subject or ``text`` names it; None when one of
        them is named by neither (the statement is not about the question's topic)."""
        levels = self.coverage(text, reading)
        return None if levels is None or PASSAGE_ONLY in levels else levels

    def coverage(self, text: NamedText, reading: QuestionReading) -> tuple[int, ...] | None:
        """:meth:`covers`, except that with several concepts, one the document's subject
        names ("atrial fibrillation") lets the others be named anywhere in the passage
        ("stroke" in the heading above "blood thinners such as warfarin"), and a subject
        naming the topic lets a further condition be named anywhere in the document (the
        atrial fibrillation page's rate-control drugs, its stroke risk paragraphs above):
        those count as ``PASSAGE_ONLY``. A drug asked about is named where it is used."""
        found = []
        several = len(reading.concepts) > 1 and any(level > NOT_NAMED for level in self.levels)
        for i, (concept, level) in enumerate(zip(reading.concepts, self.levels, strict=True)):
            level = max(level, concept.level(text))
            narrowed = concept.name in reading.focus
            if level == NOT_NAMED and several and not narrowed and self._elsewhere(i, concept):
                level = PASSAGE_ONLY
            if level == NOT_NAMED:
                return None
            found.append(level)
        return tuple(found)

    def _elsewhere(self, index: int, concept: Concept) -> bool:
        if concept.named_in(self.passage):
            return True
        about_topic = index > 0 and self.levels[0] > NOT_NAMED
        return about_topic and concept.kind != "drug" and concept.named_in(self.document)

    @cached_property
    def document(self) -> NamedText:
        return _document_text(self.hit.document.text)

    @property
    def about_all(self) -> bool:
        """The document itself is about every concept (not just a passage mentioning one)."""
        return all(level > NOT_NAMED for level in self.levels)


class TopicLock:
    """Which hits may speak to a reading's topic (see the module docstring)."""

    def __init__(self, reading: QuestionReading, lexicon: DrugLexicon | None) -> None:
        self.reading = reading
        self.lexicon = lexicon
        self.asks_preclinical = bool(PRECLINICAL.search(reading.question))
        self._subjects: dict[str, tuple[NamedText, tuple[int, ...], bool] | tuple[()]] = {}

    def sources(self, hits: list[Hit]) -> list[Source]:
        top = max((h.score for h in hits), default=1.0) or 1.0
        found = []
        for hit in hits:
            source = self._source(hit, hit.score / top)
            if source is not None:
                found.append(source)
        return found

    def _source(self, hit: Hit, retrieval: float) -> Source | None:
        document = hit.document
        if document.metadata.get("retracted"):
            return None  # a retracted paper never supports a statement
        about = self._subjects.get(document.doc_id)
        if about is None:
            about = self._subjects[document.doc_id] = self._subject(hit)
        if not about:
            return None
        subject, levels, subtype = about
        return Source(hit, subject, levels, retrieval, subtype, self.lexicon)

    def _subject(self, hit: Hit) -> tuple[NamedText, tuple[int, ...], bool] | tuple[()]:
        """What the hit's document is about, or ``()`` when it is set aside (once per
        document: its passages share it)."""
        document = hit.document
        subject = NamedText.of_subjects(subjects(document), self.lexicon)
        levels = tuple(c.level(subject) for c in self.reading.concepts)
        if self._written_about_something_else(document, levels):
            return ()
        if any(c.other_forms(subject) for c in self.reading.concepts):
            return ()  # about another form: "chronic diarrhea" when acute diarrhea is asked
        if self._other_population(document) or self._preclinical_document(hit):
            return ()
        return subject, levels, self.reading.concepts[0].modified_only(subject)

    def _written_about_something_else(self, document: object, levels: tuple[int, ...]) -> bool:
        conditions = [
            i for i, c in enumerate(self.reading.concepts) if c.kind not in ("drug", "words")
        ]
        return (
            bool(conditions)
            and has_focus(document)  # type: ignore[arg-type]
            and all(levels[i] == NOT_NAMED for i in conditions)
        )

    def _other_population(self, document: Document) -> bool:
        """A page or title limited to another population than the one asked ("Kidney Stones
        in Children" when adults are asked about); MeSH check tags ("Female") limit nothing."""
        asked = self.reading.population
        if not asked:
            return False
        focus = document.metadata.get("focus")
        where = focus if isinstance(focus, str) else ("" if untitled(document) else document.title)
        named = {phrase for pattern, phrase in POPULATIONS if pattern.search(where)}
        return bool(named) and not named & COMPATIBLE_POPULATIONS.get(asked, {asked})

    def _preclinical_document(self, hit: Hit) -> bool:
        if self.asks_preclinical:
            return False
        document = hit.document
        mesh = set(document.mesh)
        animal_mesh = bool(mesh & _ANIMAL_MESH) and "Humans" not in mesh
        if animal_mesh or PRECLINICAL.search(document.title):
            return True
        # An abstract that keeps speaking of mice, cultures or cell lines reports their
        # results, whichever of its sentences says so (a page about a disease does not).
        mentions = {m.group(0).lower() for m in PRECLINICAL.finditer(document.text)}
        return not has_focus(document) and len(mentions) >= PRECLINICAL_MENTIONS

    def passage_sources(self, sources: list[Source]) -> list[Source]:
        """The sources whose subject or passage names every concept (an LLM's context)."""
        return [s for s in sources if s.covers(s.passage, self.reading) is not None]

    def preclinical(self, text: str) -> bool:
        """An animal or laboratory sentence the question did not ask about."""
        return not self.asks_preclinical and bool(PRECLINICAL.search(text))


@lru_cache(maxsize=256)
def _document_text(text: str) -> NamedText:
    return NamedText(text, None)  # conditions only: no drug lexicon needed


def page_intents(hit: Hit, wanted: Iterable[str]) -> set[str]:
    """Which of the ``wanted`` intents the passage's page or heading answers ("What are the
    treatments for X?", "Dosage and administration › 2.1 ..."); a treatment page also answers
    dosing, side effects, interactions and monitoring questions (``PAGES_ALSO``)."""
    found = set()
    for text in (hit.document.title, hit.passage.section or ""):
        for intent, pattern in INTENT_RULES:
            if intent not in ("evidence", "definition") and pattern.search(text):
                found.add(intent)
                break
    return {w for w in wanted if w in found or PAGES_ALSO.get(w, frozenset()) & found}


def answering_documents(
    reading: QuestionReading, sources: list[Source], limit: int = 3
) -> list[str]:
    """The documents among ``sources`` (the topic lock's, for ``reading``) that are about the
    topic and whose page is about an aspect asked (best first): the pages whose every
    passage deserves reading."""
    if not reading.concepts:
        return []
    found: list[str] = []
    for source in sources:
        doc_id = source.hit.document.doc_id
        if doc_id in found or source.levels[0] == NOT_NAMED:
            continue
        # A study answers a research question in its RESULTS, whichever passage matched.
        study = "evidence" in reading.intents and source.about_all
        if study or page_intents(source.hit, reading.intents):
            found.append(doc_id)
        if len(found) == limit:
            break
    return found


def named_nowhere(
    concepts: Sequence[Concept], hits: Sequence[Hit], lexicon: DrugLexicon | None
) -> list[Concept]:
    """The ``concepts`` that no hit names, in its document's title or its passage."""
    texts = [NamedText(f"{h.document.title} {h.passage.text}", lexicon) for h in hits]
    return [c for c in concepts if not any(c.named_in(t) for t in texts)]


def absent_drugs(
    reading: QuestionReading, hits: list[Hit], lexicon: DrugLexicon | None
) -> list[str]:
    """The named drugs asked about ("tirzepatide") when none of them appears in any hit: the
    question is about them, so what the corpus says of the condition alone does not answer.
    A drug the question only tells as history ("keeps flaring despite adalimumab. Is
    bimekizumab the next step?") is not what it asks about."""
    drugs = [c for c in reading.asked_for if c.drugs]
    asking = NamedText(interrogative(reading.question), lexicon)
    asked = [c for c in drugs if c.named_in(asking)] or drugs
    if not asked or len(named_nowhere(asked, hits, lexicon)) < len(asked):
        return []
    return [c.name for c in asked]


def missing_topic(
    reading: QuestionReading,
    hits: Sequence[Hit] = (),
    lexicon: DrugLexicon | None = None,
) -> str:
    """What an abstaining answer says is missing: the concepts no hit names at all
    ("tirzepatide"), else all of them together ("bupropion with escitalopram")."""
    absent = [c.name for c in named_nowhere(reading.concepts, hits, lexicon)]
    if hits and absent and len(absent) < len(reading.concepts):
        return " or ".join(absent)
    return reading.describe_topic()


def insufficient_answer(
    question: str,
    audience: str,
    reading: QuestionReading,
    composer: str,
    missing: list[str],
) -> Answer:
    """The abstaining answer: no bottom line from unrelated text, what is missing named."""
    what = missing[0] if missing else missing_topic(reading)
    return Answer(
        question=question,
        audience=audience,
        intent=reading.intent,
        bottom_line=Statement(f"{INSUFFICIENT}: nothing on {what}.", [], "not_checked"),
        sections=[],
        references=[],
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        engine={"composer": composer},
        warnings=[
            f"No passage in this corpus addresses {what}; no answer was composed. "
            "Ingest sources that cover it (see `medcite ingest --help`)."
        ],
        insufficient_evidence=True,
        question_reading=reading.to_dict(),
        missing=list(missing) or [what],
        abstained=True,
    )
