"""Related questions: 5–10 other questions the corpus can answer, similar but not repetitive.

Candidates come from ``QuestionSource``s: the question sets in the corpus (MedQuAD pages are
titled by their question; PubMedQA questions sit in the ``*.jsonl`` files beside the ingested
corpus and in the folders ``reader.question_folders`` names, kept when their abstract is in
the corpus), questions
asked before (the thread store) and, later, the editorial library — each a small class.

Ranking: BM25 over the candidates' light stems (``compose.terms``), then maximal marginal
relevance, ``λ·relevance − (1−λ)·max similarity to what is already chosen``, with λ = 0.7
(relevance normalised to the best candidate) and cosine similarity of stem sets; a candidate
that is nearly the asked question (similarity ≥ 0.8) is never shown, and a candidate must
share a topic word with the question. Each pick must be answerable: its best
BM25 hits must cover at least ``MIN_EVIDENCE_COVERAGE`` of its topic stems (cached per
question). The index is built once per engine, on first use.
"""

from __future__ import annotations

import json
import math
import pickle
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, select

from medcite.corpus.store import CorpusStore, document_table
from medcite.question.followup import FOLLOW_UP_WORDS
from medcite.question.intent import analyse
from medcite.reader.threads import ThreadStore
from medcite.text.terms import QUESTION_WORDS, content_stems, cosine, stem

MMR_LAMBDA = 0.7
NEAR_DUPLICATE = 0.8
MIN_EVIDENCE_COVERAGE = 0.6
POOL = 60  # BM25 candidates MMR chooses from
BM25_K1, BM25_B = 1.2, 0.75
OTHER_WORD_WEIGHT = 0.3
CONTEXT_WEIGHT = 0.5
MIN_RELATED = 5
# Words that say how something is asked, not what about ("is it safe with ...").
_GENERIC = frozenset(stem(w) for w in FOLLOW_UP_WORDS)


@dataclass(frozen=True)
class CandidateQuestion:
    text: str
    source: str  # medquad, pubmedqa, asked, library


class QuestionSource(Protocol):
    """Where candidate questions come from (the editorial library will be one more)."""

    name: str

    def questions(self) -> Iterable[CandidateQuestion]: ...

    def version(self) -> str | None:
        """A cheap string that changes when the questions do; None: do not cache them."""
        ...


def _collection_version(store: CorpusStore, collection: str) -> str:
    with store.engine.connect() as conn:
        count, newest = conn.execute(
            select(func.count(), func.max(document_table.c.ingested_at)).where(
                document_table.c.collection == collection
            )
        ).one()
    return f"{collection}:{count}:{newest}"


class MedquadTitles:
    """MedQuAD documents are titled by the question they answer."""

    name = "medquad"

    def __init__(self, store: CorpusStore) -> None:
        self.store = store

    def version(self) -> str:
        return _collection_version(self.store, "medquad")

    def questions(self) -> Iterator[CandidateQuestion]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(document_table.c.title).where(document_table.c.collection == "medquad")
            )
            for row in rows:
                yield CandidateQuestion(row.title, self.name)


class PubmedqaQuestions:
    """PubMedQA questions from ``*.jsonl`` files with ``pmid`` and ``question`` fields in
    ``folders``, kept when ``pmid:<pmid>`` is in the corpus (its answer is there)."""

    name = "pubmedqa"

    def __init__(self, store: CorpusStore, folders: Iterable[Path]) -> None:
        self.store, self.folders = store, list(dict.fromkeys(folders))

    def version(self) -> str:
        files = [p for folder in self.folders for p in sorted(folder.glob("*.jsonl"))]
        stats = [f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files]
        return "|".join([_collection_version(self.store, "pubmedqa"), *stats])

    def questions(self) -> Iterator[CandidateQuestion]:
        found: dict[str, str] = {}
        for folder in self.folders:
            for path in sorted(folder.glob("*.jsonl")):
                found.update(_pmid_questions(path))
        present = self._present([f"pmid:{pmid}" for pmid in found])
        for pmid, question in found.items():
            if f"pmid:{pmid}" in present:
                yield CandidateQuestion(question, self.name)

    def _present(self, doc_ids: list[str]) -> set[str]:
        present: set[str] = set()
        with self.store.engine.connect() as conn:
            for i in range(0, len(doc_ids), 500):
                rows = conn.execute(
                    select(document_table.c.doc_id).where(
                        document_table.c.doc_id.in_(doc_ids[i : i + 500])
                    )
                )
                present.update(r.doc_id for r in rows)
        return present


