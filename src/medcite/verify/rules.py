"""The rules that turn an alignment into a label. Each rule compares the statement with its
*claim* — the source sentence(s) of the best window that carry it (see
:mod:`medcite.verify.align`), never a neighbour that only shares a topic word — and may return
a ``Finding``: an effect (contradicted, unsupported or partial) with a reason in words and the
sentence that shows it. Negation, direction and hedges are compared clause by clause ("While
steroids do not affect the course of MS, they can reduce attacks" says two things).

A rule only fires on what it can point to; the verdict takes the worst effect found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from medcite.text.drugs import DrugLexicon
from medcite.verify import signals
from medcite.verify.align import Aligned, Window
from medcite.verify.base import CONTRADICTED, PARTIAL, UNSUPPORTED
from medcite.verify.drug_classes import drug_class
from medcite.verify.quantities import with_daily_doses

# A statement must be about the same thing as its window before a difference is a contradiction.
SAME_TOPIC = 0.5
# A statement clause and the source clause it is compared with share this much of its words.
SAME_CLAUSE = 0.3
RESTATES = 0.85  # share of a statement's other words a claim naming no drug must repeat
SWAP_COVERAGE = 0.75  # share of the rest of a statement a sentence must say to swap its drug
SPELLING = 0.85  # similarity at which a drug name is a misspelling of another ("allupurinol")
_TREATMENT_CUES = frozenset(
    signals.word_stem(word)
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
    # Single sentences that align as well as either sentence of a two-sentence claim: when
    # the best window fuses two sentences about different subjects, one of these may be the
    # sentence that actually says it ("Quick-relief medicines don't reduce inflammation").
    rivals: tuple[Aligned, ...] = ()
    # Other sentences that say nearly all of the statement again (an abstract states its
    # result in the results and again in the conclusion): a reversed direction in one of them
    # contradicts the statement as much as one in the best sentence does.
    restatements: tuple[Aligned, ...] = ()

    @property
    def on_topic(self) -> bool:
        return self.best is not None and self.best.score >= SAME_TOPIC

    @property
    def claim(self) -> Window:
        assert self.best is not None
        return self.best.claim


Rule = Callable[[Context], Finding | None]


def numbers_rule(ctx: Context) -> Finding | None:
    """Numbers, doses, units, frequencies, fractions, multiples and years must match the claim.

    "Give 20 mg once daily" against "10 mg once daily was given" → contradicted (a different
    value of the same kind of quantity), as are "400 milligrams" against "400 micrograms",
    "within 3 days" against "within 3 hours", "almost two thirds" against "almost one third" and
    "in 2010" against "in 2004"; a number found nowhere in the sources → partial.
    """
    if not ctx.on_topic:
        return None
    claim = ctx.claim
    if not _about_the_statement_drugs(ctx):
        return None  # a dose of another drug says nothing about this one (see drug_rule)
    source = with_daily_doses(claim.quantities)
    for quantity in signals.quantities(ctx.statement):
        if any(quantity.matches(q) for q in source):
            continue
        differing = [q.text for q in source if quantity.differs_from(q)]
        if differing:
            shown = ", ".join(repr(text) for text in differing[:3])
            return Finding(
                CONTRADICTED,
                f"numbers: the statement says {quantity.text!r}, the source {shown}",
                claim,
            )
        if not quantity.dimension and (quantity.from_words or quantity.names):
            continue  # "two types" claims little on its own; "type 1" is a name
        anywhere = (q for w in ctx.windows for q in with_daily_doses(w.quantities))
        if not any(quantity.matches(q) for q in anywhere):
            return Finding(PARTIAL, f"numbers: {quantity.text!r} is not in the sources", claim)
    return None


def _about_the_statement_drugs(ctx: Context) -> bool:
    """Whether the claim is about the drugs the statement names: it names one of them, or it
    names none and refers back to one ("the drug", "the vaccine") or says nearly all the rest
    of the statement ("The usual starting dose is .25 mg" of a page about cabergoline)."""
    named = _drugs_in(ctx.drugs, ctx.statement)
    if not named:
        return True
    in_claim = _drugs_in(ctx.drugs, ctx.claim.text)
    if named & in_claim or _misspelt(named, ctx.claim.text):
        return True
    if in_claim:
        return False
    if _ANAPHOR.search(ctx.claim.text):
        return True
    rest = signals.content_stems(ctx.statement) - signals.name_stems(named)
    return bool(rest) and len(rest & ctx.claim.stems) / len(rest) >= RESTATES


_ANAPHOR = re.compile(
    r"\b(?:the|this|that|these|such)\s+(?:drugs?|medicines?|medications?|agents?|vaccines?|"
    r"compounds?|treatments?|therap(?:y|ies))\b",
    re.IGNORECASE,
)


def negation_rule(ctx: Context) -> Finding | None:
    """Negation must agree, clause by clause: "X reduces relapses" against "X did not reduce
    relapses" → contradicted; "X failed to improve survival" against "X improved survival" →
    contradicted, but not "CCL19 is a CCR7 ligand" against "CCL19, which lacks anchoring
    residues" (the negation is about words the statement does not use) nor against a
    parenthetical "(vs no high biomarkers)"; "Steroids slow the course of MS" against "While
    steroids do not affect the course of MS over time, they can reduce the duration of
    attacks" → contradicted (the first clause), while "steroids can shorten attacks" is not
    (the second).
    """

    def differs(said: str, source: str) -> str | None:
        negated = signals.is_negated(said)
        if negated == signals.is_negated(source):
            return None
        denied, other = (said, source) if negated else (source, said)
        if not signals.negated_words(denied) & signals.all_stems(other):
            return None  # the negation is about something the other side does not say
        cue = ", ".join(signals.negations(signals.without_asides(denied))) or "negation"
        return f"negation: only the {'statement' if negated else 'source'} is negated ({cue})"

    return _clause_finding(ctx, differs, CONTRADICTED) or _rival_finding(ctx, differs)


def _rival_finding(
    ctx: Context,
    differs: Callable[[str, str], str | None],
    among: tuple[Aligned, ...] | None = None,
) -> Finding | None:
    """A contradiction by a rival of a fused claim (see ``Context.rivals``), or by another
    window of ``among``."""
    for rival in ctx.rivals if among is None else among:
        found = _clause_finding(
            replace(ctx, best=rival, rivals=(), restatements=()), differs, CONTRADICTED
        )
        if found is not None:
            return found
    return None


def direction_rule(ctx: Context) -> Finding | None:
    """Direction must agree, clause by clause, without any negation word: "statins increase
    LDL" against "statins lower LDL", "lowers the risk" against "increases the risk", "riskier"
    against "safer", "can be stopped" against "continue" → contradicted.

    Fires when the statement uses one side of an axis and the aligned source clause only the
    other.
    """

    def differs(said: str, source: str) -> str | None:
        if signals.is_negated(said) != signals.is_negated(source):
            return None  # "without harming" is no harm: the negation rule compares them
        side = signals.reversed_direction(said, source)
        if side is None or signals.repeats_the_direction(said, source, side[0]):
            return None
        index, which = side
        if not signals.directed_at(source, (index, 1 - which)) & signals.content_stems(said):
            return None  # the source's direction is about something else
        return (
            f"direction: the statement says {signals.direction_words(side)}, "
            f"the source {signals.direction_words((index, 1 - which))}"
        )

    return _clause_finding(ctx, differs, CONTRADICTED) or _rival_finding(
        ctx, differs, (*ctx.rivals, *ctx.restatements)
    )


def _clause_finding(
    ctx: Context, differs: Callable[[str, str], str | None], effect: str
) -> Finding | None:
    """The first statement clause that ``differs`` from every claim clause it aligns with best
    (a tie between a clause that agrees and one that does not is no finding), shown with the
    claim sentence that holds that clause."""
    if not ctx.on_topic:
        return None
    for said, best in _clause_pairs(ctx.statement, ctx.claim):
        reasons = [differs(said, source) for source in best]
        if all(reasons):
            return Finding(effect, str(reasons[0]), _sentence_holding(ctx.claim, best[0]))
    return None


def _clause_pairs(statement: str, claim: Window) -> list[tuple[str, list[str]]]:
    """Each clause of the statement with the clauses of the claim that share most of its
    words and numbers; among equals a main clause wins over a subordinate one, and the ties
    that remain are all kept. Clauses sharing less than ``SAME_CLAUSE`` are not comparable."""
    source = [
        (c, signals.content_stems(c.text), signals.quantities(c.text))
        for sentence in claim.sentences or (claim,)
        for c in signals.clauses(sentence.text)
    ]
    pairs = []
    for said, _ in signals.clauses(statement):
        stems, numbers = signals.content_stems(said), signals.quantities(said)
        if not stems:
            continue
        shared = [
            (
                clause,
                (len(stems & cs) + sum(any(q.matches(h) for h in qs) for q in numbers))
                / (len(stems) + len(numbers)),
            )
            for clause, cs, qs in source
        ]
        top = max(share for _, share in shared)
        if top < SAME_CLAUSE:
            continue
        best = [clause for clause, share in shared if share == top]
        main = [c for c in best if not c.subordinate]
        pairs.append((said, [c.text for c in (main or best)]))
    return pairs


def _sentence_holding(claim: Window, clause: str) -> Window:
    """The sentence of a two-sentence claim that holds ``clause`` (the claim itself else)."""
    for sentence in claim.sentences:
        if clause in sentence.text:
            return sentence
    return claim


def exclusivity_rule(ctx: Context) -> Finding | None:
    """Exclusivity ("the only", "sole", "no other ... exists", "first-line") is contradicted
    by a passage that names another drug as a treatment, in a passage about the same condition
    or beside the statement's own drug, e.g. "Ocrelizumab is the only approved therapy for
    progressive MS" against "Siponimod and cladribine are approved for active secondary
    progressive MS".
    Without such a passage, an exclusivity the aligned source does not state is unsupported.
    """
    cues = signals.exclusivity(ctx.statement)
    if not cues or ctx.best is None or signals.exclusivity(ctx.claim.text):
        return None
    named = _drugs_in(ctx.drugs, ctx.statement)
    topic = signals.content_stems(ctx.statement) - signals.name_stems(named) - _TREATMENT_CUES
    about: dict[int, frozenset[str]] = {}  # each passage's words: is it about the condition?
    for window in ctx.windows:
        about[window.passage_index] = about.get(window.passage_index, frozenset()) | window.stems
    for window in ctx.windows:
        others = _drugs_in(ctx.drugs, window.text) - named
        if not others or not (window.stems & _TREATMENT_CUES):
            continue
        # The passage is about the same condition, or names the statement's drug beside others.
        if topic & about[window.passage_index] or named & _drugs_in(ctx.drugs, window.text):
            listed = ", ".join(sorted(others)[:3])
            return Finding(
                CONTRADICTED,
                f"exclusivity: the statement says {cues[0]!r} but a source names {listed}",
                window,
            )
    return Finding(UNSUPPORTED, f"exclusivity: no source says {cues[0]!r}", ctx.claim)


def hedge_rule(ctx: Context) -> Finding | None:
    """A statement may not be surer than its source: "X reduces pain" against "X may reduce
    pain" or "X has shown promise" → partial. A statement that qualifies itself ("usually",
    "in some patients", "can") is as cautious as a "probably". "X was associated with lower
    risk" reports a finding (``signals.REPORTED``), it does not hedge one.
    """

    def surer(said: str, source: str) -> str | None:
        cues = [cue for cue in signals.hedges(source) if cue not in signals.REPORTED]
        if not cues or signals.hedges(said) or signals.qualifiers(said):
            return None
        return f"hedge: the source is tentative ({cues[0]}), the statement is not"

    return _clause_finding(ctx, surer, PARTIAL)


def approval_rule(ctx: Context) -> Finding | None:
    """An approval claim ("FDA-approved", "licensed for") needs a source stating approval:
    "Drug X is FDA-approved for Y" against a trial abstract about X in Y → unsupported.
    """
    cues = signals.approvals(ctx.statement)
    if not cues or ctx.best is None:
        return None
    if any(signals.approvals(w.text) for w in ctx.windows):
        return None
    return Finding(UNSUPPORTED, f"approval: no source states {cues[0]!r}", ctx.claim)


def population_rule(ctx: Context) -> Finding | None:
    """The population must match: "safe in children" against "safe in adults" → unsupported
    (the source speaks of other people). A source naming no population does not trigger it.
    """
    if not ctx.on_topic:
        return None
    said = signals.populations(ctx.statement)
    source = signals.populations(ctx.claim.text)
    if not said or not source or said <= source:
        return None
    missing = ", ".join(sorted(said - source))
    return Finding(
        UNSUPPORTED,
        f"population: the statement is about {missing}, the source about "
        f"{', '.join(sorted(source))}",
        ctx.claim,
    )


def drug_rule(ctx: Context) -> Finding | None:
    """Every drug the statement names must be the one its source names: "metformin lowers
    HbA1c" against passages that only discuss sitagliptin → unsupported; "the most used
    antiplatelet drug is clopidogrel" against "the most used antiplatelet drug is aspirin. Other
    antiplatelet drugs include clopidogrel" → contradicted (the source names another drug, of
    the same class, in that place). A misspelling in the source ("allupurinol") still names the
    drug.
    """
    written = _named_drugs(ctx.drugs, ctx.statement)
    named = frozenset(written)
    if not named or ctx.best is None:
        return None
    source = _GREEK.sub(
        lambda m: _GREEK_NAMES[m.group(0)], " ".join(dict.fromkeys(w.text for w in ctx.windows))
    )
    present = _drugs_in(ctx.drugs, source)
    words = signals.content_stems(source)
    # A variant may resolve to another canonical name ("low-dose aspirin"): its words count.
    missing = {
        d
        for d in named - present
        if not signals.content_stems(d) <= words and not _written_in(d, written[d], source)
    }
    if missing:
        return Finding(
            UNSUPPORTED, f"drugs: {', '.join(sorted(missing))} not in the sources", ctx.claim
        )
    if not ctx.on_topic:
        return None
    return _swapped_drug(ctx, named)


# Abstracts write "β-catenin" and "TNF-α" where statements spell the letter out.
_GREEK_NAMES = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "ω": "omega"}
_GREEK = re.compile("|".join(_GREEK_NAMES))


def _swapped_drug(ctx: Context, named: frozenset[str]) -> Finding | None:
    """A claim sentence that says all the rest of the statement of another named drug."""
    assert ctx.best is not None
    rest = signals.content_stems(ctx.statement) - signals.name_stems(named)
    for sentence in ctx.claim.sentences or (ctx.claim,):
        if not rest or len(rest & sentence.stems) / len(rest) < SWAP_COVERAGE:
            continue
        in_sentence = _drugs_in(ctx.drugs, sentence.text)
        instead = {d for d in in_sentence - named if _specific(d)}
        missing = {d for d in named - in_sentence if not _misspelt({d}, sentence.text)}
        if instead and missing:
            said, other = sorted(missing)[0], sorted(instead)[0]
            kind = drug_class(said)
            same = f" (both {kind})" if kind and kind == drug_class(other) else ""
            return Finding(
                CONTRADICTED,
                f"drugs: the source says this of {other}{same}, not of {said}",
                sentence,
            )
    return None


# Words of lexicon entries that name a class of drugs, a kind of molecule or an organism, not
# one drug.
_GENERIC_DRUG_WORDS = frozenset(
    """agent agents drug drugs antiviral antivirals antibiotic antibiotics medication medications
    medicine medicines vaccine vaccines steroid steroids hormone hormones antibody antibodies
    protein proteins kinase kinases receptor receptors factor factors enzyme enzymes dna rna
    channel channels cyclin apolipoprotein peptide peptides inhibitors antagonists agonists
    complementary cells gene genes yeast yeasts saccharomyces bacteria""".split()
)


def _specific(name: str) -> bool:
    """A drug's own name, not a class or molecule word the lexicon also lists ("antiviral
    agents", "antibodies", "AMP-activated protein kinases")."""
    words = name.lower().replace(",", " ").split()
    return len(words) <= 2 and not set(words) & _GENERIC_DRUG_WORDS


