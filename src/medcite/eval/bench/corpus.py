"""A seeded synthetic corpus of any size, made of real sentences from the demo data.

Sentences come from MedQuAD answers and SciFact abstracts (split with medcite's own sentence
splitter), titles from MedQuAD focus names and SciFact titles. Each synthetic document is 3-6
sentences drawn at random, so the vocabulary, term statistics and passage lengths look like
the real corpus while the size is whatever the benchmark needs. The output is medcite's generic
JSONL (``id``, ``title``, ``text``, ``year``), so it goes through the real ``medcite ingest``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcite.text.sentences import split_sentences

COLLECTION = "synthetic"
# Very short fragments ("Key Points") and run-on list dumps would skew passage lengths.
MIN_WORDS, MAX_WORDS = 5, 60


@dataclass(frozen=True)
class SentencePool:
    """Unique real sentences and titles, in a fixed order (so a seed fixes the corpus)."""

    sentences: list[str]
    titles: list[str]


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def load_pool(shared: Path) -> SentencePool:
    """Sentences and titles from ``<shared>/medquad/medquad.jsonl`` and ``<shared>/scifact``."""
    texts: list[str] = []
    titles: list[str] = []
    for row in _jsonl(shared / "medquad" / "medquad.jsonl"):
        texts.append(row["answer"])
        titles.append(row["focus"])
    for row in _jsonl(shared / "scifact" / "corpus.jsonl"):
        texts.append(row["text"])
        titles.append(row["title"])
    sentences: dict[str, None] = {}  # insertion-ordered set
    for text in texts:
        for start, end in split_sentences(text):
            sentence = text[start:end]
            if MIN_WORDS <= len(sentence.split()) <= MAX_WORDS:
                sentences[sentence] = None
    return SentencePool(list(sentences), list(dict.fromkeys(t for t in titles if t.strip())))


def write_synthetic(path: Path, n_docs: int, pool: SentencePool, *, seed: int = 13) -> Path:
    """Write ``n_docs`` documents of 3-6 random pool sentences to ``path`` as generic JSONL.

    Every document yields at least one passage, so ``n_docs`` is a lower bound on passages.
    The same ``pool`` and ``seed`` always give the same file.
    """
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n_docs):
            record = {
                "id": f"syn{i:07d}",
                "title": rng.choice(pool.titles),
                "text": " ".join(rng.choices(pool.sentences, k=rng.randint(3, 6))),
                "year": rng.randint(1995, 2024),
                "collection": COLLECTION,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def ensure_synthetic(path: Path, n_docs: int, pool: SentencePool, *, seed: int = 13) -> Path:
    """``path`` holding :func:`write_synthetic`'s corpus, written only when not already complete.

    The file is written beside ``path`` and renamed into place, so an interrupted run never
    leaves a partial corpus behind to be reused: a 1M-document corpus is written once.
    """
    if path.is_file():
        return path
    partial = path.with_name(path.name + ".partial")
    write_synthetic(partial, n_docs, pool, seed=seed)
    partial.replace(path)
    return path
