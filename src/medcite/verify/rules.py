"""The rules that turn an alignment into a label. Each rule looks at the statement and the
window it aligned with (or all passages) and may return a ``Finding``: an effect (contradicted,
unsupported or partial) with a reason in words and the window that shows it.

A rule only fires on what it can point to; the verdict takes the worst effect found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from medcite.text.drugs import DrugLexicon
from medcite.text.terms import stem
from medcite.verify import signals
from medcite.verify.align import Aligned, Window
from medcite.verify.base import CONTRADICTED, PARTIAL, UNSUPPORTED

# A statement must be about the same thing as its window before a difference is a contradiction.
SAME_TOPIC = 0.5
_TREATMENT_CUES = frozenset(
    stem(word)
    for word in """treat treated treatment treatments therapy therapies therapeutic approved
    approval
    indicated option options drug drugs medication medications used prescribed agent agents
    licensed""".split()
)


@dataclass(frozen=True, slots=True)
class Finding:
    effect: str
    reason: str
    window: Window | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule sees: the statement, its best window and all windows of all passages."""

    statement: str
    best: Aligned | None
    windows: list[Window]
    drugs: DrugLexicon

    @property
    def on_topic(self) -> bool:
        return self.best is not None and self.best.score >= SAME_TOPIC


Rule = Callable[[Context], Finding | None]


def numbers_rule(ctx: Context) -> Finding | None:
    """Numbers, doses, units, frequencies and percentages must match the source.

    "Give 20 mg once daily" against "10 mg once daily was given" → contradicted (the source has
    a different value in the same unit); against a window with no milligram figure at all →
    partial (the number is not in the source).
    """
    if not ctx.on_topic:
        return None
    assert ctx.best is not None
    window = ctx.best.window
    named = ctx.drugs.find(ctx.statement)
    if named and not named & ctx.drugs.find(window.text):
        return None  # a dose of another drug says nothing about this one (see drug_rule)
    source = signals.quantities(window.text)
    for quantity in signals.quantities(ctx.statement):
        if any(quantity.matches(q) for q in source):
            continue
        same_unit = [q.text for q in source if q.unit == quantity.unit]
        if same_unit:
            shown = ", ".join(same_unit[:3])
            return Finding(
                CONTRADICTED,
                f"numbers: the statement says {quantity.text!r}, the source {shown}",
                window,
            )
        anywhere = (q for w in ctx.windows for q in signals.quantities(w.text))
        if not any(quantity.matches(q) for q in anywhere):
            return Finding(PARTIAL, f"numbers: {quantity.text!r} is not in the sources", window)
    return None


def negation_rule(ctx: Context) -> Finding | None:
    """Negation must agree: "X reduces relapses" against "X did not reduce relapses" →
    contradicted; "X failed to improve survival" against "X improved survival" → contradicted.
    """
    if not ctx.on_topic:
        return None
    assert ctx.best is not None
    window = ctx.best.window
    said, source = signals.is_negated(ctx.statement), signals.is_negated(window.text)
    if said == source:
        return None
    cue = ", ".join(signals.negations(ctx.statement if said else window.text)) or "negation"
    side = "statement" if said else "source"
    return Finding(CONTRADICTED, f"negation: only the {side} is negated ({cue})", window)


def direction_rule(ctx: Context) -> Finding | None:
    """Direction must agree: "statins increase LDL" against "statins lower LDL" → contradicted.

    Fires when the statement uses one side of a pair (increase/decrease, higher/lower,
    improve/worsen, ...) and the aligned source only the other.
    """
    if not ctx.on_topic:
        return None
    assert ctx.best is not None
    said = signals.directions(ctx.statement)
    source = signals.directions(ctx.best.window.text)
    for index, side in said:
        if (index, 1 - side) in source and (index, side) not in source:
            return Finding(
                CONTRADICTED,
                f"direction: the statement says {signals.direction_words((index, side))}, "
                f"the source {signals.direction_words((index, 1 - side))}",
                ctx.best.window,
            )
    return None