def pubmedqa_folders(store: CorpusStore, extra: Sequence[Path] = ()) -> list[Path]:
    """Folders of the ingested PubMedQA files, and the ``extra`` ones configured."""
    with store.engine.connect() as conn:
        origins = conn.execute(
            select(document_table.c.origin)
            .where(document_table.c.collection == "pubmedqa")
            .distinct()
        ).all()
    folders = [*(Path(r.origin).parent for r in origins), *extra]
    return [f for f in dict.fromkeys(folders) if f.is_dir()]


def _pmid_questions(path: Path) -> Iterator[tuple[str, str]]:
    """``(pmid, question)`` pairs of a question file; nothing for other JSONL files (their
    first record has no ``pmid`` and ``question``)."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            pair = _pmid_question(row)
            if pair is None and number == 0:
                return
            if pair is not None:
                yield pair


def _pmid_question(row: object) -> tuple[str, str] | None:
    if isinstance(row, dict) and row.get("pmid") and isinstance(row.get("question"), str):
        return str(row["pmid"]), row["question"].strip()
    return None


ASKED = "asked"


class LiveQuestions:
    """Questions read afresh for each index: asked before (``asked``, from a ``ThreadStore``)
    or approved in the editorial library (``library``)."""

    def __init__(self, name: str, recent: Callable[[], list[str]]) -> None:
        self.name = name
        self.recent = recent

    def questions(self) -> Iterator[CandidateQuestion]:
        return (CandidateQuestion(q, self.name) for q in self.recent())

    def version(self) -> None:
        return None  # changes with every question asked


def default_sources(
    store: CorpusStore,
    question_folders: Sequence[Path],
    threads: ThreadStore,
    library_questions: Callable[[], list[str]],
) -> list[QuestionSource]:
    """The corpus's question sets (and those in ``question_folders``), the editorial library's
    and the questions asked before."""
    return [
        MedquadTitles(store),
        PubmedqaQuestions(store, pubmedqa_folders(store, question_folders)),
        LiveQuestions(ASKED, threads.recent_questions),
        LiveQuestions("library", library_questions),
    ]


class _QuestionIndex:
    """BM25 over candidate questions' stems, in memory."""

    def __init__(self, candidates: Iterable[CandidateQuestion]) -> None:
        self.items: list[CandidateQuestion] = []
        self.stems: list[frozenset[str]] = []
        self.lengths: list[int] = []
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.seen: set[str] = set()
        for candidate in candidates:
            self.add_new(candidate)

    def add_new(self, candidate: CandidateQuestion) -> None:
        """Add ``candidate`` unless it is empty or already there (case and "?" ignored)."""
        key = _normalised(candidate.text)
        if key and key not in self.seen:
            self.seen.add(key)
            self._add(candidate)

    def _add(self, candidate: CandidateQuestion) -> None:
        counts = Counter(content_stems(candidate.text))
        i = len(self.items)
        self.items.append(candidate)
        self.stems.append(frozenset(counts))
        self.lengths.append(sum(counts.values()))
        for term, tf in counts.items():
            self.postings[term].append((i, tf))

    def search(self, weights: dict[str, float], limit: int) -> list[tuple[int, float]]:
        """The best ``limit`` candidates for query stems weighted by ``weights``."""
        n = len(self.items)
        if not n:
            return []
        average = sum(self.lengths) / n
        scores: dict[int, float] = defaultdict(float)
        for term, weight in weights.items():
            postings = self.postings.get(term, [])
            if not postings:
                continue
            idf = math.log(1 + (n - len(postings) + 0.5) / (len(postings) + 0.5))
            for i, tf in postings:
                norm = tf + BM25_K1 * (1 - BM25_B + BM25_B * self.lengths[i] / average)
                scores[i] += weight * idf * tf * (BM25_K1 + 1) / norm
        return sorted(scores.items(), key=lambda s: -s[1])[:limit]


