"""Re-ingesting a changed source sends the approved articles that cite it back to review."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from medcite.config import Settings
from medcite.library import Actor, Conflict, Library
from medcite.library.schema import CitedPassage
from medcite.models import sha256_hex
from medcite.service import Engine

GOUT = "Gout is an inflammatory arthritis caused by urate crystals in the joints."
DOCS = [
    {
        "id": "g1",
        "title": "Treatment of acute gout",
        "text": f"{GOUT} Colchicine, NSAIDs and corticosteroids are first-line treatments "
        "for acute gout flares. Treatment should start within 24 hours of flare onset.",
        "year": 2020,
    },
    {
        "id": "g2",
        "title": "Urate-lowering therapy in gout",
        "text": "Allopurinol is the first-line urate-lowering therapy for patients with gout. "
        "Febuxostat is an alternative when allopurinol is not tolerated.",
        "year": 2021,
    },
    {
        "id": "m1",
        "title": "Migraine prevention",
        "text": "Topiramate and propranolol reduce the frequency of migraine attacks.",
        "year": 2019,
    },
]
QUESTION = "What are the treatment options for gout?"
MS_QUESTION = "What are the treatment options for progressive multiple sclerosis?"


@pytest.fixture
def library_settings(tmp_path: Path, library_url: str) -> Settings:
    """The library checks evidence against the corpus these tests ingest into its home."""
    return Settings(home=tmp_path / "home", database_url=library_url)


def _approve(library: Library, people: dict[str, Actor], answer: dict) -> int:
    article = library.create_draft(people["editor"], answer=answer)
    library.transition(people["editor"], article.id, "submitted", version=1)
    library.transition(people["reviewer"], article.id, "under_review", version=1)
    library.transition(people["reviewer"], article.id, "approved", version=1)
    return article.id


def test_reingest_of_a_changed_passage_sends_the_article_back_to_review(
    library_settings: Settings,
    library: Library,
    people: dict[str, Actor],
    tmp_path: Path,
    write_jsonl: Callable[[Path, list[object]], Path],
) -> None:
    corpus = write_jsonl(tmp_path / "gout.jsonl", DOCS)
    with Engine(library_settings) as engine:
        engine.ingest([corpus])
        assert engine.stale_articles == []
        answer = engine.answer(QUESTION, live=True).to_dict()
        cited = {r["doc_id"] for r in answer["references"]}
        assert cited and cited <= {"jsonl:g1", "jsonl:g2"}
        article_id = _approve(library, people, answer)
        engine.ingest([corpus])  # unchanged corpus: nothing goes stale
        assert engine.stale_articles == []
        assert library.article(None, article_id).status == "approved"

        target = sorted(cited)[0]
        changed = [
            {**d, "text": d["text"].replace("first-line", "second-line")}
            if f"jsonl:{d['id']}" == target
            else d
            for d in DOCS
        ]
        engine.ingest([write_jsonl(tmp_path / "gout.jsonl", changed)])
        assert [s.article_id for s in engine.stale_articles] == [article_id]

    public = library.article(None, article_id)
    assert public.status == "under_review"
    assert f"of {target} changed on re-ingest" in public.stale_reason
    assert public.answer["review"]["label"].startswith("Under review: passage [")
    assert library.approved_answer(QUESTION, "clinician") is None
    staleness = [e for e in public.events if e["kind"] == "staleness"]
    assert [(e["from"], e["to"]) for e in staleness] == [("approved", "under_review")]
    assert staleness[0]["comment"] == public.stale_reason
    queue = library.review_queue(people["reviewer"])
    assert [a.id for a in queue.items] == [article_id]


def test_a_removed_document_is_reported_as_gone(
    library_settings: Settings,
    library: Library,
    people: dict[str, Actor],
    tmp_path: Path,
    write_jsonl: Callable[[Path, list[object]], Path],
) -> None:
    with Engine(library_settings) as engine:
        engine.ingest([write_jsonl(tmp_path / "gout.jsonl", DOCS)])
        answer = engine.answer(QUESTION, live=True).to_dict()
    article_id = _approve(library, people, answer)
    gone = answer["references"][0]["doc_id"]
    # A fresh data directory without that document stands in for a source withdrawn upstream.
    rebuilt = library_settings.model_copy(update={"home": tmp_path / "rebuilt"})
    with Engine(rebuilt) as engine:
        kept = [d for d in DOCS if f"jsonl:{d['id']}" != gone]
        engine.ingest([write_jsonl(tmp_path / "kept.jsonl", kept)])
        assert [s.article_id for s in engine.stale_articles] == [article_id]
    reason = library.article(people["reviewer"], article_id).stale_reason
    assert f"of {gone} is gone" in reason


def test_every_passage_of_a_source_is_stored_and_watched(
    library_settings: Settings,
    library: Library,
    people: dict[str, Actor],
    tmp_path: Path,
    shared_data: Path,
    write_jsonl: Callable[[Path, list[object]], Path],
) -> None:
    """One reference per source: each of its cited passages is kept (with its hash) and a
    change to any of them, not only the first, sends the approved article back to review."""
    with (shared_data / "medquad" / "medquad.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if "multiple sclerosis" in line.lower()]
    with Engine(library_settings) as engine:
        engine.ingest([write_jsonl(tmp_path / "ms.jsonl", rows)])
        answer = engine.answer(MS_QUESTION, live=True).to_dict()
    source = next(r for r in answer["references"] if len(r["passages"]) > 1)
    article_id = _approve(library, people, answer)
    with library.db.reading() as session:
        stored = {
            c.passage_id: (c.doc_id, c.text, c.content_hash)
            for c in session.scalars(select(CitedPassage))
        }
    assert stored == {
        p["passage_id"]: (r["doc_id"], p["text"], sha256_hex(p["text"]))
        for r in answer["references"]
        for p in r["passages"]
    }

    later = source["passages"][-1]["text"]  # not the reference's first passage
    record = source["doc_id"].removeprefix("medquad:")
    word = next(w for w in later.split() if len(w) > 6 and later.count(w) == 1)
    changed = [
        {**r, "answer": r["answer"].replace(word, word.upper())} if r["id"] == record else r
        for r in rows
    ]
    with Engine(library_settings) as engine:
        engine.ingest([write_jsonl(tmp_path / "ms.jsonl", changed)])
        assert [s.article_id for s in engine.stale_articles] == [article_id]
    reason = library.article(people["reviewer"], article_id).stale_reason
    assert f"passage [{source['n']}] of {source['doc_id']} changed on re-ingest" in reason


def test_approval_rechecks_the_cited_passages_against_the_corpus(
    library_settings: Settings,
    library: Library,
    people: dict[str, Actor],
    tmp_path: Path,
    write_jsonl: Callable[[Path, list[object]], Path],
) -> None:
    """A passage that changed in the corpus after the version was submitted (re-ingested
    while the article waited, so no staleness check saw it) refuses the approval, 409."""
    with Engine(library_settings) as engine:
        engine.ingest([write_jsonl(tmp_path / "gout.jsonl", DOCS)])
        answer = engine.answer(QUESTION, live=True).to_dict()
        article = library.create_draft(people["editor"], answer=answer)
        library.transition(people["editor"], article.id, "submitted", version=1)
        changed = [{**d, "text": d["text"].replace("first-line", "second-line")} for d in DOCS]
        engine.ingest([write_jsonl(tmp_path / "gout.jsonl", changed)])
    library.transition(people["reviewer"], article.id, "under_review", version=1)
    with pytest.raises(Conflict, match=r"cannot be approved: passage \[\d\] of jsonl:g\d changed"):
        library.transition(people["reviewer"], article.id, "approved", version=1)
    refused = library.article(people["reviewer"], article.id)
    assert (refused.status, refused.approved_by) == ("under_review", None)
    assert library.approved_answer(QUESTION, "clinician") is None

    shown = library.version(people["reviewer"], article.id, 1)
    passages = [p for s in shown["statements"] for p in s["passages"]]
    assert passages and not any(p["in_corpus"] for p in passages)  # every one was re-cut


def test_the_review_view_shows_the_corpus_text(
    library_settings: Settings,
    library: Library,
    people: dict[str, Actor],
    tmp_path: Path,
    write_jsonl: Callable[[Path, list[object]], Path],
) -> None:
    with Engine(library_settings) as engine:
        engine.ingest([write_jsonl(tmp_path / "gout.jsonl", DOCS)])
        answer = engine.answer(QUESTION, live=True).to_dict()
        store = engine.store
        article = library.create_draft(people["editor"], answer=answer)
        shown = library.version(people["reviewer"], article.id, 1)
        passages = [p for s in shown["statements"] for p in s["passages"]]
        corpus = store.passages([p["passage_id"] for p in passages])
    assert passages and all(p["in_corpus"] for p in passages)
    assert all(p["text"] == corpus[p["passage_id"]][0].text for p in passages)
