"""BEIR corpora: a folder with ``corpus.jsonl`` (+ ``queries.jsonl``, ``qrels/``) or the file.

Each ``corpus.jsonl`` line is ``{"_id","title","text","metadata"}``:

- collection: the folder name, lower-cased (``scifact``); doc_id ``<collection>:<_id>``;
- text exactly as given (the title when the text is empty); title, or ``"<source> <_id>"``;
- source: a readable corpus name (``SOURCES``), else ``"BEIR <collection>"``;
- metadata: the record's ``metadata`` object as given (SciFact: ``structured`` and
  ``sentence_spans``, which index into ``text``);
- evidence level from title/text cues; no year or url (BEIR does not carry them).

Required: ``_id`` and ``text``. Queries and qrels are evaluation data and are not read here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medcite.models import Document, IngestProblem
from medcite.sources.common import (
    RecordError,
    body_or_title,
    optional_str,
    read_jsonl,
    required_id,
    required_str,
)
from medcite.sources.evidence import evidence_level

SOURCES: dict[str, str] = {
    "scifact": "SciFact (S2ORC)",
    "nfcorpus": "NFCorpus",
    "trec-covid": "CORD-19",
}


def corpus_file(path: Path) -> Path:
    """The ``corpus.jsonl`` of a BEIR folder, or ``path`` itself when it is a file."""
    return path / "corpus.jsonl" if path.is_dir() else path


def collection_name(path: Path) -> str:
    """The BEIR dataset name: the folder's name (of the folder holding the corpus file)."""
    return (path if path.is_dir() else path.parent).name.lower() or "beir"


def read_beir(path: Path) -> Iterator[Document | IngestProblem]:
    """Yield a `Document` per corpus line and an `IngestProblem` per bad line."""
    collection = collection_name(path)
    source = SOURCES.get(collection, f"BEIR {collection}")

    def to_document(record: dict[str, Any]) -> Document:
        original_id = required_id(record, "_id")
        title = (optional_str(record, "title") or "").strip()
        body = required_str(record, "text")
        text, extra = body_or_title(body, title)
        metadata = record.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise RecordError("field 'metadata' must be an object")
        return Document(
            doc_id=f"{collection}:{original_id}",
            collection=collection,
            title=title or f"{source} {original_id}",
            text=text,
            source=source,
            evidence_level=evidence_level((), collection, title, body),
            metadata={**metadata, **extra},
        )

    return read_jsonl(corpus_file(path), to_document)
