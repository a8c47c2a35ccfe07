"""Reference numbering and dating, shared by every composer.

One number per cited *document* (source), in order of first use; each reference lists every
passage of its document the answer cites, also in order of first use, and each statement's
evidence entries name the passage they quote. So the seed answer's four citations of one NINDS
page are one reference [1] with four passages under it, not references 1, 3, 4 and 5.

    numbering = ReferenceNumbering()
    n = numbering.number(hit)            # the same n for every passage of hit.document
    answer.references = numbering.references
"""

from __future__ import annotations

from medcite.models import Document, Hit, Passage, Reference, document_date

# What a live answer's "last updated" date is (``review.last_updated_basis``).
BASIS_INGESTED = "ingested"  # the newest ingest time of the cited documents
BASIS_SOURCE_DATE = "source_date"  # their newest publication date (not ingested from a store)
BASIS_GENERATED = "generated"  # nothing cited: when the answer was composed
# How each basis reads beside the date; "approved"/"revised" are the library's (articles).
BASIS_LABELS = {
    BASIS_INGESTED: "newest ingest of its sources",
    BASIS_SOURCE_DATE: "newest source date",
    BASIS_GENERATED: "when composed",
    "approved": "approved",
    "revised": "last revised",
}


class ReferenceNumbering:
    """Assigns reference numbers, one per document, in order of first use."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}  # doc_id -> n
        self._documents: list[Document] = []
        self._passages: list[list[Passage]] = []  # per reference, in order of first use

    def number(self, hit: Hit) -> int:
        """The reference number of ``hit``'s document; records ``hit``'s passage under it."""
        n = self._numbers.get(hit.document.doc_id)
        if n is None:
            n = self._numbers[hit.document.doc_id] = len(self._documents) + 1
            self._documents.append(hit.document)
            self._passages.append([])
        passages = self._passages[n - 1]
        if all(p.passage_id != hit.passage.passage_id for p in passages):
            passages.append(hit.passage)
        return n

    @property
    def references(self) -> list[Reference]:
        return [
            Reference(n, passages[0], document, other_passages=tuple(passages[1:]))
            for n, (document, passages) in enumerate(
                zip(self._documents, self._passages, strict=True), 1
            )
        ]


def last_updated(references: list[Reference], generated_at: str) -> tuple[str, str]:
    """(date, basis) a live answer shows as "last updated": the newest ingest time of the
    documents it cites, else their newest publication date, else (nothing cited, or nothing
    dated) when it was composed. Approved articles show their approval date instead."""
    ingested = [r.document.ingested_at for r in references if r.document.ingested_at]
    if ingested:
        return max(ingested), BASIS_INGESTED
    dates = [d for d in (document_date(r.document) for r in references) if d]
    if dates:
        return max(dates), BASIS_SOURCE_DATE
    return generated_at, BASIS_GENERATED
