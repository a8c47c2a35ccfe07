"""An article's cited evidence is re-read from the corpus: a forged passage, quote or URL is
refused when a version is created or revised, naming the reference."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from medcite.library import Actor, InvalidRequest, Library

FORGED = "Colchicine 40 mg every hour until the pain stops."


def _forge_passage_text(answer: dict[str, Any]) -> tuple[int, str]:
    """The first reference's text (and its first listed passage) replaced, as in the issue."""
    ref = answer["references"][0]
    ref["text"] = FORGED
    ref["passages"][0]["text"] = FORGED
    answer["bottom_line"]["text"] = FORGED
    return ref["n"], ref["passage_id"]


def _forge_later_passage(answer: dict[str, Any]) -> tuple[int, str]:
    """Only a passage listed after the first (the reference's own text left alone)."""
    ref = next(r for r in answer["references"] if len(r["passages"]) > 1)
    ref["passages"][-1]["text"] += " Double the dose."
    return ref["n"], ref["passages"][-1]["passage_id"]


def _forge_url(answer: dict[str, Any]) -> tuple[int, str]:
    ref = answer["references"][0]
    ref["url"] = "javascript:alert(1)"
    return ref["n"], ref["passage_id"]


def _forge_provenance_url(answer: dict[str, Any]) -> tuple[int, str]:
    ref = answer["references"][0]
    ref["passages"][0]["provenance"]["url"] = "https://evil.example/colchicine"
    return ref["n"], ref["passage_id"]


def _forge_quote(answer: dict[str, Any]) -> tuple[int, str]:
    evidence = next(e for e in answer["bottom_line"]["evidence"] if e["quote"])
    evidence["quote"] = FORGED
    return evidence["n"], evidence["passage_id"]


def _foreign_passage(answer: dict[str, Any]) -> tuple[int, str]:
    """A passage id the corpus does not hold."""
    ref = answer["references"][0]
    ref["passage_id"] = ref["passages"][0]["passage_id"] = "0" * 24
    return ref["n"], ref["passage_id"]


def _passage_of_another_document(answer: dict[str, Any]) -> tuple[int, str]:
    first, second = answer["references"][:2]
    first["doc_id"] = second["doc_id"]
    return first["n"], first["passage_id"]


FORGERIES = {
    "passage text": (_forge_passage_text, "the text differs from the corpus passage"),
    "a later passage": (_forge_later_passage, "the text differs from the corpus passage"),
    "url": (_forge_url, "the URL is not the corpus document's"),
    "provenance url": (_forge_provenance_url, "provenance url is not the corpus document's"),
    "evidence quote": (_forge_quote, "the evidence quote is not that span"),
    "unknown passage": (_foreign_passage, "no such passage in the corpus"),
    "other document": (_passage_of_another_document, "the passage is from"),
}


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_a_forged_draft_is_refused_naming_the_reference(
    library: Library,
    people: dict[str, Actor],
    real_answer: dict[str, Any],
    forgery: str,
) -> None:
    forge, problem = FORGERIES[forgery]
    answer = copy.deepcopy(real_answer)
    n, passage_id = forge(answer)
    with pytest.raises(InvalidRequest, match=problem) as refused:
        library.create_draft(people["editor"], answer=answer)
    assert str(refused.value).startswith(f"reference [{n}], passage {passage_id}: ")
    assert refused.value.http_status == 422
    assert library.articles(people["editor"]).total == 0  # nothing stored


def test_the_genuine_answer_is_accepted_and_its_passages_stored_as_the_corpus_has_them(
    library: Library, people: dict[str, Actor], real_answer: dict[str, Any]
) -> None:
    draft = library.create_draft(people["editor"], answer=real_answer)
    shown = library.version(people["reviewer"], draft.id, 1)
    texts = {p["passage_id"]: p["text"] for s in shown["statements"] for p in s["passages"]}
    listed = {p["passage_id"]: p["text"] for r in real_answer["references"] for p in r["passages"]}
    assert texts and texts.items() <= listed.items()


def test_a_forged_revision_is_refused_and_the_article_keeps_its_version(
    library: Library, people: dict[str, Actor], answer_for: Callable[[str], dict[str, Any]]
) -> None:
    question = "How is relapsing multiple sclerosis treated?"
    draft = library.create_draft(people["editor"], answer=answer_for(question))
    forged = answer_for(question)
    n, passage_id = _forge_passage_text(forged)
    with pytest.raises(InvalidRequest, match=rf"reference \[{n}\], passage {passage_id}"):
        library.revise(people["editor"], draft.id, forged, version=1)
    assert library.article(people["editor"], draft.id).current_version == 1


@pytest.mark.parametrize(
    "evidence",
    [
        "not a list",
        [{"n": [1], "passage_id": "x", "quote": "q"}],
        [{"n": 1, "passage_id": ["x"], "quote": "q"}],
        [{"n": 1, "quote": "a quote naming no passage"}],
        [{"n": 1, "passage_id": None, "quote": "q", "start": "0", "end": 1}],
    ],
    ids=["string", "list number", "list passage", "no passage", "no passage id"],
)
def test_malformed_evidence_is_a_named_refusal_or_ignored_never_a_crash(
    library: Library, people: dict[str, Actor], answer_for, evidence: object
) -> None:
    answer = answer_for(f"Is gout treatable ({evidence!r})?")
    answer["bottom_line"]["evidence"] = evidence
    try:
        library.create_draft(people["editor"], answer=answer)
    except InvalidRequest as refused:
        assert str(refused).startswith("reference [")
