"""Related questions over the real fixture corpus: count, diversity, answerability, sources."""

from __future__ import annotations

from itertools import combinations

import jsonschema

from medcite.compose.terms import content_stems
from medcite.config import Settings
from medcite.reader.pipeline import has_evidence
from medcite.reader.related import cosine
from medcite.service import Engine

MS_TREATMENT = "What are the treatment options for multiple sclerosis?"


def _mean_pairwise(questions: list[str]) -> float:
    stems = [frozenset(content_stems(q)) for q in questions]
    pairs = list(combinations(stems, 2))
    return sum(cosine(a, b) for a, b in pairs) / len(pairs)


def test_five_to_ten_distinct_answerable_questions(reader_engine: Engine) -> None:
    related = reader_engine.related_questions(MS_TREATMENT)
    assert 5 <= len(related) <= 10
    normalised = {q.lower().rstrip("?").strip() for q in related}
    assert len(normalised) == len(related)
    assert MS_TREATMENT.lower().rstrip("?") not in normalised
    for question in related:
        hits = reader_engine.search(question, k=3, mode="bm25", priors=False)
        assert has_evidence(question, hits), question
    assert all("sclerosis" in q.lower() or "ms" in q.lower().split() for q in related[:3])


def test_mmr_makes_the_list_more_diverse_than_relevance_alone(reader_settings: Settings) -> None:
    by_relevance = reader_settings.model_copy(
        update={"reader": reader_settings.reader.model_copy(update={"mmr_lambda": 1.0})}
    )
    with Engine(by_relevance) as engine:
        plain = engine.related_questions(MS_TREATMENT, 8)
    with Engine(reader_settings) as engine:
        diverse = engine.related_questions(MS_TREATMENT, 8)
    assert len(plain) == len(diverse) == 8
    assert _mean_pairwise(diverse) <= _mean_pairwise(plain)


def test_pubmedqa_questions_of_ingested_abstracts_are_candidates(reader_engine: Engine) -> None:
    related = reader_engine.related_questions("Can a streptococcal infection cause problems?", 10)
    assert (
        "Is there any relationship between streptococcal infection and multiple sclerosis?"
        in related
    )


def test_questions_asked_in_threads_become_candidates(reader_settings: Settings) -> None:
    asked = "What is the dose of ocrelizumab for primary progressive multiple sclerosis?"
    with Engine(reader_settings) as engine:
        engine.ask_in_thread(engine.threads.create().thread_id, asked)
    with Engine(reader_settings) as engine:  # a new process: from the thread store
        assert asked in engine.related_questions("ocrelizumab dose", 10)


def test_the_index_is_cached_and_gives_the_same_answer(reader_settings: Settings) -> None:
    with Engine(reader_settings) as engine:
        first = engine.related_questions("How is gout treated?")
    assert (reader_settings.home / "related-questions.pickle").is_file()
    with Engine(reader_settings) as engine:
        assert engine.related_questions("How is gout treated?") == first


def test_answers_carry_related_questions(reader_engine: Engine, answer_schema: dict) -> None:
    answer = reader_engine.ask(MS_TREATMENT)
    data = answer.to_dict()
    jsonschema.validate(data, answer_schema)
    assert 5 <= len(data["related_questions"]) <= 10
    assert data["engine"]["timings_ms"]["related"] >= 0
    assert MS_TREATMENT not in data["related_questions"]


def test_a_question_about_nothing_in_the_corpus_gets_none(reader_engine: Engine) -> None:
    assert reader_engine.related_questions("zzyzx quolopril frobnication") == []
