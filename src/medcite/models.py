"""Domain types shared by every stage.

Plain frozen dataclasses (not pydantic) because ingest creates hundreds of thousands of
them and validation happens once, at the edges (sources, config, API).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from medcite.provenance import provenance


class EvidenceLevel(StrEnum):
    """Evidence levels, strongest first. Values are the `evidence_level` strings in answers."""

    GUIDELINE = "guideline"
    SYSTEMATIC_REVIEW = "systematic_review"
    RCT = "rct"
    COHORT = "cohort"
    CASE = "case"
    REVIEW = "review"
    LABEL = "label"
    CONSUMER = "consumer"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Section:
    """A labelled span of a document's text (e.g. an abstract's RESULTS part)."""

    label: str | None
    start: int
    end: int


# Metadata that changes what a citation must show: a retraction, a new label or guideline
# version with unchanged text. A change re-ingests the document.
HASHED_METADATA = ("retracted", "version", "effective_date")


@dataclass(frozen=True, slots=True)
class Document:
    """One source document exactly as ingested.

    ``text`` is the full text; every passage is a slice ``text[start:end]`` of it, so a cited
    passage can always be traced back to the characters the source gave us.
    """

    doc_id: str  # stable and readable: "pmid:123" or "<collection>:<original id>"
    collection: str  # which corpus it came from: pubmed, pubmedqa, medquad, scifact, jsonl
    title: str
    text: str
    source: str  # journal, agency or guideline body shown beside a citation
    year: int | None = None
    url: str | None = None
    publication_types: tuple[str, ...] = ()
    mesh: tuple[str, ...] = ()
    evidence_level: EvidenceLevel = EvidenceLevel.OTHER
    sections: tuple[Section, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # When the corpus store wrote it (ISO 8601, UTC); None for a document not yet stored.
    ingested_at: str | None = field(default=None, hash=False, compare=False)

    @property
    def content_hash(self) -> str:
        """Hash of everything that affects passages and citations; re-ingest compares it."""
        parts = [
            self.doc_id,
            self.title,
            self.text,
            self.source,
            str(self.year),
            self.url or "",
            "|".join(self.publication_types),
            "|".join(self.mesh),
            self.evidence_level.value,
            ";".join(f"{s.label}:{s.start}:{s.end}" for s in self.sections),
        ]
        # Only when present, so the hashes of documents without them stay what they were.
        parts += [f"{k}={self.metadata[k]}" for k in HASHED_METADATA if k in self.metadata]
        return sha256_hex("\x1f".join(parts))


@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence-aligned chunk of a document; ``text == document.text[start:end]``."""

    passage_id: str
    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str
    section: str | None = None

    @property
    def text_hash(self) -> str:
        """Content hash of the text alone: the key of the embedding cache."""
        return sha256_hex(self.text)


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """A record that could not be ingested, named precisely enough to find and fix it."""

    path: str
    record: str  # "line 12", "record 3 (PMID 123)", "file"
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.record}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Metadata filters every search backend understands."""

    collections: tuple[str, ...] = ()
    evidence_levels: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.collections or self.evidence_levels or self.year_min or self.year_max)


@dataclass(frozen=True, slots=True)
class IndexRecord:
    """What a search backend indexes for one passage."""

    passage_id: str
    doc_id: str
    title: str
    text: str
    collection: str
    evidence_level: str
    year: int | None


@dataclass(frozen=True, slots=True)
class ScoredId:
    """A backend's answer: which passage, how well it matched, and by which retriever."""

    passage_id: str
    doc_id: str
    score: float


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved passage with its document's metadata, ready to cite."""

    rank: int
    score: float
    passage: Passage
    document: Document

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "doc_id": self.document.doc_id,
            "passage_id": self.passage.passage_id,
            "score": round(self.score, 6),
            "title": self.document.title,
            "text": self.passage.text,
            "source": self.document.source,
            "year": self.document.year,
            "url": self.document.url,
            "evidence_level": self.document.evidence_level.value,
            "section": self.passage.section,
            "provenance": provenance(self.document, self.passage),
        }


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def passage_id_for(doc_id: str, start: int, end: int, text: str) -> str:
    """Content-addressed passage id: re-ingesting identical text yields the same id."""
    return sha256_hex(f"{doc_id}\x1f{start}\x1f{end}\x1f{text}")[:24]


# -- answers ------------------------------------------------------------------------------


@dataclass(slots=True)
class Evidence:
    """The span of a cited passage that supports a statement (offsets into passage text)."""

    n: int
    quote: str
    score: float
    passage_id: str
    start: int
    end: int
    label: str | None = None  # the verifier's label for this citation alone

    def to_dict(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "n": self.n,
            "quote": self.quote,
            "score": round(self.score, 4),
            "passage_id": self.passage_id,
            "start": self.start,
            "end": self.end,
        }
        if self.label is not None:
            fields["label"] = self.label
        return fields

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        return cls(
            n=data["n"],
            quote=data["quote"],
            score=data.get("score", 0.0),
            passage_id=data.get("passage_id", ""),
            start=data.get("start", 0),
            end=data.get("end", 0),
            label=data.get("label"),
        )


