"""Research questions answered from the study that answers them (issue 15), on real SciFact
and PubMedQA abstracts and MedQuAD pages through a real index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcite.compose.study import research_question
from medcite.config import Settings
from medcite.models import Answer, Statement
from medcite.service import Engine

STATINS_HIP = "scifact:4687948"  # case-control study, RESULTS and CONCLUSIONS run in
PYLORI_COHORT = "scifact:2052720"  # nested case-control, odds ratio 2.77
PYLORI_CELLS = "scifact:22703082"  # gastric cells in vitro: a mechanism, no effect size
ADHD_HEART = "scifact:10984005"
PPI_REBOUND = "pmid:11500608"  # PubMedQA: BACKGROUND and RESULTS, no conclusion
SCIFACT = {"4687948", "2052720", "22703082", "10984005", "4983"}
PUBMEDQA = {"11500608", "21881325", "1571683"}
MEDQUAD_FOCUS = {"Osteoporosis", "Heartburn", "Helicobacter Pylori Infections", "Hip Fracture"}


def _subset(src: Path, dest: Path, keep: object) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with src.open(encoding="utf-8") as fh, dest.open("w", encoding="utf-8") as out:
        out.writelines(line for line in fh if keep(json.loads(line)))  # type: ignore[operator]


@pytest.fixture(scope="module")
def study_engine(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp("studies")
    _subset(
        shared_data / "scifact" / "corpus.jsonl",
        root / "scifact" / "corpus.jsonl",
        lambda row: row["_id"] in SCIFACT,
    )
    _subset(
        shared_data / "pubmedqa" / "corpus.jsonl",
        root / "pubmedqa.jsonl",
        lambda row: row["pmid"] in PUBMEDQA,
    )
    _subset(
        shared_data / "medquad" / "medquad.jsonl",
        root / "medquad.jsonl",
        lambda row: row["focus"] in MEDQUAD_FOCUS,
    )
    with Engine(Settings(home=root / "home")) as engine:
        engine.ingest([root / "scifact", root / "pubmedqa.jsonl", root / "medquad.jsonl"])
        yield engine


def _statements(answer: Answer) -> list[Statement]:
    return [answer.bottom_line, *(s for section in answer.sections for s in section.statements)]


def _cited(answer: Answer, statement: Statement) -> set[str]:
    by_number = {r.n: r.document.doc_id for r in answer.references}
    return {by_number[n] for n in statement.citations}


def test_a_closed_question_is_answered_by_the_study_s_conclusion_and_results(
    study_engine: Engine,
) -> None:
    answer = study_engine.answer("Do statins lower the risk of hip fracture in older adults?")
    bottom = answer.bottom_line.text
    assert bottom.startswith("These findings support an association between statin use")
    assert _cited(answer, answer.bottom_line) == {STATINS_HIP}
    found = next(s for s in answer.sections if s.kind == "findings")
    texts = [s.text for s in found.statements]
    assert any("adjusted OR, 0.50" in t for t in texts)  # the effect size, not only its gist
    # Background, aims, design and enrolment are never statements.
    for text in (bottom, *texts):
        assert not text.startswith(("Recent animal studies", "To determine", "Control patients"))
    gap = next(s for s in answer.sections if s.kind == "evidence_gap")
    assert [s.text for s in gap.statements] == [
        "Controlled trials are needed to exclude the possibility of unmeasured confounders."
    ]
    assert answer.warnings[0].startswith("This answer rests on the findings of")


def test_every_study_statement_is_an_exact_slice_of_its_passage(study_engine: Engine) -> None:
    answer = study_engine.answer("Are stimulant ADHD medications safe for the heart in adults?")
    passages = {p.passage_id: p.text for r in answer.references for p in r.passages}
    statements = _statements(answer)
    assert {d for s in statements for d in _cited(answer, s)} == {ADHD_HEART}
    for statement in statements:
        for evidence in statement.evidence:
            text = passages[evidence.passage_id]
            assert text[evidence.start : evidence.end] == statement.text
    assert any("0.83" in s.text for s in statements)


def test_without_a_conclusion_the_result_that_states_the_finding_is_the_bottom_line(
    study_engine: Engine,
) -> None:
    # PubMedQA abstracts come without their conclusion: the answer is in RESULTS.
    question = "After a short course of a proton pump inhibitor, do heartburn symptoms rebound?"
    answer = study_engine.answer(question)
    assert _cited(answer, answer.bottom_line) == {PPI_REBOUND}
    assert "not significant" in answer.bottom_line.text
    assert "STUDY:" not in answer.bottom_line.text


def test_a_study_that_quantifies_its_finding_answers_before_a_laboratory_mechanism(
    study_engine: Engine,
) -> None:
    answer = study_engine.answer(
        "How strongly is Helicobacter pylori infection linked to gastric cancer?"
    )
    assert _cited(answer, answer.bottom_line) == {PYLORI_COHORT}
    statements = [s.text for s in _statements(answer)]
    assert any("2.77" in t for t in statements)
    assert PYLORI_CELLS not in {d for s in _statements(answer) for d in _cited(answer, s)}


def test_a_question_a_consumer_page_answers_is_not_a_study_answer(study_engine: Engine) -> None:
    answer = study_engine.answer("Can osteoporosis be prevented?")
    assert answer.references
    assert all(r.document.collection == "medquad" for r in answer.references)
    assert not any(w.startswith("This answer rests on") for w in answer.warnings)


@pytest.mark.parametrize(
    ("question", "closed"),
    [
        ("Do statins lower the risk of hip fracture in older adults?", True),
        ("In older patients with diabetes, do severe hypoglycemic episodes raise the risk?", True),
        ("How strongly is H. pylori infection linked to gastric cancer?", True),
        ("My toddler had a fever. Does that mean she will get epilepsy?", True),
        ("Can heart failure be cured, and which drug classes are standard?", False),
        ("What are the treatment options for gout?", False),
        ("Which anticoagulants prevent stroke in atrial fibrillation?", False),
    ],
)
def test_a_research_question_asks_yes_or_no_or_how_strongly_in_every_clause(
    question: str, closed: bool
) -> None:
    assert research_question(question) is closed
