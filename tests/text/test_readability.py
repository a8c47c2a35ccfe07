"""The Flesch-Kincaid grade counts exactly as textstat 0.7.4 (the reference) on real text."""

from __future__ import annotations

import textstat

from medcite.service import Engine
from medcite.text.readability import fk_grade


def reference(text: str) -> float | None:
    """textstat's grade, as medcite used it (none for text without words)."""
    return round(float(textstat.flesch_kincaid_grade(text)), 2) if text.strip() else None


def test_grades_equal_textstat_on_corpus_passages_and_answers(reader_engine: Engine) -> None:
    texts = [
        hit.passage.text
        for q in ("gout", "multiple sclerosis", "vaccine storage")
        for hit in reader_engine.search(q, k=60, mode="bm25")
    ]
    texts += [s for text in texts for s in text.split(". ")]  # single sentences too
    answer = reader_engine.ask("How is gout treated?", audience="patient")
    texts.append("\n".join(s.text for sec in answer.sections for s in sec.statements))
    texts += [
        "Don't stop; it's fine (mostly)... Really?! Yes.",
        "Dose: 5 mg/kg IV q8h, i.e. 15 mg/kg/day.",
        "One. Two words. Three short words here.",
        "naïve café résumé — “quoted” text",
    ]
    assert len(texts) > 300
    mismatches = [(t, fk_grade(t), reference(t)) for t in texts if fk_grade(t) != reference(t)]
    assert mismatches == []


def test_no_words_no_grade() -> None:
    assert fk_grade("") is None and fk_grade("  ...  ?!") is None
