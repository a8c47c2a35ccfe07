from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcite.config import Settings
from medcite.eval.pubmedqa import (
    ANSWER_FIELDS,
    DECISIONS,
    LeakageError,
    accuracy,
    check_corpus,
    decide,
    evaluate_pubmedqa,
    load_questions,
    macro_f1,
    majority_baseline,
)
from medcite.service import Engine


@pytest.mark.parametrize(
    ("bottom_line", "expected"),
    [
        ("Insufficient evidence in this corpus to answer this question.", "maybe"),
        ("Inhibin may be a useful marker of persistent disease.", "maybe"),
        ("Further studies are needed before routine use.", "maybe"),
        ("Whether screening helps is not yet known.", "maybe"),
        ("Mortality did not differ between the groups.", "no"),
        ("Complication rates were similar in both arms.", "no"),
        ("Hyperbaric oxygen failed to reduce mortality.", "no"),
        ("Early mobilisation shortened hospital stay.", "yes"),
        ("Substance use was associated with HIV risk behaviour.", "yes"),
    ],
)
def test_decide_reads_the_bottom_line(bottom_line: str, expected: str) -> None:
    assert decide(bottom_line) == expected


def test_accuracy_macro_f1_and_majority_baseline_by_hand() -> None:
    gold = ["yes", "yes", "no", "maybe"]
    predicted = ["yes", "no", "no", "yes"]
    assert accuracy(gold, predicted) == 0.5
    # F1 yes = 2*1/(2+1+1) = 0.5; no = 2*1/(2+1+0) = 2/3; maybe = 0.
    assert macro_f1(gold, predicted) == pytest.approx((0.5 + 2 / 3 + 0) / 3)
    # Always "yes": accuracy 2/4; F1 yes = 2*2/(4+2+0) = 2/3, the others 0.
    assert majority_baseline(gold) == {"accuracy": 0.5, "macro_f1": round(2 / 9, 4)}


def test_the_shared_corpus_carries_no_answers(shared_data: Path) -> None:
    corpus = shared_data / "pubmedqa" / "corpus.jsonl"
    with corpus.open(encoding="utf-8") as lines:
        keys = set().union(*(json.loads(line).keys() for line in lines))
    assert keys == {"pmid", "title", "contexts", "labels", "meshes", "year"}
    assert not ANSWER_FIELDS & {k.lower() for k in keys}
    check_corpus(corpus)  # the eval's own guard passes on it


def test_a_corpus_with_answers_is_refused(tmp_path: Path, write_jsonl) -> None:
    poisoned = write_jsonl(
        tmp_path / "corpus.jsonl",
        [{"pmid": "1", "contexts": ["a"]}, {"pmid": "2", "contexts": ["b"], "LONG_ANSWER": "x"}],
    )
    with pytest.raises(LeakageError, match=r"corpus.jsonl:2: .*long_answer"):
        check_corpus(poisoned)


def test_indexed_abstracts_do_not_contain_the_conclusions(
    engine: Engine, shared_data: Path
) -> None:
    """The fixture index holds PubMedQA abstracts; none holds its dev conclusion."""
    dev = {q.pmid: q for q in load_questions(shared_data / "pubmedqa", "dev")}
    indexed = [p for batch in engine.store.iter_passages() for p in batch]
    by_doc: dict[str, str] = {}
    for p in indexed:
        by_doc[p.doc_id] = by_doc.get(p.doc_id, "") + p.text
    checked = [pmid for pmid in dev if f"pmid:{pmid}" in by_doc]
    assert len(checked) > 50
    for pmid in checked:
        # Whole conclusions only: one upstream abstract (24519615) repeats its first results
        # sentence in its conclusion, which is the source's text, not a leak.
        assert (dev[pmid].long_answer or "") not in by_doc[f"pmid:{pmid}"], pmid
    sections = {s.label for pmid in checked for s in engine.store.document(f"pmid:{pmid}").sections}
    assert sections and not any("CONCLU" in (label or "").upper() for label in sections)


def test_dev_run_scores_retrieval_and_answers(mini_pubmedqa: Path, tmp_path: Path) -> None:
    with Engine(Settings(home=tmp_path / "home")) as engine:
        result, predictions = evaluate_pubmedqa(
            engine, mini_pubmedqa, "dev", ["bm25", "bm25s"], tmp_path / "out"
        )
    assert result.eval == "pubmedqa" and result.dataset == "pubmedqa-dev"
    assert set(result.systems) == {
        "bm25",
        "bm25s",
        "answer-extractive",
        "majority-baseline",
        "rule-on-gold-conclusion",
    }
    assert set(result.systems["bm25s"]) == {"recall@1", "recall@5", "recall@10", "mrr@10"}
    assert result.systems["bm25"]["recall@10"] >= 0.9  # 60 abstracts: own abstract is easy
    gold = [q.decision for q in load_questions(mini_pubmedqa, "dev")]
    assert result.systems["majority-baseline"] == majority_baseline(gold)
    rows = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert len(rows) == 20 and {r["decision"] for r in rows} <= set(DECISIONS)
    assert all(r["decision"] == decide(r["bottom_line"]) for r in rows)
    wrong = sum(r["decision"] != g for r, g in zip(rows, gold, strict=True))
    assert result.systems["answer-extractive"]["accuracy"] == pytest.approx(1 - wrong / 20)
    assert result.meta["labelled"] == 20 and sum(result.meta["predicted"].values()) == 20


def test_unlabelled_test_questions_still_get_predictions(
    mini_pubmedqa: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with Engine(Settings(home=tmp_path / "home")) as engine:
        result, predictions = evaluate_pubmedqa(engine, mini_pubmedqa, "test", ["bm25"], out)
    assert set(result.systems) == {"bm25", "bm25s"}  # no labels: no answer scores
    assert result.meta["labelled"] == 0
    rows = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert [r["pmid"] for r in rows] == [q.pmid for q in load_questions(mini_pubmedqa, "test")]
    assert all(r["decision"] in DECISIONS and len(r["retrieved"]["bm25"]) == 10 for r in rows)
    decisions = json.loads((out / "predictions-pubmedqa-test-decisions.json").read_text())
    assert decisions == {r["pmid"]: r["decision"] for r in rows}


def test_cli_pubmedqa_test_split_and_speed_alias(mini_pubmedqa: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from medcite.cli import app

    out = tmp_path / "out"
    args = ["eval", "pubmedqa", "--data", str(mini_pubmedqa), "--split", "test"]
    run = CliRunner().invoke(
        app, [*args, "--systems", "bm25", "--out", str(out), "--format", "json"]
    )
    assert run.exit_code == 0, run.output
    saved = json.loads((out / "pubmedqa-test.json").read_text())
    assert set(saved["systems"]) == {"bm25", "bm25s"}
    assert json.loads(run.stdout)["systems"] == saved["systems"]
    assert len((out / "predictions-pubmedqa-test.jsonl").read_text().splitlines()) == 10
    bad = CliRunner().invoke(app, [*args, "--composer", "oracle", "--out", str(out)])
    assert bad.exit_code == 2 and "unknown composer" in bad.output
    speed = CliRunner().invoke(app, ["eval", "speed", "--help"])
    assert speed.exit_code == 0 and "--sizes" in speed.output