def exclusivity_rule(ctx: Context) -> Finding | None:
    """Exclusivity ("the only", "sole", "no other ... exists", "first-line") is contradicted
    by a passage that names another drug as a treatment, in a passage about the same condition
    or beside the statement's own drug, e.g. "Ocrelizumab is the only approved therapy for
    progressive MS" against "Siponimod and cladribine are approved for active secondary
    progressive MS".
    Without such a passage, an exclusivity the aligned source does not state is unsupported.
    """
    cues = signals.exclusivity(ctx.statement)
    if not cues or ctx.best is None or signals.exclusivity(ctx.best.window.text):
        return None
    named = ctx.drugs.find(ctx.statement)
    topic = signals.content_stems(ctx.statement) - signals.name_stems(named) - _TREATMENT_CUES
    about: dict[int, frozenset[str]] = {}  # each passage's words: is it about the condition?
    for window in ctx.windows:
        about[window.passage_index] = about.get(window.passage_index, frozenset()) | window.stems
    for window in ctx.windows:
        others = ctx.drugs.find(window.text) - named
        if not others or not (window.stems & _TREATMENT_CUES):
            continue
        # The passage is about the same condition, or names the statement's drug beside others.
        if topic & about[window.passage_index] or named & ctx.drugs.find(window.text):
            listed = ", ".join(sorted(others)[:3])
            return Finding(
                CONTRADICTED,
                f"exclusivity: the statement says {cues[0]!r} but a source names {listed}",
                window,
            )
    return Finding(UNSUPPORTED, f"exclusivity: no source says {cues[0]!r}", ctx.best.window)


def hedge_rule(ctx: Context) -> Finding | None:
    """A statement may not be surer than its source: "X reduces pain" against "X may reduce
    pain" or "X has shown promise" → partial.
    """
    if not ctx.on_topic:
        return None
    assert ctx.best is not None
    source = signals.hedges(ctx.best.window.text)
    if source and not signals.hedges(ctx.statement):
        return Finding(
            PARTIAL,
            f"hedge: the source is tentative ({source[0]}), the statement is not",
            ctx.best.window,
        )
    return None


def approval_rule(ctx: Context) -> Finding | None:
    """An approval claim ("FDA-approved", "licensed for") needs a source stating approval:
    "Drug X is FDA-approved for Y" against a trial abstract about X in Y → unsupported.
    """
    cues = signals.approvals(ctx.statement)
    if not cues or ctx.best is None:
        return None
    if any(signals.approvals(w.text) for w in ctx.windows):
        return None
    return Finding(UNSUPPORTED, f"approval: no source states {cues[0]!r}", ctx.best.window)


def population_rule(ctx: Context) -> Finding | None:
    """The population must match: "safe in children" against "safe in adults" → unsupported
    (the source speaks of other people). A source naming no population does not trigger it.
    """
    if not ctx.on_topic:
        return None
    assert ctx.best is not None
    said = signals.populations(ctx.statement)
    source = signals.populations(ctx.best.window.text)
    if not said or not source or said <= source:
        return None
    missing = ", ".join(sorted(said - source))
    return Finding(
        UNSUPPORTED,
        f"population: the statement is about {missing}, the source about "
        f"{', '.join(sorted(source))}",
        ctx.best.window,
    )


def drug_rule(ctx: Context) -> Finding | None:
    """Every drug the statement names must appear in a source: "metformin lowers HbA1c"
    against passages that only discuss sitagliptin → unsupported.
    """
    named = ctx.drugs.find(ctx.statement)
    if not named or ctx.best is None:
        return None
    source = " ".join(dict.fromkeys(w.text for w in ctx.windows))
    present = ctx.drugs.find(source)
    words = signals.content_stems(source)
    # A variant may resolve to another canonical name ("low-dose aspirin"): its words count.
    missing = {d for d in named - present if not signals.content_stems(d) <= words}
    if not missing:
        return None
    return Finding(
        UNSUPPORTED, f"drugs: {', '.join(sorted(missing))} not in the sources", ctx.best.window
    )


RULES: tuple[Rule, ...] = (
    numbers_rule,
    negation_rule,
    direction_rule,
    exclusivity_rule,
    drug_rule,
    population_rule,
    approval_rule,
    hedge_rule,
)
