"""Evidence levels: publication types first, then collection, then title/text cues."""

from __future__ import annotations

import pytest

from medcite.models import EvidenceLevel as L
from medcite.sources.evidence import evidence_level


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["Journal Article", "Practice Guideline"], L.GUIDELINE),
        (["Review", "Meta-Analysis"], L.SYSTEMATIC_REVIEW),
        (["Journal Article", "Systematic Review"], L.SYSTEMATIC_REVIEW),
        # The real types of PMID 29768149 (NEJM, SYGMA 1): RCT beats Comparative Study.
        (["Clinical Trial, Phase III", "Comparative Study", "Randomized Controlled Trial"], L.RCT),
        (["clinical trial, phase iii"], L.RCT),
        (["Observational Study", "Research Support, Non-U.S. Gov't"], L.COHORT),
        (["Clinical Trial"], L.COHORT),
        (["Case Reports"], L.CASE),
        (["Journal Article", "Review"], L.REVIEW),
        (["Journal Article"], L.OTHER),
        (["Drug Label"], L.LABEL),
    ],
)
def test_publication_types_decide(types: list[str], expected: L) -> None:
    assert evidence_level(types, "pubmed") == expected


def test_known_publication_types_outrank_cues_and_unknown_ones_do_not() -> None:
    assert evidence_level(["Case Reports"], "pubmed", title="A randomized trial") == L.CASE
    assert evidence_level(["Journal Article"], "pubmed", title="A randomized trial") == L.RCT


def test_collections_decide_when_there_are_no_types() -> None:
    assert evidence_level([], "medquad", "What is (are) gout?", "A meta-analysis showed") == (
        L.CONSUMER
    )
    assert evidence_level([], "DailyMed", "Lipitor label") == L.LABEL
    assert evidence_level(["Randomized Controlled Trial"], "medquad") == L.RCT


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Consensus guidelines for the detection of immunogenic cell death.", "", L.GUIDELINE),
        ("National study of adherence to prevention guidelines.", "", L.OTHER),
        ("Statins and dementia: a systematic review and meta-analysis", "", L.SYSTEMATIC_REVIEW),
        ("", "We performed a meta-analysis of 12 cohorts.", L.SYSTEMATIC_REVIEW),
        ("", "In this randomised, double-blind, placebo-controlled trial, we ...", L.RCT),
        ("", "Patients were randomized to two arms.", L.RCT),
        ("", "Previous randomized trials disagreed. We measured levels in mice.", L.OTHER),
        ("", "A prospective cohort of 5000 nurses was followed.", L.COHORT),
        ("A case of paraquat intoxication caused by intravenous injection.", "", L.CASE),
        ("", "We report a case of late-onset disease.", L.CASE),
        ("", "In the case of mice, levels rose.", L.OTHER),
        ("Diabetes and breast cancer: a review of the current evidence.", "", L.REVIEW),
        ("", "This review of the literature ...", L.OTHER),  # "review" counts in titles only
        ("", "", L.OTHER),
    ],
)
def test_cues_when_nothing_else_decides(title: str, text: str, expected: L) -> None:
    assert evidence_level([], "scifact", title, text) == expected


def test_title_cue_wins_over_a_stronger_text_cue() -> None:
    title = "Aspirin after stroke: a randomized trial"
    text = "Earlier meta-analyses were inconclusive. Patients were randomly assigned."
    assert evidence_level([], "pubmedqa", title, text) == L.RCT
