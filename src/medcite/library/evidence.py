"""An article's evidence is the corpus's: cited passages are re-read from the corpus by id.

The answer JSON an editor sends is not trusted. When a version is created or revised, every
passage a reference lists must exist in the corpus with exactly that text, in that document,
with the document's own URL (the one the engine writes); every evidence quote of a statement
must be the span of its passage it claims to be. A mismatch is refused naming the reference.
Approval re-checks the version's stored passages against the corpus (it may have changed since).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from medcite.library.errors import EvidenceMismatch
from medcite.library.schema import ArticleVersion
from medcite.models import Document, Passage, reference_passages, sha256_hex
from medcite.provenance import provenance

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from medcite.corpus.store import CorpusStore
    from medcite.library.schema import CitedPassage

# Keeps every IN (...) of a lookup well under the databases' bound-parameter limits.
CHUNK = 500


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def corpus_passages(
    store: CorpusStore, ids: Iterable[object]
) -> dict[str, tuple[Passage, Document]]:
    """The corpus's passages (with their documents) for ``ids``; missing ids are absent."""
    wanted = sorted({i for i in ids if isinstance(i, str)})
    found: dict[str, tuple[Passage, Document]] = {}
    for chunk in chunks(wanted):
        found.update(store.passages(chunk))
    return found


def _listed(reference: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The reference's own passage (``passage_id``/``text``) and every one it lists."""
    first = {"passage_id": reference.get("passage_id"), "text": reference.get("text")}
    return [first, *reference_passages(reference)]


def check_answer(answer: Mapping[str, Any], store: CorpusStore) -> None:
    """Raise :class:`EvidenceMismatch` unless the answer's evidence is the corpus's, exactly."""
    references = answer.get("references", [])
    found = corpus_passages(store, (p["passage_id"] for r in references for p in _listed(r)))
    passages_of: dict[int, set[str]] = {}
    for ref in references:
        n = ref.get("n")
        if not isinstance(n, int):
            raise EvidenceMismatch(n, ref.get("passage_id"), "the reference has no number")
        for listed in _listed(ref):
            passage, document = _in_corpus(found, ref, listed)
            _check_urls(ref, listed, document, passage)
            passages_of.setdefault(n, set()).add(passage.passage_id)
    for statement in _statements(answer):
        evidence = statement.get("evidence")
        for ev in evidence if isinstance(evidence, list) else ():
            if isinstance(ev, Mapping):
                _check_quote(ev, passages_of, found)


def _in_corpus(
    found: Mapping[str, tuple[Passage, Document]],
    ref: Mapping[str, Any],
    listed: Mapping[str, Any],
) -> tuple[Passage, Document]:
    n, pid = ref.get("n"), listed["passage_id"]
    if not isinstance(pid, str) or pid not in found:
        raise EvidenceMismatch(n, pid, "no such passage in the corpus")
    passage, document = found[pid]
    if document.doc_id != ref["doc_id"]:
        raise EvidenceMismatch(
            n, pid, f"the passage is from {document.doc_id}, not {ref['doc_id']}"
        )
    if listed["text"] != passage.text:
        raise EvidenceMismatch(n, pid, "the text differs from the corpus passage")
    return passage, document


def _check_urls(
    ref: Mapping[str, Any], listed: Mapping[str, Any], document: Document, passage: Passage
) -> None:
    """URLs as the engine writes them: the document's own, in the reference and provenance."""
    n, pid = ref.get("n"), listed["passage_id"]
    if ref.get("url") != document.url:
        raise EvidenceMismatch(n, pid, f"the URL is not the corpus document's ({document.url})")
    expected = provenance(document, passage)
    for given in (ref.get("provenance"), listed.get("provenance")):
        if not isinstance(given, Mapping):
            continue
        for key, value in given.items():
            if key.endswith("url") and value != expected.get(key):
                raise EvidenceMismatch(n, pid, f"provenance {key} is not the corpus document's")


def _statements(answer: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The bottom line and every section's statements (whatever is not an object skipped)."""
    sections = answer.get("sections")
    found = [answer.get("bottom_line")]
    for section in sections if isinstance(sections, list) else ():
        statements = section.get("statements") if isinstance(section, Mapping) else None
        found += statements if isinstance(statements, list) else []
    yield from (s for s in found if isinstance(s, Mapping))


def _check_quote(
    ev: Mapping[str, Any],
    passages_of: Mapping[int, set[str]],
    found: Mapping[str, tuple[Passage, Document]],
) -> None:
    """An evidence entry names a passage of its reference and quotes exactly its span."""
    n, pid = ev.get("n"), ev.get("passage_id")
    quote, start, end = ev.get("quote") or "", ev.get("start"), ev.get("end")
    if not pid and not quote:
        return  # a citation of the whole source: nothing quoted
    if not isinstance(n, int) or not isinstance(pid, str) or pid not in passages_of.get(n, ()):
        raise EvidenceMismatch(n, pid, "the evidence quotes a passage the reference does not list")
    if not quote:
        return
    text = found[pid][0].text
    if not isinstance(start, int) or not isinstance(end, int) or text[start:end] != quote:
        raise EvidenceMismatch(n, pid, "the evidence quote is not that span of the corpus passage")


def changed(store: CorpusStore, cited: Sequence[CitedPassage]) -> list[CitedPassage]:
    """The cited passages whose text the corpus no longer holds under their id."""
    current = corpus_passages(store, (c.passage_id for c in cited))
    return [
        c
        for c in cited
        if c.passage_id not in current
        or sha256_hex(current[c.passage_id][0].text) != c.content_hash
    ]


def describe(session: Session, store: CorpusStore, cited: Sequence[CitedPassage]) -> str:
    """E.g. 'passage [2] of pmid:123 changed on re-ingest; document pmid:9 is gone'."""
    answer = session.get(ArticleVersion, cited[0].version_id)
    numbers = {
        p["passage_id"]: r.get("n")
        for r in (answer.answer if answer else {}).get("references", [])
        for p in reference_passages(r)
    }
    parts = []
    for c in sorted(cited, key=lambda c: (numbers.get(c.passage_id) or 0, c.passage_id)):
        label = f"passage [{numbers.get(c.passage_id)}] of {c.doc_id}"
        if store.document(c.doc_id) is None:
            parts.append(f"{label} is gone: the document is no longer in the corpus")
        else:
            parts.append(f"{label} changed on re-ingest")
    return "; ".join(parts)
