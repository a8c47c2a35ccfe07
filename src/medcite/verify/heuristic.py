"""``HeuristicVerifier``: alignment plus rules, offline and deterministic.

    verifier = HeuristicVerifier()                      # lexical alignment only
    verifier = HeuristicVerifier(embedder=embedder)     # + MiniLM similarity when ambiguous
    verifier = HeuristicVerifier(load_embedder=engine.load_embedder)  # loaded on first need
    verdict = verifier.verify(statement, passages)

The base label comes from how well the best window (a sentence or two adjacent sentences)
covers the statement's content words and quantities: supported at ``SUPPORTED_AT`` or more,
partial at ``PARTIAL_AT``, else unsupported. Then every rule in :mod:`medcite.verify.rules`
compares the statement with the window's claim sentence(s) and may lower it; the worst finding
wins (contradicted < unsupported < partial). A partial or unsupported that no rule caused
(alignment alone) goes to the small learned model of :mod:`medcite.verify.learned`, which may
call it supported (``learned=False``: rules only). The evidence a verdict shows is the sentence
that decided it. No NLI model is involved: the labels are heuristic and every output says so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from medcite.index.base import Embedder
from medcite.text.drugs import DrugLexicon
from medcite.text.terms import stem_set
from medcite.verify import signals
from medcite.verify.align import Aligned, align, coverage, windows
from medcite.verify.base import (
    CONTRADICTED,
    LABELS,
    PARTIAL,
    SUPPORTED,
    UNSUPPORTED,
    PassageLike,
    Span,
    Verdict,
)
from medcite.verify.learned import SupportModel, alignment_signals
from medcite.verify.rules import RULES, Context, Finding, Rule, claim_states_the_specifics

SUPPORTED_AT = 0.75
# Chosen on SciFact train: flags as many claims there as the overlap baseline, more precisely.
PARTIAL_AT = 0.4
# Chosen on SciFact train: at 0.5-0.55 a reversed direction in another sentence is as often
# about a side result as a contradiction of the statement.
RESTATES_AT = 0.7
RESTATEMENT_AMONG = 4
BASELINE_PARTIAL_AT = 0.45  # the overlap baseline's own threshold, kept as it was measured
_SEVERITY = {label: rank for rank, label in enumerate(LABELS)}  # higher = worse


class Undecided(NamedTuple):
    """A verdict the rules leave to the learned model: its inputs, and the claim sentence(s)
    that are the evidence if it calls the statement supported."""

    signals: dict[str, float]
    evidence: Span


class HeuristicVerifier:
    """Lexical/embedding alignment with passage sentences, then the documented rules."""

    name = "heuristic"
    version = "3"

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        load_embedder: Callable[[], Embedder | None] | None = None,
        drugs: DrugLexicon | None = None,
        cache_dir: Path | None = None,
        rules: Sequence[Rule] = RULES,
        learned: bool = True,
        model: SupportModel | None = None,
    ) -> None:
        """``learned=False`` keeps to the rules (no :mod:`medcite.verify.learned` model);
        ``model`` replaces the shipped one."""
        self._embedder = embedder
        self._load_embedder = None if embedder is not None else load_embedder
        self._load_lock = threading.Lock()
        self.drugs = drugs if drugs is not None else DrugLexicon.load(cache_dir)
        self.rules = tuple(rules)
        self.model = (model or _shipped_model()) if learned else None

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "version": self.version,
            "heuristic": True,
            "embedding": getattr(self._embedder, "model_id", None),
            "drug_lexicon": self.drugs.available,
            "learned": None if self.model is None else self.model.trained_on.get("name"),
        }

    def verify(
        self, statement: str, passages: Sequence[PassageLike], *, embeddings: bool = True
    ) -> Verdict:
        """The verdict of ``statement`` against ``passages`` taken together.

        ``embeddings=False`` keeps to lexical alignment (what checking verbatim, extractive
        statements needs, at a fraction of the cost)."""
        verdict, undecided = self.assess(statement, passages, embeddings=embeddings)
        if undecided is not None and self.model is not None:
            supported, probability = self.model.supports(undecided.signals, verdict.label)
            if supported:
                verdict.label = SUPPORTED
                # An alignment below PARTIAL_AT lists no support: the claim sentence is it.
                verdict.supporting = verdict.supporting or [undecided.evidence]
                verdict.reasons.append(
                    f"learned: supported (probability {probability:.2f}) though the best "
                    "sentence holds only part of the words"
                )
        return verdict

    def assess(
        self, statement: str, passages: Sequence[PassageLike], *, embeddings: bool = True
    ) -> tuple[Verdict, Undecided | None]:
        """The rules' verdict, and the learned model's inputs when the label is the model's
        to decide (partial or unsupported by alignment alone, no rule finding), else None."""
        quoted = _verbatim(statement, passages)
        if quoted is not None:
            return Verdict(SUPPORTED, 1.0, [quoted], [], ["alignment: quoted verbatim"]), None
        needed = signals.content_stems(statement)
        candidates = windows(passages, statement)
        if not candidates or not needed:
            reason = "no passages to check against" if not candidates else "nothing to check"
            return Verdict(UNSUPPORTED, 0.0, reasons=[reason]), None
        embedder = self._embedder_when_needed if embeddings else None
        ranked = align(statement, needed, candidates, embedder)
        best = ranked[0] if ranked else None
        alignment = best.score if best else 0.0
        label = _base_label(alignment)
        reasons = [_alignment_reason(alignment, best.coverage if best else 0.0)]
        context = Context(
            statement, best, candidates, self.drugs, _rivals(ranked), _restatements(ranked)
        )
        findings = self._findings(context)
        contradicting = []
        for finding in findings:
            reasons.append(finding.reason)
            if _SEVERITY[finding.effect] > _SEVERITY[label]:
                label = finding.effect
            if finding.effect == CONTRADICTED and finding.window is not None:
                contradicting.append(finding.window.span(alignment))
        supporting = _distinct([a for a in ranked[:6] if a.score >= PARTIAL_AT])[:3]
        if label == CONTRADICTED:
            supporting = []
        verdict = Verdict(label, alignment, supporting, contradicting, reasons)
        if (
            label in (PARTIAL, UNSUPPORTED)
            and best is not None
            and not findings
            and claim_states_the_specifics(context)
        ):
            inputs = alignment_signals(needed, best, candidates)
            return verdict, Undecided(inputs, best.claim.span(alignment))
        return verdict, None

    def verify_label(self, statement: str, passages: Sequence[PassageLike]) -> str:
        """Just the label (what evaluations compare)."""
        return self.verify(statement, passages).label

    def _embedder_when_needed(self) -> Embedder | None:
        """The embedder, loaded on the first ambiguous alignment (None: lexical only)."""
        if self._load_embedder is not None:
            with self._load_lock:  # threads share one verifier: load the model once
                if self._load_embedder is not None:
                    self._embedder, self._load_embedder = self._load_embedder(), None
        return self._embedder

    def _findings(self, ctx: Context) -> list[Finding]:
        return [f for rule in self.rules if (f := rule(ctx)) is not None]


def _rivals(ranked: list[Aligned]) -> tuple[Aligned, ...]:
    """Single sentences aligning at least as well as the better sentence of a fused
    two-sentence claim, elsewhere (none when the claim is one sentence)."""
    if not ranked or not ranked[0].claim.sentences:
        return ()
    parts = ranked[0].claim.sentences
    alone = {(a.window.passage_index, a.window.start): a.score for a in ranked}
    bar = max(alone.get((s.passage_index, s.start), 0.0) for s in parts)
    return tuple(
        a
        for a in ranked[1:]
        if not a.window.sentences
        and a.score >= bar
        and all(
            (a.window.passage_index, a.window.start) != (s.passage_index, s.start) for s in parts
        )
    )[:2]


def _restatements(ranked: list[Aligned]) -> tuple[Aligned, ...]:
    """Windows among the next best ``RESTATEMENT_AMONG`` that align at ``RESTATES_AT`` or more
    and whose claim is not the best window's (see ``Context.restatements``)."""
    if not ranked:
        return ()
    claim = ranked[0].claim
    return tuple(
        a
        for a in ranked[1 : 1 + RESTATEMENT_AMONG]
        if a.score >= RESTATES_AT
        and (a.claim.passage_index, a.claim.start, a.claim.end)
        != (claim.passage_index, claim.start, claim.end)
    )


