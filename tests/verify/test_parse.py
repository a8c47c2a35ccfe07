from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcite.verify.parse import VerifyInputError, detect_format, parse_answer

MARKDOWN = """# Progressive multiple sclerosis

**Bottom line:** Ocrelizumab is the only FDA-approved therapy for primary progressive MS [1].

## Options
- Siponimod is approved for active secondary progressive MS.1,2
- Natalizumab reduces relapses² and may cause PML [2][3].
- Regular exercise helps fatigue in many patients.

## References
1. Montalban X, Hauser SL. Ocrelizumab versus placebo in primary progressive multiple \
sclerosis. N Engl J Med. 2017. PMID: 28002688
2. Kappos L et al. Siponimod versus placebo in secondary progressive multiple sclerosis. \
Lancet 2018.
3. https://pubmed.ncbi.nlm.nih.gov/12345678/
"""


def test_markdown_statements_citations_and_references() -> None:
    parsed = parse_answer(MARKDOWN)
    assert parsed.format == "markdown"
    texts = [s.text for s in parsed.statements]
    assert texts[0] == "Ocrelizumab is the only FDA-approved therapy for primary progressive MS."
    assert [s.citations for s in parsed.statements] == [[1], [1, 2], [2, 3], []]
    assert parsed.statements[1].text.endswith("progressive MS.")  # trailing "1,2" removed
    assert parsed.references[1].pmid == "28002688"
    assert parsed.references[2].title == (
        "Siponimod versus placebo in secondary progressive multiple sclerosis"
    )
    assert parsed.references[3].pmid == "12345678"
    assert not any("Progressive multiple sclerosis" == t for t in texts)  # heading skipped


def test_plain_text_with_trailing_reference_list() -> None:
    text = (
        "Gout flares are treated with colchicine or NSAIDs [1-2]. Allopurinol lowers urate "
        "over the long term [3].\n\n"
        "[1] Colchicine for acute gout. 2014. PMID: 11111111\n"
        "[2] NSAIDs in gout. 2016. PMID: 22222222\n"
        "[3] Allopurinol dosing. 2019. PMID: 33333333\n"
    )
    parsed = parse_answer(text, "text")
    assert [s.citations for s in parsed.statements] == [[1, 2], [3]]
    assert {r.pmid for r in parsed.references.values()} == {"11111111", "22222222", "33333333"}


def test_trailing_numbers_that_are_not_references_stay_in_the_text() -> None:
    parsed = parse_answer("The usual adult dose of the vaccine is given at age 65.", "text")
    assert parsed.statements[0].text.endswith("age 65.")
    assert parsed.statements[0].citations == []


def test_our_answer_json(answer_like: dict) -> None:
    parsed = parse_answer(json.dumps(answer_like))
    assert parsed.format == "json"
    assert parsed.statements[0].citations == [1]
    assert parsed.references[1].text == "Colchicine relieves gout flares."


def test_jsonl_statements_and_bad_lines() -> None:
    parsed = parse_answer(
        '{"id": "a", "statement": "Statins lower LDL."}\n\n'
        '{"id": "b", "statement": "Aspirin thins blood."}\n'
    )
    assert detect_format('{"id": 1, "statement": "x"}\n{"id": 2, "statement": "y"}') == "jsonl"
    assert [s.id for s in parsed.statements] == ["a", "b"]
    with pytest.raises(VerifyInputError, match="line 2"):
        parse_answer('{"id": "a", "statement": "ok then"}\n{"id": "b"}\n', "jsonl")


def test_empty_or_unknown_input_is_a_clear_error() -> None:
    with pytest.raises(VerifyInputError, match="no statements"):
        parse_answer("# Just a heading\n", "markdown")
    with pytest.raises(VerifyInputError, match="unknown format"):
        parse_answer("x", "docx")


@pytest.fixture
def answer_like() -> dict:
    return {
        "question": "How is gout treated?",
        "bottom_line": {
            "text": "Colchicine relieves gout flares.",
            "citations": [1],
            "support": "supported",
        },
        "sections": [
            {
                "title": "Options",
                "statements": [
                    {"text": "Allopurinol lowers urate.", "citations": [2], "support": "supported"}
                ],
            }
        ],
        "references": [
            {
                "n": 1,
                "doc_id": "pmid:1",
                "passage_id": "p1",
                "title": "Gout",
                "source": "J",
                "text": "Colchicine relieves gout flares.",
            },
            {
                "n": 2,
                "doc_id": "pmid:2",
                "passage_id": "p2",
                "title": "Urate",
                "source": "J",
                "text": "Allopurinol 100 mg daily lowers serum urate.",
            },
        ],
    }


ORACLE_PAGE = Path(__file__).parent / "data" / "oracle_style_ms.txt"


def test_an_outside_page_keeps_only_its_statements_and_reads_bare_citations() -> None:
    parsed = parse_answer(ORACLE_PAGE.read_text(encoding="utf-8"))
    texts = [s.text for s in parsed.statements]
    assert len(texts) == 8, texts
    chrome = ("Personalize", "Which best describes you", "Related questions", "Share", "Patient")
    assert not any(t.startswith(chrome) or "not medical advice" in t for t in texts)
    assert not any(t.endswith("?") for t in texts)  # the title and related questions ask
    assert parsed.references == {} and parsed.unlisted == [1, 2, 3, 4, 5]
    by_text = {s.text: s.citations for s in parsed.statements}
    first = (
        "Ocrelizumab is the only FDA-approved disease-modifying therapy for primary progressive MS"
    )
    assert by_text[first] == [1, 2]
    mitoxantrone = next(s for s in parsed.statements if s.text.startswith("Mitoxantrone"))
    assert mitoxantrone.citations == [3] and mitoxantrone.text.endswith("chronic MS.")
    assert parsed.skipped >= 15


def test_our_own_flags_and_trailing_citations_read_back() -> None:
    text = (
        "# How is gout treated?\n\n**Colchicine works best early.** [1]\n\n## Options\n\n"
        "- Allopurinol lowers uric acid levels over months. [1, 2] (not found in its sources)\n"
        "- Pegloticase is given by intravenous infusion. [2] (contradicted by a source; its "
        "sources are about another topic)\n\n## Warnings\n\n- The cited evidence is at least 7 "
        "years old (nothing newer than 2019).\n\n_Evidence currency: 2 undated source(s)._\n\n"
        "## References\n\n1. What are the treatments for Gout? — NIHSeniorHealth [consumer] "
        "http://nihseniorhealth.gov/gout/toc.html (ingested 2026-12-03)\n"
        "2. What is (are) Gout? — MedlinePlus [consumer]\n\n"
        "_Review status: draft — Educational purpose only • pending human review_\n"
    )
    parsed = parse_answer(text)
    assert [(s.text, s.citations) for s in parsed.statements] == [
        ("Colchicine works best early.", [1]),
        ("Allopurinol lowers uric acid levels over months.", [1, 2]),
        ("Pegloticase is given by intravenous infusion.", [2]),
    ]
    assert parsed.references[1].title == "What are the treatments for Gout?"
    assert parsed.unlisted == []
