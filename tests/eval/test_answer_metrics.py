"""The clinician-set metrics compute what they claim, on small hand-built answer dicts: each
case has an answer that passes and one that fails the rule."""

from __future__ import annotations

from typing import Any

import pytest

from medcite.eval import answer_metrics as m
from medcite.eval.answer_questions import Question
from medcite.eval.answers import aggregate_clinician, clinician_scores, text_table
from medcite.eval.report import EvalResult

GOUT_PAGE = "When NSAIDs or corticosteroids fail, the doctor may use another drug, colchicine."
CYSTITIS_PAGE = "Some people with interstitial cystitis have the bladder removed (cystectomy)."


def statement(text: str, *citations: int, passage: str | None = None) -> dict[str, Any]:
    evidence = [{"n": n, "quote": text, "passage_id": passage} for n in citations if passage]
    return {
        "text": text,
        "citations": list(citations),
        "support": "supported",
        "evidence": evidence,
    }


def reference(n: int, doc_id: str, title: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"n": n, "doc_id": doc_id, "passage_id": f"p{n}", "title": title, "text": text, **extra}


def answer(
    bottom: dict[str, Any],
    sections: list[tuple[str, str, list[dict[str, Any]]]] = (),  # type: ignore[assignment]
    references: list[dict[str, Any]] = (),  # type: ignore[assignment]
    **extra: Any,
) -> dict[str, Any]:
    return {
        "bottom_line": bottom,
        "sections": [{"kind": k, "title": t, "statements": s} for k, t, s in sections],
        "references": list(references),
        "warnings": [],
        **extra,
    }


GOUT_REF = reference(1, "medquad:gout-4", "What are the treatments for Gout?", GOUT_PAGE)
CYSTITIS_REF = reference(2, "medquad:ic-2", "Interstitial cystitis treatments", CYSTITIS_PAGE)


def test_key_fact_recall_counts_facts_with_any_alternative_in_the_statements() -> None:
    facts = [("colchicine",), ("allopurinol", "febuxostat"), (r"12 hours",)]
    full = answer(
        statement("Colchicine works best within the first 12 hours.", 1),
        [("first_line", "Treatment options", [statement("Febuxostat lowers uric acid.", 1)])],
        [GOUT_REF],
    )
    assert m.key_fact_recall(full, facts) == (1.0, [])
    # The reference text names colchicine, but only what the answer states counts.
    partial = answer(statement("Gout is painful.", 1), references=[GOUT_REF])
    recall, missed = m.key_fact_recall(partial, facts)
    assert recall == 0.0 and missed == facts


def test_a_key_fact_pattern_is_a_case_insensitive_regex_with_exact_parts() -> None:
    said = answer(statement("Check TSH 6 to 8 weeks later; ms is not MS.", 1))
    assert m.key_fact_recall(said, [(r"6 to 8 weeks",), (r"tsh",)])[0] == 1.0
    assert m.key_fact_recall(said, [(r"(?-i:Ms)",)])[0] == 0.0


def test_expected_source_is_cited_only_when_one_expected_document_is_a_reference() -> None:
    cited = answer(statement("x", 1), references=[GOUT_REF])
    assert m.expected_source_cited(cited, ["medquad:other", "medquad:gout-4"])
    assert not m.expected_source_cited(cited, ["medquad:other"])


def test_topic_lock_flags_statements_citing_another_conditions_page() -> None:
    topic = ["gout"]
    mixed = answer(
        statement("Colchicine is used.", 1),
        [("first_line", "Treatment options", [statement("The bladder is removed.", 2)])],
        [GOUT_REF, CYSTITIS_REF],
    )
    assert [s.text for s in m.off_topic_statements(mixed, topic)] == ["The bladder is removed."]
    assert m.topic_lock_rate(mixed, topic) == 0.5
    both = answer(
        statement("Colchicine, or cystectomy.", 1, 2), references=[GOUT_REF, CYSTITIS_REF]
    )
    assert m.topic_lock_rate(both, topic) == 0.0  # every cited reference must be on topic
    locked = answer(statement("Colchicine is used.", 1), references=[GOUT_REF])
    assert m.topic_lock_rate(locked, topic) == 1.0
    assert m.topic_lock_rate(answer(statement("Nothing cited.")), topic) is None