@lru_cache(maxsize=1)
def _shipped_model() -> SupportModel:
    return SupportModel.load()


def _verbatim(statement: str, passages: Sequence[PassageLike]) -> Span | None:
    """The passage span that is ``statement`` word for word (a composer's quote, which may
    join a sentence with its antecedent), if any: its own source cannot contradict it."""
    if len(statement.split()) < 4:
        return None
    for index, passage in enumerate(passages):
        start = passage.text.find(statement)
        if start >= 0:
            return Span(index, passage.passage_id, start, start + len(statement), statement, 1.0)
    return None


def _distinct(ranked: list[Aligned]) -> list[Span]:
    """Spans from the ranking, skipping windows that overlap one already taken."""
    taken: list[Span] = []
    for a in ranked:
        w = a.claim
        if not any(
            t.passage_index == w.passage_index and t.start < w.end and w.start < t.end
            for t in taken
        ):
            taken.append(w.span(a.score))
    return taken


def _base_label(alignment: float, partial_at: float = PARTIAL_AT) -> str:
    if alignment >= SUPPORTED_AT:
        return SUPPORTED
    return PARTIAL if alignment >= partial_at else UNSUPPORTED


def _alignment_reason(alignment: float, lexical: float) -> str:
    if lexical >= 0.999:
        return "alignment: a source sentence contains every content word"
    how = f"{lexical:.0%} of the content words" + (
        f", similarity-adjusted {alignment:.2f}" if alignment > lexical else ""
    )
    return f"alignment: the best source sentence has {how}"


def lexical_baseline_label(statement: str, passages: Sequence[PassageLike]) -> str:
    """The "lexical overlap only" baseline: the share of the statement's word stems in the
    best sentence or sentence pair, as a label; no weights, quantities, rules or embeddings."""
    needed = stem_set(statement)
    plain = [
        w.__class__(w.passage_index, w.passage_id, w.start, w.end, w.text, stem_set(w.text))
        for w in windows(passages)
    ]
    best = max((coverage(needed, w) for w in plain), default=0.0)
    return _base_label(best, BASELINE_PARTIAL_AT)
