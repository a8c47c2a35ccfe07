from __future__ import annotations

import pytest

from medcite.question.intent import analyse, classify_intent


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("What are the treatment options for progressive multiple sclerosis?", "treatment"),
        ("What is the dose of methotrexate for rheumatoid arthritis?", "dosing"),
        ("How is multiple sclerosis diagnosed?", "diagnosis"),
        ("What are the side effects of natalizumab?", "adverse_effects"),
        ("Is sertraline safe with tramadol?", "interactions"),
        ("What is the outlook for ALS?", "prognosis"),
        ("What causes gout?", "cause"),
        ("Which genetic defect underlies cystic fibrosis?", "cause"),
        ("Is gene therapy available for hemophilia?", "treatment"),
        ("What is sarcoidosis?", "definition"),
        # how people ask about inheritance and follow-up
        ("Is it passed down in families?", "cause"),
        ("Does rosacea run in families?", "cause"),
        ("Is this the heritable form?", "cause"),
        ("How should the child be followed up?", "monitoring"),
        # common ways of asking for a test, a prognosis, a prevention or a treatment
        ("Which tests confirm peripheral arterial disease?", "diagnosis"),
        ("How is nutcracker syndrome confirmed?", "diagnosis"),
        ("Is there a test for ciguatera?", "diagnosis"),
        ("Will I ever be free of it?", "prognosis"),
        ("Does it usually settle completely?", "prognosis"),
        ("How do we head off the next episode?", "prevention"),
        ("How can his coworkers be protected?", "prevention"),
        ("What can be given at the first warning signs?", "treatment"),
        ("Will she need surgery?", "treatment"),
        ("Does charcoal hemoperfusion protect the kidneys?", "evidence"),
        ("What can we give her?", "treatment"),
        ("What will the dentist do about it?", "treatment"),
        ("Can anything be done?", "treatment"),
        ("How do we bring down the red cell mass?", "treatment"),
        ("What slows progression?", "treatment"),
        ("Is he likely to get better?", "prognosis"),
        ("Can it come back?", "prognosis"),
        ("What happens if we just watch it?", "prognosis"),
        ("What raised his risk?", "cause"),
        ("Could the cat have caused it?", "cause"),
        ("Why are mostly males affected?", "cause"),
        ("How would a doctor know if we'd been infected?", "diagnosis"),
        ("Could it be carbon monoxide?", "diagnosis"),
        ("What can go wrong after a knee replacement?", "adverse_effects"),
        ("How do we stop it happening again?", "prevention"),
        ("Do some infants' tumours disappear without any treatment?", "prognosis"),
        ("What happens if it is left untreated?", "prognosis"),
    ],
)
def test_intent(question: str, intent: str) -> None:
    assert classify_intent(question) == intent


def test_subgroups_and_topic_come_apart() -> None:
    a = analyse(
        "What are the treatment options for progressive multiple sclerosis "
        "(primary-progressive and secondary-progressive)?"
    )
    assert [g.label for g in a.subgroups] == ["primary-progressive", "secondary-progressive"]
    assert a.subgroups[0].stems == ("primary", "progressive")
    assert a.topic_stems == ("progressive", "multiple", "sclerosis")


def test_yes_no_research_questions_ask_for_findings() -> None:
    assert classify_intent("Does vitamin D deficiency increase the risk of MS?") == "evidence"
    assert classify_intent("Is aspirin effective for primary prevention?") != "evidence"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("What medicines can I give a patient with gout?", "treatment"),
        ("Which antibiotic is used for Lyme disease?", "treatment"),
        ("Which patients with heart failure should take digoxin?", "treatment"),
        ("What would you recommend for a patient with psoriasis?", "treatment"),
        ("What is the standard prophylaxis for cluster headache?", "prevention"),
    ],
)
def test_asking_for_a_kind_of_therapy_is_read_as_treatment_or_prevention(
    question: str, intent: str
) -> None:
    assert classify_intent(question) == intent


def test_a_diagnosis_told_as_history_is_not_a_diagnosis_question() -> None:
    from medcite.question.aspects import read_aspects

    aspects = read_aspects(
        "A 19-year-old has just been diagnosed with Wilson disease. Which drug do we start with?"
    )
    assert [a.intent for a in aspects] == ["treatment"]
    assert classify_intent("How is Wilson disease diagnosed?") == "diagnosis"


def test_blood_flow_is_no_test_but_a_blood_test_is() -> None:
    from medcite.question.intent import CUE

    assert not CUE["diagnosis"].search(
        "Your doctor may recommend bypass grafting surgery if blood flow in your limb is blocked."
    )
    assert CUE["diagnosis"].search("A blood test can show whether you are anemic.")


def test_a_conditional_tail_does_not_decide_what_a_clause_asks() -> None:
    from medcite.question.aspects import read_aspects

    aspects = read_aspects(
        "A camper woke up with a bat in his tent. What post-exposure shots does he need, and "
        "what is the outlook if rabies symptoms start before he is treated?"
    )
    assert [a.intent for a in aspects] == ["prevention", "prognosis"]


def test_a_choice_between_treatments_is_one_treatment_aspect() -> None:
    from medcite.question.aspects import read_aspects

    aspects = read_aspects(
        "Moyamoya in a 7-year-old with repeated TIAs: surgery or medicines, and how do "
        "children do afterwards?"
    )
    assert [a.intent for a in aspects] == ["treatment", "prognosis"]
