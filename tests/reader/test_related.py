"""Related questions over the real fixture corpus: count, diversity, answerability, sources."""

from __future__ import annotations

import jsonschema

from medcite.config import Settings
from medcite.eval.reader import mean_pairwise_similarity
from medcite.reader.pipeline import has_evidence
from medcite.reader.related import CandidateQuestion, RelatedQuestions
from medcite.service import Engine

MS_TREATMENT = "What are the treatment options for multiple sclerosis?"


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


def test_mmr_makes_the_list_more_diverse_than_relevance_alone(reader_engine: Engine) -> None:
    diverse = reader_engine.related_questions(MS_TREATMENT, 8)
    plain = reader_engine.related.with_lambda(1.0).find(MS_TREATMENT, 8)
    assert len(plain) == len(diverse) == 8
    assert mean_pairwise_similarity(diverse) <= mean_pairwise_similarity(plain)


class _ListSource:
    """A QuestionSource over a fixed list (the Protocol's smallest implementation)."""

    name = "list"

    def __init__(self, questions: list[str]) -> None:
        self.items = questions

    def questions(self) -> list[CandidateQuestion]:
        return [CandidateQuestion(q, self.name) for q in self.items]

    def version(self) -> None:
        return None


def test_mmr_skips_near_duplicates_and_unanswerable_questions() -> None:
    candidates = [
        "What are the treatments for gout flares?",
        "What are the treatments for gout flares in adults?",
        "What are the treatments for gout flares at home?",
        "What causes gout?",
        "How is gout diagnosed?",
        "Unanswerable: gout on the moon?",
        "How is gout treated?",  # the asked question itself
    ]

    def answerable(question: str) -> bool:
        return not question.startswith("Unanswerable")

    def related(mmr_lambda: float) -> list[str]:
        finder = RelatedQuestions([_ListSource(candidates)], answerable, mmr_lambda=mmr_lambda)
        return finder.find("How is gout treated?", 2)

    by_relevance, diverse = related(1.0), related(0.3)
    assert "How is gout treated?" not in by_relevance + diverse
    assert not any(q.startswith("Unanswerable") for q in by_relevance + diverse)
    assert "What are the treatments for gout flares?" not in by_relevance  # ~ the question
    assert by_relevance == [
        "What are the treatments for gout flares in adults?",
        "What are the treatments for gout flares at home?",
    ]
    assert diverse == ["What are the treatments for gout flares in adults?", "What causes gout?"]
    assert mean_pairwise_similarity(diverse) < mean_pairwise_similarity(by_relevance)


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


def test_approved_library_questions_become_candidates_and_drafts_do_not(
    reader_settings: Settings,
) -> None:
    from medcite.library import Actor, Role

    approved = "Is glatiramer acetate approved for relapsing forms of multiple sclerosis?"
    drafted = "Is glatiramer acetate a treatment for relapsing multiple sclerosis?"
    with Engine(reader_settings) as engine:
        library = engine.library
        system = Actor.system("test")
        editor = library.add_user(system, "ed", "editor")
        reviewer = library.add_user(system, "rev", "reviewer")
        as_editor = Actor(editor.username, Role(editor.role), editor.id)
        as_reviewer = Actor(reviewer.username, Role(reviewer.role), reviewer.id)
        first, _ = (
            library.create_draft(as_editor, answer=engine.ask(question).to_dict())
            for question in (approved, drafted)
        )
        for to, actor in [
            ("submitted", as_editor),
            ("under_review", as_reviewer),
            ("approved", as_reviewer),
        ]:
            library.transition(actor, first.id, to, version=first.current_version)
    with Engine(reader_settings) as engine:  # a new process: read from the library
        found = engine.related_questions("glatiramer acetate for multiple sclerosis", 10)
    assert approved in found
    assert drafted not in found