def test_topic_terms_are_found_in_any_cited_passage_of_a_reference() -> None:
    ref = reference(
        1,
        "pmid:1",
        "PubMed 1",
        "Sixty-two patients were studied.",
        passages=[{"passage_id": "p9", "text": "Lansoprazole 60 mg once daily."}],
    )
    assert m.topic_lock_rate(answer(statement("x", 1), references=[ref]), ["lansoprazole"]) == 1.0
    assert m.topic_lock_rate(answer(statement("x", 1), references=[ref]), ["omeprazole"]) == 0.0


def test_topic_read_checks_the_topic_the_question_was_read_as() -> None:
    def read_as(name: str) -> dict[str, Any]:
        topic = {"name": name, "kind": "condition"}
        return answer(statement("x"), question_reading={"topic": topic})

    terms = ["hepatocellular", "(?-i:\\bHCC\\b)"]
    assert m.topic_read(read_as("hepatocellular carcinoma"), terms)
    assert not m.topic_read(read_as("ultrasound"), terms)
    assert not m.topic_read(answer(statement("x")), terms)  # no reading recorded


def test_abstention_needs_the_declaration_and_an_uncited_bottom_line() -> None:
    honest = answer(
        statement("Insufficient evidence in this corpus to answer this question."),
        insufficient_evidence=True,
    )
    assert m.says_insufficient(honest) and m.abstained(honest)
    flagged_only = answer(statement("no such wording"), abstained=True)
    assert m.abstained(flagged_only)
    junk = answer(statement("Taken together, these data suggest HCMV latency.", 1))
    assert not m.says_insufficient(junk) and not m.abstained(junk)
    # Saying "insufficient" while building the bottom line from a cited passage is no abstention.
    dressed = answer(statement("Insufficient evidence; but the HCMV transcriptome varies.", 1))
    assert m.says_insufficient(dressed) and not m.abstained(dressed)


def test_names_missing_reads_statements_warnings_and_a_missing_field() -> None:
    groups = [("bupropion",), ("escitalopram",)]
    silent = answer(statement("Insufficient evidence in this corpus."))
    assert m.names_missing(silent, groups) is False
    warned = answer(statement("Insufficient evidence in this corpus."))
    warned["warnings"] = ["Nothing on bupropion with escitalopram."]
    assert m.names_missing(warned, groups) is True
    fielded = answer(statement("x"), missing=[{"what": "bupropion + escitalopram"}])
    assert m.names_missing(fielded, groups) is True
    assert m.names_missing(silent, []) is None


@pytest.mark.parametrize(
    "text",
    [
        "This drug is most effective when taken within the first 12 hours of an acute attack.",
        "However, in 2005 the drugs manufacturer voluntarily suspended marketing of the drug.",
        "These medicines include warfarin (Coumadin), dabigatran, heparin, and aspirin.",
        "This therapy raises the level of the AAT protein in your blood and lungs.",
        "It is the only drug approved by the U.S. Food and Drug Administration for HD.",
        "They also are used to treat asthma and COPD.",
        "The drug is given by infusion every four weeks.",
        "In these patients, the risk was higher.",
        "The disorder also may cause muscle weakness.",
        "Taken together, these data suggest that the HCMV transcriptome is isolate specific.",
    ],
)
def test_openings_without_their_antecedent_are_dangling(text: str) -> None:
    assert m.dangling(text)


