"""MedQuAD JSONL: ``{"id","source","url","focus","question","qtype","answer"}`` per line.

- doc_id ``medquad:<id>``, collection "medquad", evidence level CONSUMER;
- title: the question, tidied ("What is (are) X ?" becomes "What is (are) X?");
- text: the answer exactly as given (its line breaks and "- " bullets feed the chunker);
- source: the agency's readable name (``AGENCIES``), unknown agencies as given;
- url as given; metadata ``focus``, ``qtype``, the raw ``question`` and ``not_after_year``
  (the pages are undated; the collection's publication year bounds their age).

Required: ``id``, ``question``, ``answer``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medcite.models import Document, IngestProblem
from medcite.sources.common import (
    body_or_title,
    optional_str,
    read_jsonl,
    required_id,
    required_str,
)
from medcite.sources.evidence import evidence_level

MEDQUAD_PUBLISHED = 2019
AGENCIES: dict[str, str] = {
    "CancerGov": "National Cancer Institute",
    "GARD": "GARD",
    "GHR": "Genetics Home Reference",
    "MPlusHealthTopics": "MedlinePlus",
    "NIDDK": "NIDDK",
    "NINDS": "NINDS",
    "NIHSeniorHealth": "NIHSeniorHealth",
    "NHLBI": "NHLBI",
    "CDC": "CDC",
}

# MedQuAD templates put a space before "?" and sometimes double it: "X? ?".
_SPACED_QUESTION_MARKS = re.compile(r"\s*\?(?:\s*\?)*")


def read_medquad(path: Path) -> Iterator[Document | IngestProblem]:
    """Yield a `Document` per QA pair and an `IngestProblem` per bad line."""
    return read_jsonl(path, _document)


def tidy_question(question: str) -> str:
    """``"What is (are) X ?"`` → ``"What is (are) X?"``; other text unchanged but stripped."""
    return _SPACED_QUESTION_MARKS.sub("?", question.strip())


def _document(record: dict[str, Any]) -> Document:
    record_id = required_id(record, "id")
    question = required_str(record, "question")
    answer = required_str(record, "answer")
    title = tidy_question(question)
    text, metadata = body_or_title(answer, title)
    agency = optional_str(record, "source") or "MedQuAD"
    return Document(
        doc_id=f"medquad:{record_id}",
        collection="medquad",
        title=title,
        text=text,
        source=AGENCIES.get(agency, agency),
        url=optional_str(record, "url"),
        evidence_level=evidence_level((), "medquad", title, text),
        metadata={
            **metadata,
            "focus": optional_str(record, "focus"),
            "qtype": optional_str(record, "qtype"),
            "question": question,
            # The pages carry no dates; the collection was published in 2019 (Ben Abacha &
            # Demner-Fushman, BMC Bioinformatics 20:511), so no text is newer than that.
            "not_after_year": MEDQUAD_PUBLISHED,
        },
    )
