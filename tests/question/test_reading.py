"""Question reading with the fixture corpus's vocabulary: topic, aspects, population,
entities and follow-ups (through ``Engine.read_question``, so the real index answers the
"discussed together?" look-up of a follow-up)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from medcite.question.reading import FocusMatch, read_question
from medcite.question.vocabulary import Term, TopicVocabulary
from medcite.question.words import stem_key
from medcite.service import Engine

MS_TREATMENT = "What are the treatment options for multiple sclerosis?"


def test_the_topic_is_a_corpus_term_not_the_question_words(engine: Engine) -> None:
    reading = engine.read_question("Does the treatment of MS depend on the size of lesions?")
    assert reading.topic is not None and reading.topic.name == "multiple sclerosis"
    assert [c.name for c in reading.concepts] == ["multiple sclerosis"]
    assert "depend" not in reading.query and "size" in reading.qualifiers


def test_every_aspect_asked_is_read(engine: Engine) -> None:
    reading = engine.read_question("What causes multiple sclerosis and how is it treated?")
    assert reading.intents == ("cause", "treatment")
    assert len(reading.also) == 2  # one retrieval query per aspect


def test_population_and_narrowing_modifiers(engine: Engine) -> None:
    reading = engine.read_question("How is progressive multiple sclerosis treated in children?")
    assert reading.population == "in children"
    topic = reading.topic
    assert topic is not None
    assert topic.name == "progressive multiple sclerosis"
    assert topic.general == "multiple sclerosis"


def test_both_drugs_of_an_interaction_are_required(engine: Engine) -> None:
    reading = engine.read_question("Can bupropion and escitalopram be taken together?")
    assert reading.intent == "interactions"
    assert [c.name for c in reading.concepts] == ["bupropion", "escitalopram"]
    assert "taken" not in reading.query and "together" not in reading.query


def test_drugs_asked_about_a_condition_are_searched_not_required(engine: Engine) -> None:
    reading = engine.read_question("Do steroids help in multiple sclerosis?")
    assert [c.name for c in reading.concepts] == ["multiple sclerosis"]
    assert [c.name for c in reading.asked_for] == ["steroids"]
    assert "steroids" in reading.query


def test_a_name_the_vocabulary_does_not_know_is_required(engine: Engine) -> None:
    reading = engine.read_question("How is EVALI managed in multiple sclerosis?")
    assert [c.name for c in reading.concepts] == ["multiple sclerosis", "EVALI"]


def test_a_short_form_the_corpus_writes_beside_a_condition_family_is_asked_about() -> None:
    key = stem_key("Castleman disease")
    vocabulary = TopicVocabulary(
        {key: Term("castleman disease", "condition", docs=6, keys=(key,), page=True)}
    )
    reading = read_question(
        "Castleman disease in a 52M: where does HHV-8 fit in?",
        vocabulary=vocabulary,
        in_corpus=lambda word: word == "HHV-8",  # as the demo corpus: GARD writes HHV-8
    )
    assert [c.name for c in reading.concepts] == ["castleman disease"]
    assert "HHV-8" in [c.name for c in reading.asked_for]
    unwritten = read_question(
        "Castleman disease in a 52M: where does EVALI fit in?",
        vocabulary=vocabulary,
        in_corpus=lambda word: False,
    )
    assert "EVALI" in [c.name for c in unwritten.concepts]


def test_a_follow_up_narrows_the_thread_to_what_its_topic_discusses(engine: Engine) -> None:
    reading = engine.read_question("what about fatigue?", [MS_TREATMENT])
    assert reading.follow_up
    assert [c.name for c in reading.concepts] == ["multiple sclerosis", "fatigue"]
    assert reading.focus == ("fatigue",)
    assert reading.answering == "treatment of fatigue in multiple sclerosis"


def test_a_follow_up_on_a_condition_the_topic_never_mentions_changes_subject(
    engine: Engine,
) -> None:
    reading = engine.read_question("And what about leukemia?", [MS_TREATMENT])
    assert reading.follow_up
    assert [c.name for c in reading.concepts] == ["leukemia"]
    assert reading.answering == "treatment of leukemia"


def test_the_reading_is_recorded_in_the_answer(engine: Engine) -> None:
    reading = engine.read_question(MS_TREATMENT).to_dict()
    assert reading["topic"] == {
        "name": "multiple sclerosis",
        "kind": "condition",
        "aliases": ["MS"],
    }
    assert reading["aspects"][0]["intent"] == "treatment"
    assert reading["population"] is None


def test_the_condition_after_in_is_the_patients_and_comes_first(engine: Engine) -> None:
    reading = engine.read_question("Which drugs relieve spasticity in multiple sclerosis?")
    assert reading.intent == "treatment"
    assert reading.topic is not None and reading.topic.name == "multiple sclerosis"


# -- the topic is the condition asked about ---------------------------------------------


def test_a_leading_for_clause_frames_the_question_and_its_condition_is_the_topic(
    engine: Engine,
) -> None:
    reading = engine.read_question(
        "For secondary progressive multiple sclerosis, what helps spasticity?"
    )
    assert reading.topic is not None
    assert reading.topic.name == "secondary progressive multiple sclerosis"
    assert "spasticity" in [c.name for c in reading.concepts]


def test_the_condition_an_effect_verb_acts_on_comes_before_the_test(engine: Engine) -> None:
    reading = engine.read_question("Does radiography screening reduce deaths from tuberculosis?")
    assert [c.name for c in reading.concepts] == ["tuberculosis", "radiography"]


def test_terms_listed_in_the_asked_for_slot_are_not_the_topic(engine: Engine) -> None:
    reading = engine.read_question(
        "What magnetic resonance imaging and evoked potentials findings confirm multiple sclerosis?"
    )
    assert [c.name for c in reading.concepts] == ["multiple sclerosis"]
    assert [c.name for c in reading.asked_for] == [
        "magnetic resonance imaging",
        "evoked potentials",
    ]


def test_a_verb_that_asks_does_not_narrow_the_condition(engine: Engine) -> None:
    reading = engine.read_question("Which tests diagnose multiple sclerosis?")
    assert reading.topic is not None and reading.topic.name == "multiple sclerosis"
    assert not reading.topic.broader


def test_an_aspect_word_with_a_generic_one_names_no_topic() -> None:
    # "Inheritance Patterns" is a MeSH heading of the corpus, "Cystic Fibrosis" a page focus.
    terms = {
        key: Term(name, "condition", docs=3, keys=(key,), page=page)
        for key, name, page in [
            (stem_key("Inheritance Patterns"), "inheritance patterns", False),
            (stem_key("Cystic Fibrosis"), "cystic fibrosis", True),
        ]
    }
    reading = read_question(
        "What is the inheritance pattern of cystic fibrosis?",
        vocabulary=TopicVocabulary(terms),
    )
    assert [c.name for c in reading.concepts] == ["cystic fibrosis"]


@pytest.mark.parametrize(
    ("question", "concepts"),
    [
        ("What are the side effects of natalizumab?", ["natalizumab"]),
        ("Does natalizumab reduce relapses?", ["natalizumab"]),
        ("Can bupropion be taken with escitalopram?", ["bupropion", "escitalopram"]),
    ],
)
def test_a_question_about_drugs_only_keeps_them_as_its_topic(
    engine: Engine, question: str, concepts: list[str]
) -> None:
    assert [c.name for c in engine.read_question(question).concepts] == concepts


def _vocabulary(*terms: tuple[str, bool]) -> TopicVocabulary:
    """Terms of the demo corpus, as MedQuAD page foci (True) or PubMed MeSH headings (False)."""
    return TopicVocabulary(
        {
            stem_key(name): Term(
                name.lower(), "condition", docs=3, keys=(stem_key(name),), page=page
            )
            for name, page in terms
        }
    )


def test_a_possessive_eponym_names_its_page_term() -> None:
    vocabulary = _vocabulary(("Paget's Disease of Bone", True), ("Tourette Syndrome", True))
    paget = read_question(
        "An X-ray showed Paget's disease and the bone aches.", vocabulary=vocabulary
    )
    assert [c.name for c in paget.concepts] == ["paget's disease of bone"]
    tourette = read_question(
        "Our son has Tourette's. Does he need medicine?", vocabulary=vocabulary
    )
    assert [c.name for c in tourette.concepts] == ["tourette syndrome"]


SHORT_NAMES = _vocabulary(
    ("Carpal Tunnel Syndrome", True),
    ("Carbon Monoxide Poisoning", True),
    ("Injections", False),
    ("Headache", True),
    ("Moyamoya Disease", True),
    ("Heart", True),
    ("Heart Disease", True),
    ("Prader-Willi Syndrome", True),
)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        (
            "Wrist splint, steroid injection or release surgery for carpal tunnel, and how "
            "normal will the hand feel after surgery?",
            "carpal tunnel syndrome",
        ),
        ("Our son was diagnosed with Prader-Willi. Why?", "prader-willi syndrome"),
        ("Moyamoya in a 7-year-old: what then?", "moyamoya disease"),
        ("Heart murmurs in a 7-year-old: what then?", "heart"),  # an ordinary word stays one
        (
            "We all get headaches when the gas heater is on. Could it be carbon monoxide?",
            "carbon monoxide poisoning",
        ),
    ],
)
def test_a_page_term_named_without_its_head_word_is_that_term(question: str, topic: str) -> None:
    reading = read_question(question, vocabulary=SHORT_NAMES)
    assert reading.topic is not None and reading.topic.name == topic


def test_a_choice_between_treatments_for_a_short_name_asks_treatment_and_outlook() -> None:
    carpal = read_question(
        "Wrist splint, steroid injection or release surgery for carpal tunnel, and how normal "
        "will the hand feel after surgery?",
        vocabulary=SHORT_NAMES,
    )
    assert carpal.intents == ("treatment", "prognosis")


def test_a_vignette_s_named_disease_is_the_topic_not_its_organs_or_places() -> None:
    vocabulary = _vocabulary(
        ("Spleen", False),
        ("New England", False),
        ("Babesiosis", True),
        ("Pelvis", False),
        ("Paget's Disease of Bone", True),
    )
    babesiosis = read_question(
        "A patient without a spleen is moving to coastal New England. How can she avoid "
        "babesiosis?",
        vocabulary=vocabulary,
    )
    assert babesiosis.topic is not None and babesiosis.topic.name == "babesiosis"
    assert "spleen" not in [c.name for c in babesiosis.concepts]
    paget = read_question(
        "An X-ray showed Paget's disease in my pelvis. What medicines are there?",
        vocabulary=vocabulary,
    )
    assert [c.name for c in paget.concepts] == ["paget's disease of bone"]
    assert [c.name for c in paget.asked_for] == ["pelvis"]


def test_an_organ_alone_is_still_the_topic() -> None:
    reading = read_question(
        "What can go wrong with the spleen?", vocabulary=_vocabulary(("Spleen", False))
    )
    assert [c.name for c in reading.concepts] == ["spleen"]


def test_symptoms_beside_a_named_disease_are_asked_about_not_required() -> None:
    vocabulary = _vocabulary(("Chiari Malformation", True), ("Headache", True), ("Cough", True))
    reading = read_question(
        "A young woman has a Chiari malformation with headaches and a cough. "
        "Is surgery the only option?",
        vocabulary=vocabulary,
    )
    assert [c.name for c in reading.concepts] == ["chiari malformation"]
    assert {"headache", "cough"} <= {c.name for c in reading.asked_for}


def test_the_condition_the_asking_sentence_names_is_the_topic_of_a_vignette() -> None:
    vocabulary = _vocabulary(("Noise", True), ("Falls", True), ("Stiff-Person Syndrome", True))
    reading = read_question(
        "A 45-year-old woman has rigidity, and sudden noises set off spasms that make her "
        "fall. How do we confirm stiff-person syndrome?",
        vocabulary=vocabulary,
    )
    assert [c.name for c in reading.concepts] == ["stiff-person syndrome"]


def test_a_sensation_is_not_read_as_the_condition_its_word_inflects() -> None:
    reading = read_question(
        "What helps a burning, numb patch on my thigh?", vocabulary=_vocabulary(("Burns", True))
    )
    assert "burns" not in [c.name for c in reading.concepts]


def test_a_focus_naming_the_condition_by_another_name_is_no_narrower_condition() -> None:
    from medcite.question.topic import NamedText

    focus = "Parasites - American Trypanosomiasis (also known as Chagas Disease)"
    vocabulary = _vocabulary(("Chagas Disease", True), (focus, True))
    reading = read_question("Who should be treated for Chagas disease?", vocabulary=vocabulary)
    topic = reading.topic
    assert topic is not None and topic.name == "chagas disease"
    assert topic.named_in(NamedText.of_subjects([focus], None))


def _described(*foci: FocusMatch) -> Callable[[str], list[FocusMatch]]:
    """What the engine's page match returns for a question (best score first), as measured
    on the demo corpus."""
    return lambda question: list(foci)


@pytest.mark.parametrize(
    ("foci", "inferred"),
    [
        # Raynaud's pages write 8 of the description's words, the next focus 6; BM25 barely
        # prefers them (49 vs 47): matched by what the pages write.
        (
            (FocusMatch("raynaud's disease", 49.0, 8), FocusMatch("hemolytic anemia", 47.0, 6)),
            "raynaud's disease",
        ),
        # A focus writing more words only far down the hits (no score) is no match.
        (
            (
                FocusMatch("hemolytic anemia", 47.0, 6),
                FocusMatch("frostbite", 40.0, 5),
                FocusMatch("raynaud's disease", 0.0, 8),
            ),
            "",
        ),
        # A score lead bought by a few rare words, the pages writing fewer of the
        # description's words than others (as "breast cancer" for an ovarian torsion): none.
        (
            (
                FocusMatch("raynaud's disease", 43.0, 2),
                FocusMatch("hemolytic anemia", 25.0, 3),
                FocusMatch("frostbite", 22.0, 4),
            ),
            "",
        ),
        # Neither leads nor covers clearly: no match.
        ((FocusMatch("raynaud's disease", 49.0, 7), FocusMatch("hemolytic anemia", 47.0, 6)), ""),
    ],
)
def test_a_description_is_matched_by_score_lead_or_by_the_words_its_pages_write(
    foci: tuple[FocusMatch, ...], inferred: str
) -> None:
    vocabulary = _vocabulary(
        ("Raynaud's Disease", True), ("Hemolytic Anemia", True), ("Frostbite", True)
    )
    reading = read_question(
        "In cold weather my fingers go dead white, then bluish, and when they warm up they "
        "turn red and throb. What can I do about it?",
        vocabulary=vocabulary,
        described=_described(*foci),
    )
    assert reading.inferred == inferred


def test_the_asking_sentence_keeps_an_abbreviated_name_whole() -> None:
    from medcite.question.reading import interrogative

    question = "She has cystitis. Is a fluoroquinolone right for uncomplicated E. coli cystitis?"
    assert interrogative(question) == (
        "Is a fluoroquinolone right for uncomplicated E. coli cystitis?"
    )


def test_a_story_of_symptoms_asking_about_this_is_about_the_story_not_the_symptom() -> None:
    vocabulary = _vocabulary(("Vomiting", False), ("Cyclic Vomiting Syndrome", True))
    foci = (FocusMatch("cyclic vomiting syndrome", 30.0, 3), FocusMatch("vomiting", 28.0, 3))
    reading = read_question(
        "After a barracuda dinner on holiday my lips are tingling and I'm vomiting. Is there a "
        "test for this?",
        vocabulary=vocabulary,
        described=_described(*foci),
    )
    assert not reading.inferred
    assert reading.topic is not None and reading.topic.kind == "words"
    assert "barracuda" in reading.topic.name
    assert "vomiting" in [c.name for c in reading.asked_for]


def test_of_two_named_conditions_the_one_the_whole_question_matches_is_the_topic() -> None:
    colitis, pyoderma = stem_key("Ulcerative Colitis"), stem_key("Pyoderma Gangrenosum")
    vocabulary = TopicVocabulary(
        {
            colitis: Term("ulcerative colitis", "condition", docs=17, keys=(colitis,), page=True),
            pyoderma: Term(
                "pyoderma gangrenosum", "condition", docs=3, keys=(pyoderma,), page=True
            ),
        }
    )
    foci = (  # the shin ulcer's words match the pyoderma pages best
        FocusMatch("pyoderma gangrenosum", 60.0, 6),
        FocusMatch("ulcerative colitis", 20.0, 3),
    )
    reading = read_question(
        "A patient with ulcerative colitis has a painful shin ulcer with a violaceous edge; "
        "biopsy shows pyoderma gangrenosum. What is first-line therapy?",
        vocabulary=vocabulary,
        described=_described(*foci),
    )
    assert reading.topic is not None and reading.topic.name == "pyoderma gangrenosum"


def test_british_spellings_name_the_american_terms() -> None:
    vocabulary = _vocabulary(("Hemangioma", True), ("Esophageal Cancer", True))
    for question, topic in [
        ("How is an infantile haemangioma treated?", "hemangioma"),
        ("What is the outlook for oesophageal cancer?", "esophageal cancer"),
    ]:
        reading = read_question(question, vocabulary=vocabulary)
        assert reading.topic is not None and reading.topic.name == topic


@pytest.mark.parametrize(
    ("question", "symptom"),
    [
        (
            "Every few months my son sleeps nearly all day for a week, then is normal again. "
            "What could cause this?",
            "sleep",
        ),
        (
            "My bladder aches as it fills and every urine culture is clear. What might this be?",
            "urine",
        ),
    ],
)
def test_a_body_function_told_in_a_story_is_asked_about_not_the_topic(
    question: str, symptom: str
) -> None:
    vocabulary = _vocabulary(("Sleep", False), ("Urine", False))
    reading = read_question(question, vocabulary=vocabulary, described=_described())
    assert reading.topic is not None and reading.topic.kind == "words"
    assert symptom in [c.name for c in reading.asked_for]
