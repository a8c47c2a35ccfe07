"""``bm25s``: the independent BM25 that every eval and the bench run beside medcite.

It indexes exactly what medcite's BM25 indexes — each passage as ``title\\ntext`` — with
tantivy's parameters (k1 1.2, b 0.75, Lucene IDF), no stopwords (medcite drops none) and the
same English Snowball stemmer when PyStemmer is installed, so differences in quality or speed
are the engines', not the setup's. Needs the ``[bench]`` extra.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

K1, B = 1.2, 0.75


@dataclass(frozen=True)
class PassageTexts:
    """Every passage of a corpus store, in passage id order, as BM25 sees it."""

    passage_ids: list[str]
    doc_ids: list[str]
    bodies: list[str]  # "title\ntext", as medcite.index.lexical indexes them


def passage_texts(store: Any) -> PassageTexts:
    """All passages of ``store`` (a :class:`~medcite.corpus.store.CorpusStore`)."""
    from sqlalchemy import select

    from medcite.corpus.store import document_table, passage_table

    query = (
        select(
            passage_table.c.passage_id,
            passage_table.c.doc_id,
            document_table.c.title,
            passage_table.c.text,
        )
        .join(document_table, document_table.c.doc_id == passage_table.c.doc_id)
        .order_by(passage_table.c.passage_id)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return PassageTexts(
        [row[0] for row in rows], [row[1] for row in rows], [f"{row[2]}\n{row[3]}" for row in rows]
    )


def stemmer() -> Any:
    """PyStemmer's English stemmer, or None when PyStemmer is not installed."""
    try:
        import Stemmer
    except ImportError:
        return None
    return Stemmer.Stemmer("english")


def tokenizer_name() -> str:
    if stemmer() is None:
        return "bm25s regex tokens, lowercased, not stemmed (PyStemmer not installed)"
    return "bm25s regex tokens, lowercased, PyStemmer English (Snowball) stemmer"


class Bm25sIndex:
    """bm25s over ``bodies``; :meth:`search` gives row numbers, best first.

    >>> index = Bm25sIndex(["aspirin for headache", "statins lower cholesterol"])
    >>> index.search("cholesterol", 2)
    [1]
    """

    def __init__(self, bodies: list[str]) -> None:
        import bm25s

        self._bm25s = bm25s
        self._stemmer = stemmer()
        self._retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
        tokens = bm25s.tokenize(bodies, stopwords=None, stemmer=self._stemmer, show_progress=False)
        self._retriever.index(tokens, show_progress=False)
        self.size = len(bodies)

    def search(self, query: str, k: int) -> list[int]:
        """Rows of the best ``k`` bodies with a positive score (fewer when fewer match)."""
        terms = self._bm25s.tokenize(
            query, stopwords=None, stemmer=self._stemmer, return_ids=False, show_progress=False
        )
        docs, scores = self._retriever.retrieve(
            terms, k=min(k, self.size), show_progress=False, n_threads=1
        )
        return [int(d) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
