"""References by source on real corpus documents: one number per document with every cited
passage under it, dates as the sources give them, and what "last updated" means."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import jsonschema

from medcite.compose.markdown import to_markdown
from medcite.compose.references import (
    BASIS_GENERATED,
    BASIS_INGESTED,
    BASIS_SOURCE_DATE,
    ReferenceNumbering,
    last_updated,
)
from medcite.config import DEMO_QUESTION
from medcite.ingest.chunk import chunk_document
from medcite.models import Document, Hit, document_date
from medcite.service import Engine
from medcite.sources.read import read_documents


def _statements(answer: dict) -> list[dict]:
    return [answer["bottom_line"], *(s for sec in answer["sections"] for s in sec["statements"])]


def test_passages_of_one_document_share_its_number(engine: Engine) -> None:
    hits = engine.search(DEMO_QUESTION, k=20)
    per_doc = Counter(h.document.doc_id for h in hits)
    doc_id = next(d for d, count in per_doc.most_common() if count >= 2)
    same = [h for h in hits if h.document.doc_id == doc_id]
    other = next(h for h in hits if h.document.doc_id != doc_id)
    numbering = ReferenceNumbering()
    numbers = [numbering.number(h) for h in (same[1], other, same[0], same[1])]
    assert numbers == [1, 2, 1, 1]
    first, second = numbering.references
    assert (first.n, first.document.doc_id, second.n) == (1, doc_id, 2)
    # every cited passage once, in order of first use; the first is passage_id/text
    assert [p.passage_id for p in first.passages] == [
        same[1].passage.passage_id,
        same[0].passage.passage_id,
    ]
    data = first.to_dict()
    assert data["passage_id"] == same[1].passage.passage_id and data["text"] == same[1].passage.text
    assert [p["text"] for p in data["passages"]] == [same[1].passage.text, same[0].passage.text]


def test_seed_answer_numbers_sources_not_passages(engine: Engine, answer_schema: dict) -> None:
    answer = engine.answer(DEMO_QUESTION, live=True)
    data = answer.to_dict()
    jsonschema.validate(data, answer_schema)
    doc_ids = [r["doc_id"] for r in data["references"]]
    assert len(doc_ids) == len(set(doc_ids)), doc_ids
    # the NINDS treatment page is cited for several of its passages, all under one number
    several = [r for r in data["references"] if len(r["passages"]) > 1]
    assert several, [(r["n"], r["doc_id"]) for r in data["references"]]
    for ref in data["references"]:
        assert (ref["passage_id"], ref["text"]) == (
            ref["passages"][0]["passage_id"],
            ref["passages"][0]["text"],
        )
        for cited in ref["passages"]:  # exactly the stored text
            passage, document = engine.passage(cited["passage_id"])
            assert (passage.text, document.doc_id) == (cited["text"], ref["doc_id"])
        assert ref["date"] is None and ref["collection"] == "medquad"  # MedQuAD pages are undated
    # each statement's evidence says which passage of its source it quotes
    passages = {
        r["n"]: {p["passage_id"]: p["text"] for p in r["passages"]} for r in data["references"]
    }
    named = set()
    for statement in _statements(data):
        for evidence in statement["evidence"]:
            assert evidence["n"] in statement["citations"]
            assert evidence["quote"] in passages[evidence["n"]][evidence["passage_id"]]
            named.add((evidence["n"], evidence["passage_id"]))
    assert named == {(n, pid) for n, ids in passages.items() for pid in ids}


def test_warnings_come_before_the_content(engine: Engine) -> None:
    answer = engine.answer(DEMO_QUESTION, live=True)
    keys = list(answer.to_dict())
    assert keys.index("warnings") < keys.index("bottom_line") < keys.index("sections")
    markdown = to_markdown(answer)
    subgroup = next(w for w in answer.warnings if "primary-progressive" in w)
    assert markdown.index(subgroup) < markdown.index(answer.bottom_line.text)
    assert markdown.index("## Warnings") < markdown.index(f"## {answer.sections[0].title}")


def test_markdown_lists_each_source_once_with_its_year_and_passages(engine: Engine) -> None:
    answer = engine.answer("What is the effect of statins on mortality?", live=True)
    assert any(len(r.passages) > 1 for r in answer.references)
    lines = to_markdown(answer).splitlines()
    listed = lines[lines.index("## References") :]
    for ref in answer.references:
        doc = ref.document
        (line,) = [x for x in listed if x.startswith(f"{ref.n}. ")]
        assert f"{doc.title} — {doc.source}, {doc.year or 'undated'} [" in line
        below = listed[listed.index(line) + 1 :]
        end = next((i for i, x in enumerate(below) if x[:1].isdigit()), len(below))
        quoted = [x.removeprefix("    > ") for x in below[:end] if x.startswith("    > ")]
        expected = [
            line
            for p in ref.passages
            for line in ([f"*{p.section}*"] if p.section else []) + p.text.splitlines()
            if line
        ]
        assert quoted == expected  # each passage exactly as stored, under its heading
    assert any(ref.document.year for ref in answer.references)


def test_dates_are_what_the_sources_say(shared_data: Path, engine: Engine) -> None:
    label = next(
        iter(read_documents(shared_data / "fda_spl_samples" / "openfda__lipitor-orig.xml"))
    )
    assert isinstance(label, Document) and document_date(label) == "2014-01-13"
    pubmed = engine.document("pmid:24793469")
    assert pubmed.year and document_date(pubmed) == str(pubmed.year)
    medquad = engine.document("medquad:6_NINDS_QA/0000202-2")
    assert medquad.year is None and document_date(medquad) is None  # never invented


def test_last_updated_is_the_sources_not_today(engine: Engine) -> None:
    answer = engine.answer(DEMO_QUESTION, live=True)
    newest = max(r.document.ingested_at or "" for r in answer.references)
    assert answer.review is not None
    assert (answer.review["last_updated"], answer.review["last_updated_basis"]) == (
        newest,
        BASIS_INGESTED,
    )
    assert answer.review["last_updated"] != answer.generated_at
    assert f"_Last updated {newest[:10]} (newest ingest of its sources)_" in to_markdown(answer)
    # documents not read from a store have no ingest time: their newest source date counts
    never_stored = [
        Hit(1, 1.0, chunk_document(doc)[0], replace(doc, ingested_at=None))
        for doc in (
            engine.document("pmid:24793469"),
            engine.document("medquad:6_NINDS_QA/0000202-2"),
        )
    ]
    numbering = ReferenceNumbering()
    for hit in never_stored:
        numbering.number(hit)
    generated = "2030-01-01T00:00:00+00:00"
    year = str(engine.document("pmid:24793469").year)
    assert last_updated(numbering.references, generated) == (year, BASIS_SOURCE_DATE)
    assert last_updated(numbering.references[1:], generated) == (generated, BASIS_GENERATED)