@dataclass(slots=True)
class Statement:
    text: str
    citations: list[int]
    support: str = "not_checked"  # supported | partial | unsupported | not_checked
    evidence: list[Evidence] = field(default_factory=list)
    label: str | None = None  # verifier: supported | partial | unsupported | contradicted
    reasons: list[str] = field(default_factory=list)
    outcome: str | None = None  # verifier: supported | contradicted | not_found
    on_topic: bool | None = None  # whether a cited document is about the question's topic

    def to_dict(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "text": self.text,
            "citations": list(self.citations),
            "support": self.support,
            "evidence": [e.to_dict() for e in self.evidence],
        }
        if self.label is not None:
            fields.update(label=self.label, reasons=list(self.reasons))
        if self.outcome is not None:
            fields["outcome"] = self.outcome
        if self.on_topic is not None:
            fields["on_topic"] = self.on_topic
        return fields

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Statement:
        return cls(
            text=data["text"],
            citations=list(data["citations"]),
            support=data.get("support", "not_checked"),
            evidence=[Evidence.from_dict(e) for e in data.get("evidence", [])],
            label=data.get("label"),
            reasons=list(data.get("reasons", [])),
            outcome=data.get("outcome"),
            on_topic=data.get("on_topic"),
        )


@dataclass(slots=True)
class AnswerSection:
    title: str
    kind: str
    statements: list[Statement]

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "statements": [s.to_dict() for s in self.statements],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnswerSection:
        statements = [Statement.from_dict(s) for s in data["statements"]]
        return cls(data["title"], data.get("kind", "other"), statements)