@pytest.mark.parametrize(
    "text",
    [
        "Colchicine is most effective when taken within the first 12 hours of an acute attack.",
        "It is important to check with your doctor concerning the safety of these drugs.",
        "It is not clear if NSAIDs other than aspirin affect the risk.",
        "The drug Xyrem (sodium oxybate) was approved in July 2002 for treating cataplexy.",
        "The treatment of gout includes NSAIDs and colchicine.",
        "Theophylline is a bronchodilator; this statement names its drug first.",
        "The medication metformin is recommended for some individuals at very high risk.",
        "In addition to excessive daytime sleepiness, three other symptoms occur.",
    ],
)
def test_self_contained_statements_are_not_dangling(text: str) -> None:
    assert m.dangling(text) is None


@pytest.mark.parametrize(
    ("kind", "fits", "misfits"),
    [
        (
            "dosing",
            "Lansoprazole 60 mg once daily for 5 days.",
            "Lesions in mice resembled human NMO lesions.",
        ),
        (
            "emerging",
            "Researchers are studying an inhaled form of augmentation therapy.",
            "Natalizumab was shown in clinical trials to reduce attacks and was approved in 2004.",
        ),
        (
            "evidence_gap",
            "There is as yet no cure for MS.",
            "Beta interferon has been shown to reduce the number of exacerbations.",
        ),
        ("pre_treatment", "Before starting, screen for hepatitis B.", "Colchicine helps gout."),
        ("pitfalls", "Long-term use of prednisone can cause serious side effects.", "Rest helps."),
        ("interactions", "Rifampin lowers the levels of warfarin.", "Warfarin is a blood thinner."),
    ],
)
def test_section_fit_requires_the_sections_content(kind: str, fits: str, misfits: str) -> None:
    assert m.section_fit(kind, fits) is True
    assert m.section_fit(kind, misfits) is False


def test_emerging_refuses_approval_statements_not_approved_drugs_tried_elsewhere() -> None:
    trying = (
        "We aimed to investigate whether FTY720, the first approved oral therapy for MS, works."
    )
    assert m.section_fit("emerging", trying) is True
    assert m.section_fit("emerging", "Xyrem has been approved in clinical trials.") is False


def test_a_dose_of_another_diseases_drug_does_not_fit_dosing() -> None:
    other = answer(
        statement("x"),
        [("dosing", "Dosing", [statement("Firazyr is self-administered by injection.", 2)])],
        [GOUT_REF, CYSTITIS_REF],
    )
    shown = m.shown_statements(other)[1]
    assert m.section_fit(shown.section, shown.text) is True  # a route: the content fits
    assert m.fits_section(shown, other, ["gout"]) is False  # but not for the topic asked
    assert m.fits_section(shown, other, ["cystitis"]) is True


@pytest.mark.parametrize(
    ("text", "scaffold"),
    [
        ("OBJECTIVE To test whether exercise prevents postnatal depression.", True),
        ("Design, Setting, and Patients Phase 2, randomized, 26-week trial.", True),
        ("Objectives To compare oral semaglutide with placebo.", True),
        ("Results were similar in both groups.", False),
        ("Objective measures of sleep improved with CPAP.", False),
    ],
)
def test_abstract_scaffolding_is_recognised(text: str, scaffold: bool) -> None:
    assert m.scaffolding(text) is scaffold


def test_sections_without_a_content_rule_are_not_judged_and_titles_stand_in_for_kinds() -> None:
    assert m.section_fit("first_line", "anything") is None
    untyped = {
        "bottom_line": statement("x"),
        "sections": [{"title": "Dosing and administration", "statements": [statement("Rest.")]}],
    }
    shown = m.shown_statements(untyped)
    assert [s.section for s in shown] == ["bottom_line", "dosing"]
    assert m.section_fit(shown[1].section, shown[1].text) is False


