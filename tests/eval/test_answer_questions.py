"""The clinician question set (eval/answers) loads, is split fairly, and fits the demo data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from medcite.eval.answer_questions import (
    SPLITS,
    check_against_corpus,
    load_question_set,
    load_questions,
    matches,
    parse_question,
)

SET = Path(__file__).resolve().parents[2] / "eval" / "answers"
BLIND_SPLITS = (
    "holdout",
    "fresh",
    "final",
    "unseen",
    "cold",
    "sealed",
)  # written from the data files alone, never tuned on

ROW = {
    "id": "gout",
    "question": "An older patient with a gout flare cannot take NSAIDs: what else?",
    "split": "dev",
    "answerable": True,
    "audience": "clinician",
    "source": "NIHSeniorHealth",
    "aspects": ["treatment"],
    "expected_documents": ["medquad:7_SeniorHealth_QA/0000028-4"],
    "key_facts": [["colchicine"], ["12 hours"]],
    "topic_terms": ["gout"],
}


def test_the_set_has_enough_answerable_and_unanswerable_questions_in_both_splits() -> None:
    questions = load_question_set(SET, "dev") + load_question_set(SET, "test")
    kinds = Counter((q.split, q.answerable) for q in questions)
    assert kinds[("dev", True)] + kinds[("test", True)] >= 60
    assert kinds[("dev", False)] + kinds[("test", False)] >= 15
    assert min(kinds.values()) >= 7
    assert abs(kinds[("dev", True)] - kinds[("test", True)]) <= 2
    assert {q.audience for q in questions} == {"clinician", "patient"}
    assert sum(len(q.aspects) > 1 for q in questions) >= 10


def test_every_source_with_several_questions_is_in_both_splits() -> None:
    by_source: dict[str, Counter[str]] = {}
    for q in load_question_set(SET, "dev") + load_question_set(SET, "test"):
        by_source.setdefault(q.source, Counter())[q.split] += 1
    assert {"NINDS", "NIDDK", "GARD", "NHLBI", "CDC", "PubMedQA", "SciFact"} <= set(by_source)
    for source, splits in by_source.items():
        if sum(splits.values()) >= 2:
            assert splits["dev"] and splits["test"], source
            assert abs(splits["dev"] - splits["test"]) <= 1, (source, splits)


@pytest.mark.parametrize("blind", BLIND_SPLITS)
def test_a_blind_split_is_spread_like_the_others(blind: str) -> None:
    questions = load_question_set(SET, blind)
    kinds = Counter(q.answerable for q in questions)
    assert kinds[True] >= 24 and kinds[False] >= 6
    assert {q.audience for q in questions} == {"clinician", "patient"}
    assert sum(q.audience == "patient" for q in questions) >= 4
    assert sum(len(q.aspects) > 1 for q in questions if q.answerable) >= 6
    agencies = {"NINDS", "NIDDK", "NHLBI", "GARD", "CDC", "MPlusHealthTopics"}
    agencies |= {"NIHSeniorHealth", "CancerGov", "GHR", "PubMedQA", "SciFact"}
    assert {q.source for q in questions if q.answerable} == agencies


@pytest.mark.parametrize("split", ["fresh", "final", "unseen", "cold", "sealed"])
def test_an_issue_15_split_has_the_size_its_measurement_needs(split: str) -> None:
    questions = load_question_set(SET, split)
    assert Counter(q.answerable for q in questions) == {True: 30, False: 10}
    sources = Counter(q.source for q in questions if q.answerable)
    assert sources["PubMedQA"] >= 6 and sources["SciFact"] >= 4
    assert sum(len(q.aspects) > 1 for q in questions if q.answerable) >= 8
    assert sum(q.audience == "patient" for q in questions) >= 5


@pytest.mark.parametrize("blind", BLIND_SPLITS)
def test_a_blind_split_asks_about_nothing_another_split_asks_about(blind: str) -> None:
    """Written blind means untuned: no topic of a blind split (holdout, fresh, final, unseen,
    cold, sealed) is named by a question of any other split, and no other split's topic by one
    of its questions."""
    others = [q for name in SPLITS if name != blind for q in load_question_set(SET, name)]
    overlaps = [
        (new.id, old.id)
        for new in load_question_set(SET, blind)
        for old in others
        if matches(new.topic_terms, old.question) or matches(old.topic_terms, new.question)
    ]
    assert overlaps == []


def test_a_split_loads_only_its_own_questions() -> None:
    splits = {name: load_question_set(SET, name) for name in SPLITS}
    assert set(splits) == {"dev", "test", "holdout", "fresh", "final", "unseen", "cold", "sealed"}
    for name, questions in splits.items():
        assert {q.split for q in questions} == {name}
    ids = [q.id for questions in splits.values() for q in questions]
    assert len(ids) == len(set(ids))
    assert len(load_question_set(SET, "all")) == len(ids)
    with pytest.raises(ValueError, match="unknown split"):
        load_question_set(SET, "train")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"split": "train"}, "split must be one of"),
        ({"key_facts": []}, "needs expected_documents and key_facts"),
        ({"key_facts": [["colchicine("]]}, "missing \\)"),
        ({"key_facts": "colchicine"}, "key_facts must be a list"),
        ({"answerable": "yes"}, "answerable must be true or false"),
        ({"answerable": False}, "must say what is missing"),
        ({"audience": "doctor"}, "unknown audience"),
        ({"topic_terms": []}, "must not be empty"),
    ],
)
def test_a_bad_row_is_refused_with_its_line_number(
    tmp_path: Path, change: dict, message: str
) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text(json.dumps(ROW) + "\n" + json.dumps(ROW | change) + "\n")
    with pytest.raises(ValueError, match="line 2") as error:
        load_questions(path)
    assert error.match(message)  # and the message names the rule broken


def test_a_folder_refuses_a_question_filed_under_the_wrong_split(tmp_path: Path) -> None:
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "questions.jsonl").write_text(json.dumps(ROW | {"split": "test"}) + "\n")
    with pytest.raises(ValueError, match="not marked split 'dev'"):
        load_question_set(tmp_path, "dev")


def test_the_original_rows_still_load() -> None:
    q = parse_question({"id": "x", "question": "How is gout treated?", "expected_facts": ["a"]})
    assert q.expected_facts == ("a",) and q.split == "" and q.key_facts == ()


@pytest.mark.slow
def test_every_question_fits_the_demo_data(shared_data: Path) -> None:
    """Expected documents exist under the ids the demo index gives them, each key fact and a
    topic term is stated by an expected document, and what unanswerable questions ask about is
    absent from every document."""
    assert check_against_corpus(load_question_set(SET, "all"), shared_data) == []


@pytest.mark.slow
def test_the_corpus_check_finds_unfair_questions(shared_data: Path) -> None:
    unfair = [
        parse_question(ROW | {"key_facts": [["colchicine"], ["febuxostat 40 mg"]]}),
        parse_question(ROW | {"id": "ghost", "expected_documents": ["medquad:no-such-page"]}),
        parse_question(
            ROW
            | {
                "id": "present",
                "answerable": False,
                "expected_documents": [],
                "key_facts": [],
                "missing": "nothing on colchicine",
                "missing_terms": [["colchicine"], ["gout"]],
            }
        ),
    ]
    problems = check_against_corpus(unfair, shared_data)
    assert "gout: no expected document states ['febuxostat 40 mg']" in problems
    assert "ghost: no document medquad:no-such-page" in problems
    assert (
        "present: medquad:7_SeniorHealth_QA/0000028-4 holds what is said to be missing" in problems
    )
