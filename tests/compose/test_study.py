"""Research questions answered from the study that answers them (issue 15), on real SciFact
and PubMedQA abstracts and MedQuAD pages through a real index."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from medcite.compose.study import research_question
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


@pytest.fixture(scope="module")
def study_engine(small_corpus: Callable[..., Engine]) -> Engine:
    return small_corpus(scifact=SCIFACT, pubmedqa=PUBMEDQA, focus=MEDQUAD_FOCUS)


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
        ("How often do copper IUD insertions fail in nulliparous women?", True),
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


def test_a_result_dense_with_statistics_is_kept_when_it_states_a_direction(
    small_corpus: Callable[..., Engine],
) -> None:
    # PubMedQA 15125825's RESULTS: "Patients in the IC group had less weight gain than those
    # in the IM group (1.3 vs 4.2 kg; P=.01), ..." is a finding, not a run of statistics.
    engine = small_corpus(pubmedqa={"15125825"})
    question = (
        "When starting insulin in type 2 diabetes, should metformin and the sulfonylurea "
        "be continued?"
    )
    answer = engine.answer(question)
    statements = [answer.bottom_line, *(s for x in answer.sections for s in x.statements)]
    assert any("less weight gain" in s.text for s in statements), [s.text for s in statements]


def test_a_vignette_s_research_question_is_answered_from_methods_and_results(
    small_corpus: Callable[..., Engine],
) -> None:
    # PubMedQA 17276801 labels one block "METHODS AND RESULTS"; its finding sentences are
    # results. The vignette's story (age, setting) is no word the study must cover.
    engine = small_corpus(pubmedqa={"17276801"}, focus={"Pulmonary Embolism"})
    answer = engine.answer(
        "A 71-year-old woman in the emergency department with CT-confirmed acute pulmonary "
        "embolism is haemodynamically stable, but her troponin I is raised. Does that "
        "troponin predict a rocky hospital course or death?"
    )
    assert "associated with inhospital mortality" in answer.bottom_line.text
    assert _cited(answer, answer.bottom_line) == {"pmid:17276801"}


def test_a_study_that_never_names_the_drug_asked_does_not_answer_for_it(
    small_corpus: Callable[..., Engine],
) -> None:
    # SciFact 13481731: preserved systolic function in patients hospitalised with heart
    # failure; it covers the question's words but never names an SGLT2 inhibitor.
    engine = small_corpus(scifact={"13481731"}, focus={"Heart Failure"})
    answer = engine.answer(
        "Do SGLT2 inhibitors such as empagliflozin reduce hospitalisation in heart failure "
        "with preserved ejection fraction?"
    )
    cited = {r.document.doc_id for r in answer.references}
    assert "scifact:13481731" not in cited