def test_aspect_coverage_wants_a_section_or_an_explicit_not_found() -> None:
    prevention_only = answer(
        statement("x"), [("prevention", "Prevention", [statement("Topiramate prevents.")])]
    )
    assert m.aspect_coverage(prevention_only, ["prevention", "treatment"]) == {
        "prevention": True,
        "treatment": False,
    }
    declared = answer(
        statement("Acute treatment of an attack: not found in this corpus."),
        [("prevention", "Prevention", [statement("Topiramate prevents.")])],
    )
    assert m.aspect_coverage(declared, ["prevention", "treatment"])["treatment"] is True


def test_statements_carry_the_passage_their_evidence_names() -> None:
    cited = answer(statement("Colchicine.", 1, passage="p7"), references=[GOUT_REF])
    (shown,) = m.shown_statements(cited)
    assert shown.doc_ids == ("medquad:gout-4",) and shown.passage_ids == ("p7",)
    (fallback,) = m.shown_statements(answer(statement("Colchicine.", 1), references=[GOUT_REF]))
    assert fallback.passage_ids == ("p1",)


def _question(**fields: Any) -> Question:
    base = {
        "id": "q",
        "question": "How is gout treated?",
        "split": "dev",
        "answerable": True,
        "aspects": ("treatment",),
        "expected_documents": ("medquad:gout-4",),
        "key_facts": (("colchicine",), ("allopurinol",)),
        "topic_terms": ("gout",),
    }
    return Question(**(base | fields))  # type: ignore[arg-type]


def test_scores_and_aggregates_over_a_split() -> None:
    good = answer(
        statement("Colchicine is used for flares.", 1),
        [("dosing", "Dosing and administration", [statement("This drug works early.", 1)])],
        [GOUT_REF],
    )
    bad = answer(
        statement("The bladder is removed.", 2),
        [("evidence_gap", "The evidence gap", [statement("Colchicine helps.", 1)])],
        [GOUT_REF, CYSTITIS_REF],
    )
    junk = answer(statement("Taken together, HCMV latency varies.", 2), references=[CYSTITIS_REF])
    honest = answer(statement("Insufficient evidence in this corpus to answer this question."))
    unanswerable = _question(
        answerable=False,
        expected_documents=(),
        key_facts=(),
        topic_terms=("bupropion",),
        missing_terms=(("bupropion",),),
    )
    items = [
        clinician_scores(good, _question()) | {"latency_ms": 10.0, "search_ms": 1.0},
        clinician_scores(bad, _question()) | {"latency_ms": 30.0, "search_ms": 1.0},
        clinician_scores(junk, unanswerable) | {"latency_ms": 20.0, "search_ms": 1.0},
        clinician_scores(honest, unanswerable) | {"latency_ms": 40.0, "search_ms": 2.0},
    ]
    assert items[0]["dangling_statements"] == 1 and items[0]["section_misfits"] == 1
    assert items[1]["off_topic_statements"] == 1 and items[1]["expected_source_cited"] is True
    summary = aggregate_clinician(items)
    assert summary["key_fact_recall"] == 0.5  # colchicine stated twice, allopurinol never
    assert summary["expected_source_cited"] == 1.0
    assert summary["topic_lock"] == 3 / 4  # 4 cited statements of answerable questions
    assert summary["abstention"] == 0.5  # the junk bottom line is not an abstention
    assert summary["unrelated_statements_unanswerable"] == 0.5
    assert summary["names_missing"] == 0.0  # over the unanswerable questions
    assert summary["names_missing_part"] is None  # no answerable question lacks a part
    assert summary["dangling_share"] == 2 / 6  # "This drug…", "Taken together, …"
    assert summary["section_fit"] == 0.0  # "This drug works early." has no dose; "helps" no gap
    assert summary["latency_ms_p50"] in (20.0, 30.0) and summary["latency_ms_p95"] == 40.0
    assert summary["latency_over_search_p50"] == summary["latency_ms_p50"] / 1.0
    table = text_table(EvalResult("answers", "x", {"dev": summary}))
    assert table.splitlines()[0].split() == ["metric", "dev"]
    assert "abstention" in table and "0.500" in table
