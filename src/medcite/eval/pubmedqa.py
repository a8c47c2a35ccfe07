"""PubMedQA: is each question's own abstract retrieved, and does the answer say yes, no or maybe?

Retrieval: over the whole PubMedQA corpus (1000 abstracts without their conclusions), the
relevant document of a question is its own abstract ``pmid:<PMID>``, so Recall@1/@5/@10 and
MRR@10 need no labels and run on the test split too. Answers: when a composer is given, each
question is answered and :func:`decide` reads yes/no/maybe off the answer's bottom line;
with gold decisions (dev split) accuracy and macro-F1 are reported beside the majority-class
baseline. Every run writes a predictions file (retrieved PMIDs and, with a composer, the
decision per question), which is all the test split allows: its answers are held back.

No leakage: the corpus must carry no conclusions or decisions (:func:`check_corpus`), and
the data directory holds only the corpus. The gold long answers are read for one thing only:
``rule-on-gold-conclusion`` scores :func:`decide` on them, the rule's own ceiling.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from medcite.eval.report import EvalResult
from medcite.eval.retrieval import LabelledQueries, evaluate_retrieval
from medcite.progress import ProgressFn, silent

Decision = Literal["yes", "no", "maybe"]
DECISIONS: tuple[Decision, ...] = ("yes", "no", "maybe")
METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10")
TOP_PREDICTED = 10  # PMIDs per system written to the predictions file
# Fields of the upstream PubMedQA items that give the answer away.
ANSWER_FIELDS = frozenset(
    {"long_answer", "final_decision", "reasoning_required_pred", "reasoning_free_pred"}
)

# Answer composers by name: (engine, question) -> the answer's bottom-line text. The
# extractive composer is what `Engine.answer` runs; an LLM composer registers here by name.
COMPOSERS: dict[str, Callable[[Any, str], str]] = {
    "extractive": lambda engine, question: engine.answer(question, live=True).bottom_line.text,
}


class LeakageError(ValueError):
    """The retrieval corpus carries the answers it is evaluated on."""


@dataclass(frozen=True)
class Question:
    pmid: str
    question: str
    decision: Decision | None  # None when the split ships no labels
    long_answer: str | None


def load_questions(folder: Path, split: str) -> list[Question]:
    """``dev.jsonl`` (labelled) or ``test_questions.jsonl`` (no labels) of a PubMedQA folder."""
    if split not in ("dev", "test"):
        raise ValueError(f"unknown PubMedQA split {split!r}; use dev or test")
    path = folder / ("dev.jsonl" if split == "dev" else "test_questions.jsonl")
    questions = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            decision = row.get("final_decision")
            if decision is not None and decision not in DECISIONS:
                raise ValueError(
                    f"{path}:{number}: final_decision {decision!r} is not yes/no/maybe"
                )
            questions.append(
                Question(str(row["pmid"]), row["question"], decision, row.get("long_answer"))
            )
    return questions


def check_corpus(path: Path) -> None:
    """Raise :class:`LeakageError` if any corpus record carries an answer field."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                leaked = ANSWER_FIELDS & {key.lower() for key in json.loads(line)}
                if leaked:
                    raise LeakageError(
                        f"{path}:{number}: corpus record has answer field(s) "
                        f"{', '.join(sorted(leaked))}; they must not be indexed"
                    )


def labelled_queries(folder: Path, questions: Sequence[Question], split: str) -> LabelledQueries:
    """Each question with its own abstract as the one relevant document."""
    queries = {q.pmid: q.question for q in questions}
    qrels = {q.pmid: {f"pmid:{q.pmid}": 1} for q in questions}
    return LabelledQueries(f"pubmedqa-{split}", folder / "corpus.jsonl", queries, qrels)


# -- yes / no / maybe from a bottom line ------------------------------------------------

_NEGATIVE = re.compile(
    r"\b(no|not|never|neither|nor|none|cannot|can't|didn't|doesn't|don't|isn't|wasn't|"
    r"weren't|aren't|without|fail(?:s|ed)? to|unrelated|unaffected|unchanged|"
    r"similar|comparable|independent of|lack of)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(may|might|could|possibly|perhaps|unclear|uncertain|inconclusive|controversial|"
    r"conflicting|remains? to be|further (?:studies|study|research|trials|investigation)|"
    r"larger (?:studies|trials)|needs? to be|should be (?:confirmed|investigated)|"
    r"insufficient|limited evidence|not (?:yet )?(?:clear|known|established))\b",
    re.IGNORECASE,
)