@lru_cache(maxsize=8192)
def _drugs_in(lexicon: DrugLexicon, text: str) -> frozenset[str]:
    """``lexicon.find(text)``, remembered: the rules ask it of the same sentences often."""
    return lexicon.find(text)


def _named_drugs(lexicon: DrugLexicon, statement: str) -> dict[str, str]:
    """The drugs ``statement`` names by their own name, canonical name → name as written; a
    lexicon entry written as a class ("trans-acting factors" for "trans-activators") is none."""
    return {
        canonical: written
        for written in lexicon.mentions(statement)
        if (canonical := lexicon.variants.get(written.lower()))
        and _specific(canonical)
        and _specific(written)
    }


def _misspelt(names: frozenset[str] | set[str], text: str) -> bool:
    """Whether every name is in ``text`` up to a spelling slip (one letter or two) or inside a
    longer word ("homocysteine" in "hyperhomocysteinemia", "glutamate" in "glutamatergic"); a
    name of several words is looked for word by word ("matrix metalloproteinases" in "matrix
    metalloprotease")."""
    words = {w.lower().strip(".,;:()") for w in text.split()}
    return all(
        len(name) >= 7 and all(_near(part.lower(), words) for part in name.split())
        for name in names
    )


def _written_in(canonical: str, written: str, text: str) -> bool:
    """Whether ``text`` names the drug by its canonical name or as the statement writes it."""
    return _misspelt({canonical}, text) or _misspelt({written}, text)


def _near(part: str, words: set[str]) -> bool:
    if part in words:
        return True
    root = signals.word_stem(part)
    return len(part) >= 7 and any(
        len(w) >= 6
        and (
            part in w
            or (len(root) >= 7 and w.startswith(root))
            or difflib.SequenceMatcher(None, part, w).ratio() >= SPELLING
        )
        for w in words
    )


def claim_states_the_specifics(ctx: Context) -> bool:
    """Whether the claim itself names every population, drug and number the statement does:
    what may be judged from overall wording only ("Pregnant women should get the vaccine"
    against a sentence about the vaccine naming no one is not a paraphrase of it)."""
    if ctx.best is None:
        return False
    claim = ctx.claim
    if not signals.populations(ctx.statement) <= signals.populations(claim.text):
        return False
    written = _named_drugs(ctx.drugs, ctx.statement)
    missing = set(written) - _drugs_in(ctx.drugs, claim.text)
    if any(not _written_in(d, written[d], claim.text) for d in missing):
        return False
    stated = claim.quantities
    # A bare number ("HIV-1", "type 2") names a thing more often than it measures one.
    return all(
        any(q.matches(h) for h in stated) for q in signals.quantities(ctx.statement) if q.dimension
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
