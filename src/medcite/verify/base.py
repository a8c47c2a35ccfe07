"""The verify stage's interface: the ``Verifier`` Protocol and the ``Verdict`` it returns.

    verdict = HeuristicVerifier().verify(
        "Ocrelizumab is the only approved therapy for PPMS.", [passage_a, passage_b]
    )
    verdict.label      # "contradicted"
    verdict.reasons    # ["exclusivity: the statement says 'only' but passage 2 names ..."]

Labels, from best to worst: ``supported`` (a passage states it), ``partial`` (a passage states
part of it, or states it more cautiously), ``unsupported`` (no passage states it) and
``contradicted`` (a passage says something incompatible with it). Every verdict is heuristic;
outputs say so.

Readers need three *outcomes* kept apart, whatever the label's nuance: the source states it
(``supported``, fully or partly), a source says otherwise (``contradicted``, with the
sentence), or nothing checked states it (``not_found``: the sources are silent, which is not
the same as wrong).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from medcite.text.drugs import DrugLexicon

SUPPORTED = "supported"
PARTIAL = "partial"
UNSUPPORTED = "unsupported"
CONTRADICTED = "contradicted"
LABELS: tuple[str, ...] = (SUPPORTED, PARTIAL, UNSUPPORTED, CONTRADICTED)
FLAGGED = frozenset({UNSUPPORTED, CONTRADICTED})
NOT_FOUND = "not_found"
OUTCOMES: tuple[str, ...] = (SUPPORTED, CONTRADICTED, NOT_FOUND)


def outcome(label: str) -> str:
    """The outcome of a label: supported (fully or partly), contradicted, or not found."""
    return {CONTRADICTED: CONTRADICTED, UNSUPPORTED: NOT_FOUND}.get(label, SUPPORTED)


def schema_support(label: str) -> str:
    """The answer schema's ``support`` enum has no "contradicted": it maps to "unsupported"."""
    return UNSUPPORTED if label == CONTRADICTED else label


class PassageLike(Protocol):
    """Anything with a text and an id: a corpus ``Passage``, a reference, a test stand-in."""

    @property
    def passage_id(self) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class TextPassage:
    """A passage given as plain text (external answers, tests, the labelled eval set)."""

    text: str
    passage_id: str = ""
    doc_id: str = ""


@dataclass(frozen=True, slots=True)
class Span:
    """``passage.text[start:end] == quote`` for the passage at ``passage_index``."""

    passage_index: int
    passage_id: str
    start: int
    end: int
    quote: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "passage_index": self.passage_index,
            "passage_id": self.passage_id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "score": round(self.score, 4),
        }


@dataclass(slots=True)
class Verdict:
    """A label with the spans that decided it, a score in [0, 1] and the reasons in words."""

    label: str
    score: float
    supporting: list[Span] = field(default_factory=list)
    contradicting: list[Span] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return outcome(self.label)

    @property
    def best(self) -> Span | None:
        """The span to show as evidence: the contradiction if any, else the best support."""
        spans = self.contradicting or self.supporting
        return spans[0] if spans else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "outcome": self.outcome,
            "score": round(self.score, 4),
            "supporting": [s.to_dict() for s in self.supporting],
            "contradicting": [s.to_dict() for s in self.contradicting],
            "reasons": list(self.reasons),
        }


class Verifier(Protocol):
    """Checks one statement against passages. Implementations must be deterministic.
    Everything answer verification uses (:mod:`medcite.verify.answers`, ``external``);
    ``medcite.testing.verifier_contract.VerifierContract`` is the shared suite."""

    name: str
    version: str

    @property
    def drugs(self) -> DrugLexicon:
        """The drug names it knows (conflict finding reads them too)."""
        ...

    def describe(self) -> dict[str, object]:
        """What answers record as ``engine.verifier``: at least ``name`` and ``version``."""
        ...

    def verify(
        self, statement: str, passages: Sequence[PassageLike], *, embeddings: bool = True
    ) -> Verdict:
        """The verdict of ``statement`` against all ``passages`` taken together;
        ``embeddings=False`` asks for the cheaper lexical check only (verbatim statements)."""
        ...