def decide(bottom_line: str) -> Decision:
    """yes/no/maybe from an answer's bottom-line statement, by cue words (documented rule).

    1. An abstention (medcite's "Insufficient evidence in this corpus ...") is ``maybe``.
    2. A hedge (may, might, unclear, inconclusive, "further studies", "not yet known", ...)
       is ``maybe``: PubMedQA's maybe conclusions are hedged ones.
    3. A negation or a null finding (no, not, did not, failed to, similar, comparable,
       unrelated, independent of, ...) is ``no``.
    4. Anything else asserts, so ``yes`` (also the majority class).

    >>> decide("Statins did not reduce mortality.")
    'no'
    >>> decide("Further studies are needed to confirm the benefit.")
    'maybe'
    >>> decide("Early surgery improved survival.")
    'yes'
    """
    if _HEDGE.search(bottom_line):  # the abstention says "insufficient"
        return "maybe"
    if _NEGATIVE.search(bottom_line):
        return "no"
    return "yes"


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if gold else 0.0


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Unweighted mean of per-class F1 over yes, no and maybe (0 for a class never right)."""
    scores = []
    for label in DECISIONS:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def decision_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    return {
        "accuracy": round(accuracy(gold, predicted), 4),
        "macro_f1": round(macro_f1(gold, predicted), 4),
    }


def majority_baseline(gold: Sequence[str]) -> dict[str, float]:
    """Scores of always answering the most frequent gold class."""
    majority = Counter(gold).most_common(1)[0][0]
    return decision_scores(gold, [majority] * len(gold))


# -- the whole eval ---------------------------------------------------------------------


def evaluate_pubmedqa(
    engine: Any,
    folder: Path,
    split: str,
    systems: Sequence[str],
    out: Path,
    *,
    composer: str | None = "extractive",
    progress: ProgressFn | None = None,
) -> tuple[EvalResult, Path]:
    """Retrieval metrics per system, answer decisions when ``composer`` is given.

    Writes ``out/predictions-pubmedqa-<split>.jsonl`` (one line per question) and returns
    the :class:`EvalResult` (``eval`` = ``pubmedqa``) and that path.
    """
    if composer is not None and composer not in COMPOSERS:
        raise ValueError(f"unknown composer {composer!r}; choose from {', '.join(COMPOSERS)}")
    check_corpus(folder / "corpus.jsonl")
    questions = load_questions(folder, split)
    data = labelled_queries(folder, questions, split)
    result, rankings = evaluate_retrieval(engine, data, systems, metrics=METRICS, progress=progress)
    result.eval = "pubmedqa"
    bottom_lines = _answers(engine, questions, composer, progress) if composer else {}
    decisions = {pmid: decide(text) for pmid, text in bottom_lines.items()}
    labelled = [q for q in questions if q.decision is not None]
    gold: list[str] = [q.decision for q in labelled if q.decision is not None]
    if decisions and labelled:
        result.systems[f"answer-{composer}"] = decision_scores(
            gold, [decisions[q.pmid] for q in labelled]
        )
        result.systems["majority-baseline"] = majority_baseline(gold)
    if labelled and all(q.long_answer for q in labelled):
        result.systems["rule-on-gold-conclusion"] = decision_scores(
            gold, [decide(q.long_answer or "") for q in labelled]
        )
    result.meta.update(
        split=split,
        labelled=len(labelled),
        composer=composer,
        predicted=dict(Counter(decisions.values())),
    )
    path = write_predictions(out, split, questions, rankings, bottom_lines, decisions)
    return result, path


def _answers(
    engine: Any, questions: Sequence[Question], composer: str, progress: ProgressFn | None
) -> dict[str, str]:
    progress = progress or silent
    compose = COMPOSERS[composer]
    answers = {}
    for i, q in enumerate(questions, 1):
        answers[q.pmid] = compose(engine, q.question)
        progress(f"answer ({composer})", i, len(questions))
    return answers


def write_predictions(
    out: Path,
    split: str,
    questions: Sequence[Question],
    rankings: Mapping[str, Mapping[str, list[str]]],
    bottom_lines: Mapping[str, str],
    decisions: Mapping[str, Decision],
) -> Path:
    """One JSON line per question: retrieved PMIDs per system, bottom line and decision.

    Also ``predictions-pubmedqa-<split>-decisions.json`` (``{pmid: decision}``, the upstream
    ``evaluation.py`` input) when there are decisions.
    """
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"predictions-pubmedqa-{split}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for q in questions:
            row = {
                "pmid": q.pmid,
                "question": q.question,
                "retrieved": {
                    system: [d.removeprefix("pmid:") for d in ranked[q.pmid][:TOP_PREDICTED]]
                    for system, ranked in rankings.items()
                },
                "bottom_line": bottom_lines.get(q.pmid),
                "decision": decisions.get(q.pmid),
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if decisions:
        upstream = out / f"predictions-pubmedqa-{split}-decisions.json"
        upstream.write_text(json.dumps(dict(decisions), indent=1), encoding="utf-8")
    return path