@dataclass(frozen=True, slots=True)
class Reference:
    """One cited document under one number, with every passage of it the answer cites.

    ``passage`` is the first passage cited (the reference's ``passage_id``/``text`` in the JSON,
    as when references were per passage); ``other_passages`` are the rest, in order of first use.
    A reference read back from an answer JSON (:meth:`from_dict`) knows only what the JSON
    holds: its document's text is the first cited passage, and ``provenance`` (the first
    passage's) and ``passage_provenance`` (every passage's) are the stored ones.
    """

    n: int
    passage: Passage
    document: Document
    provenance: dict[str, Any] | None = None  # as stored; else computed from the document
    other_passages: tuple[Passage, ...] = ()
    passage_provenance: tuple[dict[str, Any], ...] | None = None  # as stored, per passage

    @property
    def passages(self) -> tuple[Passage, ...]:
        return (self.passage, *self.other_passages)

    def cited_by(self, statement: Statement) -> tuple[Passage, ...]:
        """The passages of this reference ``statement`` cites: those its evidence entries for
        this number name, else all of them (a citation of the whole source)."""
        named = {e.passage_id for e in statement.evidence if e.n == self.n}
        return tuple(p for p in self.passages if p.passage_id in named) or self.passages

    def to_dict(self) -> dict[str, Any]:
        doc = self.document
        stored = self.passage_provenance
        return {
            "n": self.n,
            "doc_id": doc.doc_id,
            "passage_id": self.passage.passage_id,
            "title": doc.title,
            "source": doc.source,
            "year": doc.year,
            "date": document_date(doc),
            "url": doc.url,
            "evidence_level": doc.evidence_level.value,
            "text": self.passage.text,
            "section": self.passage.section,
            "passages": [
                {
                    "passage_id": p.passage_id,
                    "text": p.text,
                    "heading": p.section,
                    "provenance": provenance(doc, p) if stored is None else stored[i],
                }
                for i, p in enumerate(self.passages)
            ],
            "collection": doc.collection,
            "retracted": bool(doc.metadata.get("retracted", False)),
            "provenance": (
                provenance(doc, self.passage) if self.provenance is None else self.provenance
            ),
            "ingested_at": doc.ingested_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reference:
        text = data["text"]
        metadata: dict[str, Any] = {"retracted": True} if data.get("retracted") else {}
        date, year = data.get("date"), data.get("year")
        if date and date != str(year):  # a label's effective date: more precise than its year
            metadata["effective_date"] = date
        document = Document(
            doc_id=data["doc_id"],
            collection=data.get("collection", ""),
            title=data["title"],
            text=text,
            source=data["source"],
            year=year,
            url=data.get("url"),
            evidence_level=EvidenceLevel(data.get("evidence_level") or EvidenceLevel.OTHER),
            metadata=metadata,
            ingested_at=data.get("ingested_at"),
        )
        first = Passage(
            data["passage_id"], data["doc_id"], 0, 0, len(text), text, data.get("section")
        )
        stored = data.get("provenance") or {}
        # Answers stored before references were per document list no passages.
        listed = data.get("passages") or [{"provenance": stored}]
        others = tuple(
            Passage(
                p["passage_id"], data["doc_id"], i, 0, len(p["text"]), p["text"], p.get("heading")
            )
            for i, p in enumerate(listed[1:], 1)
        )
        provenances = tuple(p.get("provenance") or {} for p in listed)
        return cls(data["n"], first, document, stored, others, provenances)


def document_date(document: Document) -> str | None:
    """The publication or revision date as precisely as the source gave it (ISO 8601): a drug
    label's effective date, else the publication year; None when the source carries no date
    (MedQuAD pages), never a guess."""
    effective = document.metadata.get("effective_date")
    if isinstance(effective, str) and effective:
        return effective
    return str(document.year) if document.year is not None else None


def reference_passages(reference: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every cited passage of an answer-JSON reference (``passage_id``, ``text``, ...).

    Answers stored before references were per document carry only ``passage_id``/``text``.
    """
    passages = reference.get("passages")
    if isinstance(passages, list) and passages:
        return [dict(p) for p in passages]
    return [{"passage_id": reference.get("passage_id"), "text": reference.get("text", "")}]


def cited_passages(statement: Mapping[str, Any], reference: Mapping[str, Any]) -> list[dict]:
    """:meth:`Reference.cited_by` for answer JSON: the passages of ``reference`` that
    ``statement`` cites (named by its evidence entries for that number), else all of them."""
    passages = reference_passages(reference)
    named = {
        e.get("passage_id")
        for e in statement.get("evidence") or ()
        if isinstance(e, Mapping) and e.get("n") == reference.get("n")
    }
    return [p for p in passages if p["passage_id"] in named] or passages


@dataclass(slots=True)
class Answer:
    """A composed answer; ``to_dict`` gives the shared answer.schema.json shape."""

    question: str
    audience: str
    intent: str
    bottom_line: Statement
    sections: list[AnswerSection]
    references: list[Reference]
    generated_at: str
    engine: dict[str, Any]
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    related_questions: list[str] = field(default_factory=list)
    evidence_currency: dict[str, Any] = field(default_factory=dict)
    insufficient_evidence: bool = False
    review: dict[str, Any] | None = None
    disclaimer: str = ""
    answering: str | None = None  # the question as answered (a follow-up, rewritten)
    audience_notes: list[dict[str, str]] = field(default_factory=list)  # citation-free notes
    # How the question was read (topic, aspects, population, entities), what the corpus had
    # nothing on, and whether the composer abstained: see medcite.question.reading.
    question_reading: dict[str, Any] | None = None
    missing: list[str] = field(default_factory=list)
    abstained: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "audience": self.audience,
            "intent": self.intent,
            # The limits of the evidence (its age, subgroups it does not address) come first,
            # above the content, for every reader of the JSON as on the page.
            "warnings": list(self.warnings),
            "bottom_line": self.bottom_line.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
            "references": [r.to_dict() for r in self.references],
            "conflicts": list(self.conflicts),
            "related_questions": list(self.related_questions),
            "review": self.review,
            "evidence_currency": dict(self.evidence_currency),
            "insufficient_evidence": self.insufficient_evidence,
            "disclaimer": self.disclaimer,
            "generated_at": self.generated_at,
            "engine": dict(self.engine),
            "answering": self.answering,
            "audience_notes": [dict(n) for n in self.audience_notes],
            "question_reading": self.question_reading,
            "missing": list(self.missing),
            "abstained": self.abstained,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """An answer from its JSON (e.g. a stored article version): ``to_dict()`` of the result
        equals ``data`` when ``data`` came from ``to_dict()``; fields the schema does not
        require may be missing. The dict is copied, never shared."""
        data = copy.deepcopy(data)
        return cls(
            question=data["question"],
            audience=data["audience"],
            intent=data.get("intent", ""),
            bottom_line=Statement.from_dict(data["bottom_line"]),
            sections=[AnswerSection.from_dict(s) for s in data["sections"]],
            references=[Reference.from_dict(r) for r in data["references"]],
            generated_at=data["generated_at"],
            engine=data["engine"],
            conflicts=data["conflicts"],
            warnings=data["warnings"],
            related_questions=data.get("related_questions", []),
            evidence_currency=data.get("evidence_currency", {}),
            insufficient_evidence=data.get("insufficient_evidence", False),
            review=data.get("review"),
            disclaimer=data.get("disclaimer", ""),
            answering=data.get("answering"),
            audience_notes=data.get("audience_notes", []),
            question_reading=data.get("question_reading"),
            missing=list(data.get("missing", [])),
            abstained=data.get("abstained", False),
        )