class RelatedQuestions:
    """Finds related questions; ``answerable(question)`` says whether the corpus can answer."""

    def __init__(
        self,
        sources: Iterable[QuestionSource],
        answerable: Callable[[str], bool],
        *,
        mmr_lambda: float = MMR_LAMBDA,
        cache: Path | None = None,
    ) -> None:
        self.sources = list(sources)
        self.answerable = answerable
        self.mmr_lambda = mmr_lambda
        self.cache = cache
        self._index: _QuestionIndex | None = None
        self._answerable: dict[str, bool] = {}

    @property
    def index(self) -> _QuestionIndex:
        """Built on first use; the stable sources' part is cached in ``cache`` by version."""
        if self._index is None:
            versions = {s.name: s.version() for s in self.sources}
            stable = [s for s in self.sources if versions[s.name] is not None]
            key = json.dumps([versions[s.name] for s in stable])
            index = self._cached(key)
            if index is None:
                index = _QuestionIndex(c for s in stable for c in s.questions())
                self._save(key, index)
            for source in self.sources:
                if versions[source.name] is None:
                    for candidate in source.questions():
                        index.add_new(candidate)
            self._index = index
        return self._index

    def with_lambda(self, mmr_lambda: float) -> RelatedQuestions:
        """The same candidates and answerability cache, chosen with another λ."""
        other = RelatedQuestions(self.sources, self.answerable, mmr_lambda=mmr_lambda)
        other._index, other._answerable = self.index, self._answerable
        return other

    def _cached(self, key: str) -> _QuestionIndex | None:
        if self.cache is None or not self.cache.is_file():
            return None
        try:
            with self.cache.open("rb") as fh:
                stored_key, index = pickle.load(fh)  # our own file in the data directory
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError):
            return None
        return index if stored_key == key and isinstance(index, _QuestionIndex) else None

    def _save(self, key: str, index: _QuestionIndex) -> None:
        if self.cache is None:
            return
        partial = self.cache.with_suffix(".partial")
        with partial.open("wb") as fh:
            pickle.dump((key, index), fh, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(self.cache)

    def remember(self, question: str) -> None:
        """Add a question just asked to the candidates (the index is otherwise built once)."""
        if self._index is not None:
            self._index.add_new(CandidateQuestion(question, ASKED))

    def find(
        self,
        question: str,
        n: int = 8,
        exclude: Iterable[str] = (),
        context: Sequence[str] = (),
    ) -> list[str]:
        """Up to ``n`` related questions for ``question``, most relevant first. When the
        question alone finds fewer than ``MIN_RELATED``, ``context`` (e.g. the titles of the
        answer's sources) widens the search."""
        asked = frozenset(content_stems(question))
        skip = {_normalised(question), *(_normalised(q) for q in exclude)}
        weights, focus = query_weights(question)
        chosen = self._choose(weights, focus, asked, skip, n, [])
        if len(chosen) < min(n, MIN_RELATED) and context:
            extra, extra_focus = context_weights(context)
            chosen = self._choose({**extra, **weights}, focus | extra_focus, asked, skip, n, chosen)
        return [self.index.items[i].text for i in chosen]

    def _choose(
        self,
        weights: dict[str, float],
        focus: frozenset[str],
        asked: frozenset[str],
        skip: set[str],
        n: int,
        chosen: list[int],
    ) -> list[int]:
        """MMR over the BM25 pool: candidates on the focus, not skipped, not the question."""
        index = self.index
        chosen = list(chosen)
        pool = [
            (i, score)
            for i, score in index.search(weights, POOL)
            if i not in chosen
            and index.stems[i] & focus
            and _normalised(index.items[i].text) not in skip
            and cosine(index.stems[i], asked) < NEAR_DUPLICATE
        ]
        if not pool:
            return chosen
        top = pool[0][1]
        relevance = {i: score / top for i, score in pool}
        while pool and len(chosen) < n:
            best = max(pool, key=lambda p: self._marginal(p[0], relevance, chosen))
            pool.remove(best)
            if self._is_answerable(index.items[best[0]].text):
                chosen.append(best[0])
        return chosen

    def _marginal(self, i: int, relevance: dict[int, float], chosen: list[int]) -> float:
        stems = self.index.stems
        redundancy = max((cosine(stems[i], stems[j]) for j in chosen), default=0.0)
        return self.mmr_lambda * relevance[i] - (1 - self.mmr_lambda) * redundancy

    def _is_answerable(self, question: str) -> bool:
        if question not in self._answerable:
            self._answerable[question] = self.answerable(question)
        return self._answerable[question]


def query_weights(question: str) -> tuple[dict[str, float], frozenset[str]]:
    """The question's stems, its topic (and subgroups) weighted over its other words, and
    the focus a related question must touch: the topic (all stems when it has none)."""
    analysis = analyse(question)
    topic = {*analysis.topic_stems, *(s for g in analysis.subgroups for s in g.stems)}
    stems = content_stems(question)
    weights = {s: 1.0 if s in topic else OTHER_WORD_WEIGHT for s in stems}
    focus = frozenset(analysis.topic_stems) - _GENERIC
    return weights, focus or frozenset(stems)


def context_weights(context: Sequence[str]) -> tuple[dict[str, float], frozenset[str]]:
    """Weights and focus from context texts: their topic words, at ``CONTEXT_WEIGHT``."""
    stems = frozenset(s for text in context for s in content_stems(text, drop=QUESTION_WORDS))
    return dict.fromkeys(stems, CONTEXT_WEIGHT), stems


def _normalised(text: str) -> str:
    return " ".join(text.lower().replace("?", " ").split())
