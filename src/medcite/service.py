"""The one façade the CLI, the web app and the tests call: ``Engine(settings)``.

    engine = Engine(Settings(home="/tmp/mc"))
    engine.ingest([Path("corpus.jsonl")])        # parse, chunk, store, index (BM25)
    engine.embed()                               # optional dense vectors, resumable
    hits = engine.search("statin myopathy", k=5)
    answer = engine.answer("What are the treatment options for gout?")  # approved, else live
    print(answer.to_dict())                      # the shared answer.schema.json shape

Heavy parts (index, embedder) open lazily on first use, so a process that only asks pays
for nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medcite.config import AUDIENCES, Settings
from medcite.corpus.store import CorpusStore
from medcite.errors import DataNotFound, IndexNotReady, QuestionError
from medcite.models import Answer, Document, Hit, Passage, SearchFilters
from medcite.progress import ProgressFn
from medcite.reader.related import RelatedQuestions
from medcite.retrieve.hybrid import Retriever

if TYPE_CHECKING:  # also keeps ingest (lxml, the parsers) out of a process that only asks
    from medcite.compose.base import Composer
    from medcite.index.base import Embedder, SearchBackend
    from medcite.index.build import EmbedReport, SyncReport
    from medcite.ingest.report import IngestReport
    from medcite.library import Library
    from medcite.library.staleness import StaleArticle
    from medcite.question.reading import FocusMatch, QuestionReading
    from medcite.question.topic import Concept
    from medcite.question.vocabulary import TopicVocabulary
    from medcite.reader.threads import ThreadStore
    from medcite.text.drugs import DrugLexicon
    from medcite.verify.base import Verifier

DISCLAIMER = (
    "Educational purpose only. medcite answers are composed automatically from the sources "
    "listed and are not medical advice; they do not replace the judgement of a qualified "
    "clinician who knows the patient. Verify doses and indications against current labels "
    "and guidelines."
)
UNREVIEWED = "Educational purpose only • pending human review"
NAME_LOOKUP_HITS = 10  # passages a rare name's BM25 look-up reads to find it written
INFER_HITS = 10  # passages whose page foci vote for the condition a description matches
COVER_HITS = 30  # passages read for the description words each page focus writes


@dataclass(frozen=True)
class ThreadAnswer:
    """A thread's new turn: its answer and the questions asked before it (oldest first)."""

    thread_id: str
    answer: Answer
    earlier: list[str]


class Engine:
    """Ingest, index, search and answer over one medcite data directory."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.settings.home.mkdir(parents=True, exist_ok=True)
        self._embedder_problem: str | None = None
        self._manifest: dict[str, Any] | None = None
        self.stale_articles: list[StaleArticle] = []  # found by the last ingest

    # -- parts, opened on first use -----------------------------------------------------

    @cached_property
    def store(self) -> CorpusStore:
        return CorpusStore(self.settings.corpus_url or self.settings.corpus_db)

    @cached_property
    def backend(self) -> SearchBackend:
        from medcite.index.embedded import EmbeddedBackend

        search = self.settings.search
        if self.settings.search_uri:
            from medcite.index.milvus import milvus_backend

            return milvus_backend(self.settings, self.load_embedder)
        return EmbeddedBackend(
            self.settings.index_dir, candidates=search.candidates, rrf_k=search.rrf_k
        )

    @cached_property
    def library(self) -> Library:
        """The editorial library (``settings.library_url``), opened and migrated on first use."""
        from medcite.library import Library

        return Library(self.settings, corpus=lambda: self.store)  # opened when first needed

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.backend, self.settings.search, self.load_embedder)

    @cached_property
    def verifier(self) -> Verifier:
        """The claim verifier; the embedder is loaded only if an alignment is ambiguous."""
        from medcite.verify.heuristic import HeuristicVerifier

        return HeuristicVerifier(load_embedder=self.load_embedder)

    def load_embedder(self) -> Embedder | None:
        """The configured embedder, or None (with the reason kept in ``embedder_problem``)."""
        from medcite.index.embed import EmbedderUnavailable, OnnxEmbedder

        try:
            if self.settings.scale.embed_url:
                from medcite.index.remote_embed import RemoteEmbedder

                return RemoteEmbedder.from_settings(self.settings.scale)
            return OnnxEmbedder(self.settings.embed)
        except EmbedderUnavailable as exc:
            self._embedder_problem = str(exc)
            return None

    @property
    def embedder_problem(self) -> str | None:
        return self._embedder_problem

    @cached_property
    def lexicon(self) -> DrugLexicon:
        """The drug lexicon (empty when its package is not installed)."""
        from medcite.text.drugs import DrugLexicon

        return DrugLexicon.load()

    @cached_property
    def vocabulary(self) -> TopicVocabulary:
        """The corpus's topic vocabulary, built by :meth:`index` and kept in the data
        directory; rebuilt here when the corpus changed since (or it was never built)."""
        from medcite.question.vocabulary import TopicVocabulary

        snapshot = self.manifest().get("corpus_snapshot")
        found = TopicVocabulary.load(self.settings.home)
        if found is None or found.snapshot != snapshot:
            found = self._build_vocabulary(snapshot)
        return found

    def _build_vocabulary(self, snapshot: str | None) -> TopicVocabulary:
        from medcite.question.vocabulary import build_vocabulary

        vocabulary = build_vocabulary(self.store, self.lexicon, snapshot)
        try:
            vocabulary.save(self.settings.home)
        except OSError:
            pass  # a read-only data directory only costs the next process the build
        return vocabulary

    @cached_property
    def threads(self) -> ThreadStore:
        """Conversation threads (follow-up questions), in the editorial database unless
        ``reader.threads_url`` names another; tables by the library's migrations."""
        from medcite.library.db import open_thread_store

        return open_thread_store(self.settings.threads_db)

    @cached_property
    def related(self) -> RelatedQuestions:
        from medcite.reader.related import CorpusEvidence, default_sources

        sources = default_sources(
            self.store, self.settings.reader.question_folders, self._approved_questions
        )
        return RelatedQuestions(
            sources,
            CorpusEvidence(self.retriever),
            mmr_lambda=self.settings.reader.mmr_lambda,
            cache=self.settings.home / "related-questions.pickle",
        )

    def _approved_questions(self) -> list[str]:
        from medcite.library.db import database_exists

        return self.library.approved_questions() if database_exists(self.settings) else []

    def close(self) -> None:
        if "threads" in self.__dict__:
            self.threads.close()
        if "backend" in self.__dict__:
            self.backend.close()
        if "store" in self.__dict__:
            self.store.close()
        if "library" in self.__dict__:
            self.library.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- ingest and index ---------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        fmt: str = "auto",
        progress: ProgressFn | None = None,
        workers: int | None = None,
    ) -> IngestReport:
        """Ingest files/directories, then bring the lexical index up to date.

        ``workers`` (default ``scale.ingest_workers``) parses PubMed XML in that many
        processes, checkpointed per file; see :mod:`medcite.ingest.parallel`."""
        from medcite.index.build import sync_lexical
        from medcite.ingest.run import ingest

        report = ingest(
            paths,
            self.store,
            fmt=fmt,
            chunking=self.settings.chunk,
            progress=progress,
            workers=workers or self.settings.scale.ingest_workers,
            # Per file only the sync: the manifest's snapshot hash reads every document.
            after_file=lambda: sync_lexical(self.store, self.backend),
        )
        self.index(progress=progress)
        self.stale_articles = self._check_staleness()
        return report

    def _check_staleness(self) -> list[StaleArticle]:
        """Send approved articles whose cited passages changed back to review (no-op until a
        library database exists)."""
        from medcite.library.db import database_exists

        return self.library.check_staleness(self.store) if database_exists(self.settings) else []

    def index(self, *, progress: ProgressFn | None = None) -> SyncReport:
        """Index whatever the corpus store holds that the index lacks (BM25)."""
        from medcite.index.build import sync_lexical

        report = sync_lexical(self.store, self.backend, progress=progress)
        self._write_manifest()
        self.__dict__["vocabulary"] = self._build_vocabulary(self.manifest().get("corpus_snapshot"))
        return report

    def embed(self, *, limit: int | None = None, progress: ProgressFn | None = None) -> EmbedReport:
        """Add dense vectors to passages that lack them (cached, resumable)."""
        from medcite.index.build import VectorCache, embed_passages
        from medcite.index.embed import EmbedderUnavailable

        embedder = self.load_embedder()
        if embedder is None:
            raise EmbedderUnavailable(self._embedder_problem or "no embedder")
        cache = VectorCache(
            self.settings.index_dir / "vector_cache.sqlite", embedder.model_id, embedder.dim
        )
        try:
            report = embed_passages(
                self.store, self.backend, embedder, cache, limit=limit, progress=progress
            )
        finally:
            cache.close()
        self._write_manifest(embedder)
        return report

    def _write_manifest(self, embedder: Embedder | None = None) -> None:
        from medcite.index.manifest import IndexManifest

        directory = self.settings.index_dir
        fields: dict[str, Any] = {
            "corpus_snapshot": self.store.snapshot_hash(),
            "passage_count": self.backend.count(),
            "vector_count": self.backend.vector_count(),
        }
        if embedder is not None:
            fields.update(embedder_model_id=embedder.model_id, embedder_dim=embedder.dim)
        existing = IndexManifest.read(directory)
        manifest = (
            existing.updated(**fields)
            if existing
            else IndexManifest.create(
                backend=self.backend.name, **self.backend.describe(), **fields
            )
        )
        manifest.write(directory)
        self._manifest = asdict(manifest)

    def manifest(self) -> dict[str, Any]:
        """The index manifest (what built the index, from which corpus snapshot)."""
        if self._manifest is None:
            from medcite.index.manifest import IndexManifest

            found = IndexManifest.read(self.settings.index_dir)
            self._manifest = asdict(found) if found else {}
        return self._manifest

    # -- search and answer --------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        mode: str | None = None,
        filters: SearchFilters | None = None,
        priors: bool = True,
    ) -> list[Hit]:
        """Ranked passages for ``query``."""
        self._require_index()
        return self.retriever.search(query, k=k, mode=mode, filters=filters, priors=priors)

    def answer(
        self,
        question: str,
        *,
        audience: str = "clinician",
        history: Sequence[str] = (),
        composer: str | None = None,
        live: bool = False,
    ) -> Answer:
        """The answer to serve: the approved article's stored answer for this question and
        audience, exactly as the advisory board approved it (no retrieval, no composing),
        unless ``live`` or a ``history`` is given; else a structured, cited answer composed
        now and verified (see :mod:`medcite.compose.extractive`).

        ``history`` holds the thread's earlier questions (oldest first): a follow-up is
        rewritten in their context (``answer.answering``, see :mod:`medcite.question.followup`)
        and always composed. ``composer``: "extractive", "llm" (needs
        ``MEDCITE_LLM_BASE_URL``), or None for the LLM when one is configured and the
        extractive composer otherwise.
        """
        events = self.answer_events(
            question, audience=audience, history=history, composer=composer, live=live
        )
        for event in events:
            if event["type"] == "answer":
                return event["answer"]
        raise AssertionError("answer_events always ends with an answer")  # pragma: no cover

    def answer_events(
        self,
        question: str,
        *,
        audience: str = "clinician",
        history: Sequence[str] = (),
        composer: str | None = None,
        live: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """:meth:`answer` as events, for server-sent events: ``{"type": "delta", "text"}`` as
        the model writes, ``{"type": "fallback", "reason"}`` if it fails, and last ``{"type":
        "answer", "answer": Answer}`` once every statement is verified (an approved answer is
        that one event). Bad input raises here, before the first event."""
        question = self.check_question(question)
        if audience not in AUDIENCES:
            raise QuestionError(
                f"unknown audience {audience!r}; choose one of {', '.join(AUDIENCES)}"
            )
        if not live and not history:
            approved = self.approved_answer(question, audience)
            if approved is not None:
                return iter([{"type": "answer", "answer": approved}])
        chosen = self.composer(composer)
        self._require_index()
        return self._composed(question, audience, chosen, self.read_question(question, history))

    def approved_answer(self, question: str, audience: str) -> Answer | None:
        """The approved article's stored answer, or None: none approved, no library in use
        (nothing is created to find out), or the library extra not installed."""
        try:
            from medcite.library.db import database_exists

            if "library" not in self.__dict__ and not database_exists(self.settings):
                return None
            stored = self.library.approved_answer(question, audience)
        except ImportError:  # medcite[library] not installed: there is no approved article
            return None
        return None if stored is None else Answer.from_dict(stored)

    def composer(self, name: str | None = None) -> Composer:
        """The composer called ``name`` (see :meth:`answer`)."""
        from medcite.compose.extractive import ExtractiveComposer

        extractive = ExtractiveComposer(self.settings.compose)
        if name is None:
            name = "llm" if self.settings.llm.base_url else "extractive"
        if name == "extractive":
            return extractive
        if name == "llm":
            from medcite.compose.llm import LLMComposer

            return LLMComposer(self.settings.llm, self.verifier, fallback=extractive)
        raise QuestionError(f"unknown composer {name!r}; choose extractive or llm")

    def read_question(self, question: str, history: Sequence[str] = ()) -> QuestionReading:
        """How ``question`` is read in its thread: topic and concepts in the corpus's
        vocabulary, aspects, population; see :mod:`medcite.question.reading`."""
        from medcite.question.reading import read_question

        return read_question(
            question,
            history,
            vocabulary=self.vocabulary,
            lexicon=self.lexicon,
            cooccurs=self._discussed_together,
            in_corpus=self._written_in_corpus,
            described=self._described_foci,
        )

    def _described_foci(self, question: str) -> list[FocusMatch]:
        """Page foci ranked by how well their pages match the question's own words: BM25
        scores summed over the top ``INFER_HITS`` passages, with the question's content
        stems each focus's passages among the top ``COVER_HITS`` write."""
        from medcite.question.reading import FocusMatch
        from medcite.question.vocabulary import question_words
        from medcite.question.words import FILLER_STEMS, GENERIC_STEMS, key_stems

        words = [w for w in question_words(question) if set(key_stems(w)) - FILLER_STEMS]
        asked = {s for w in words for s in key_stems(w)} - FILLER_STEMS - GENERIC_STEMS
        hits = self.retriever.search(" ".join(words), k=COVER_HITS, mode="bm25", priors=False)
        scores: dict[str, float] = {}
        written: dict[str, set[str]] = {}
        for rank, hit in enumerate(hits):
            focus = hit.document.metadata.get("focus")
            if not isinstance(focus, str):
                continue
            focus = focus.lower()  # "Bell's Palsy" and "Bell's palsy" are one focus
            text = f"{hit.document.title} {hit.passage.text}"
            written.setdefault(focus, set()).update(asked.intersection(key_stems(text)))
            if rank < INFER_HITS:
                scores[focus] = scores.get(focus, 0.0) + hit.score
        foci = [FocusMatch(f, scores.get(f, 0.0), len(stems)) for f, stems in written.items()]
        return sorted(foci, key=lambda m: -m.score)

    def _written_in_corpus(self, word: str) -> bool:
        """Whether some passage or title writes ``word`` (a name the question uses), in any
        inflection, its parts together ("alpha-gal" is not "alpha ... gal")."""
        from medcite.question.words import stem_key

        key = f" {stem_key(word)} "
        hits = self.retriever.search(word, k=NAME_LOOKUP_HITS, mode="bm25", priors=False)
        return any(key in f" {stem_key(f'{h.document.title} {h.passage.text}')} " for h in hits)

    def _discussed_together(self, concept: Concept, topic: Concept) -> bool:
        """Whether the corpus discusses ``concept`` within ``topic`` ("fatigue" within
        "multiple sclerosis"): a narrowing follow-up rather than a new subject."""
        from medcite.question.reading import names_together

        query = f"{concept.name} {topic.name}"
        hits = self.retriever.search(query, k=20, mode="bm25", priors=False)
        return any(names_together(h, concept, topic, self.lexicon) for h in hits)

    def _composed(
        self, question: str, audience: str, composer: Composer, reading: QuestionReading
    ) -> Iterator[dict[str, Any]]:
        """Retrieve, compose, verify, finish: the composer's events, the answer last."""
        from medcite.compose.lock import TopicLock, answering_documents
        from medcite.compose.study import study_documents
        from medcite.reader.pipeline import finish
        from medcite.verify.answers import verify_answer

        started = time.perf_counter()
        hits = self.retriever.search(
            reading.query,
            k=self.settings.compose.retrieve_k,
            also=reading.also,
            intent=reading.intent,
        )
        sources = TopicLock(reading, self.lexicon).sources(hits)
        answering = answering_documents(reading, sources) + study_documents(reading, sources)
        hits = self.retriever.expand(hits, list(dict.fromkeys(answering)))
        retrieved = time.perf_counter()
        for event in composer.events(question, hits, audience=audience, reading=reading):
            if event["type"] != "answer":
                yield event
                continue
            answer = event["answer"]
            composed = time.perf_counter()
            verify_ms = verify_answer(answer, self.verifier, topic_terms=topic_terms(reading))
            count = self.settings.reader.related_questions
            related_ms = finish(answer, reading, self.related, count)
            steps = {
                "retrieve": (retrieved - started) * 1000,
                "compose": (composed - retrieved) * 1000,
                "verify": verify_ms,
                "related": related_ms,
                "total": (time.perf_counter() - started) * 1000,
            }
            self._stamp(answer, reading, steps)
            yield event

    def _stamp(self, answer: Answer, reading: QuestionReading, steps: dict[str, float]) -> None:
        """What every composed answer carries whichever composer wrote it: the ``engine``
        block (index, models, corpus, settings, thread, step timings), the draft review
        status and the disclaimer."""
        manifest = self.manifest()
        timings = answer.engine.get("timings_ms", {})  # the composer's own, e.g. the LLM's
        # The LLM composer verifies while composing (its gate); both count as verifying.
        steps = {**steps, "verify": timings.get("verify", 0.0) + steps["verify"]}
        answer.engine.update(
            {
                "index_backend": self.backend.name,
                "search_mode": self.retriever.effective_mode(),
                "embedding_model": manifest.get("embedder_model_id"),
                "corpus_version": manifest.get("corpus_snapshot"),
                "settings_hash": self.settings.settings_hash(),
                "medcite_version": _version(),
                "thread_turns": len(reading.history),
                "follow_up": reading.follow_up,
                "timings_ms": {**timings, **{k: round(v, 1) for k, v in steps.items()}},
            }
        )
        from medcite.compose.references import last_updated

        updated, basis = last_updated(answer.references, answer.generated_at)
        answer.review = {
            "status": "draft",
            "last_updated": updated,
            "last_updated_basis": basis,
            "reviewed_by": None,
            "label": UNREVIEWED,
        }
        answer.disclaimer = DISCLAIMER
        if self._embedder_problem:
            answer.warnings.append(f"Dense search off: {self._embedder_problem}")

    def answer_in_thread(
        self,
        thread_id: str | None,
        question: str,
        *,
        audience: str | None = None,
        composer: str | None = None,
        earlier: Sequence[str] = (),
    ) -> ThreadAnswer:
        """Answer ``question`` as the next turn of thread ``thread_id`` and record the turn.

        ``thread_id`` None starts a thread, whose first turns answer ``earlier`` (e.g. the
        questions of the page the reader continues from). ``audience`` defaults to that of
        the thread's latest answer. Every turn is composed live in the context of the turns
        before it."""
        for text in (*earlier, question):
            self.check_question(text)
        if thread_id is None:
            thread_id = self.threads.create(audience=audience or "clinician").thread_id
        for text in earlier:
            self._next_turn(thread_id, text, audience, composer)
        return self._next_turn(thread_id, question, audience, composer)

    def _next_turn(
        self, thread_id: str, question: str, audience: str | None, composer: str | None
    ) -> ThreadAnswer:
        thread = self.threads.get(thread_id)
        answer = self.answer(
            question,
            audience=audience or thread.latest_audience,
            history=thread.questions,
            composer=composer,
            live=True,
        )
        answer.engine["thread_id"] = thread_id
        answering = answer.answering or question
        self.threads.add_turn(thread_id, question, answering, answer.to_dict())
        return ThreadAnswer(thread_id, answer, thread.questions)

    def related_questions(
        self,
        question: str,
        n: int | None = None,
        *,
        exclude: Sequence[str] = (),
        context: Sequence[str] = (),
    ) -> list[str]:
        """Up to ``n`` (default: settings) other questions the corpus can answer, similar to
        ``question`` (or ``context``) but not to each other; see :mod:`medcite.reader.related`."""
        self._require_index()
        count = self.settings.reader.related_questions if n is None else n
        return self.related.find(question, count, exclude, context) if count else []

    def verify_text(self, text: str, *, fmt: str = "auto") -> dict[str, Any]:
        """Check an answer produced elsewhere (our JSON, Markdown/plain text with numbered
        references, or JSONL statements) against the corpus; the `medcite verify --format json`
        shape. See :mod:`medcite.verify.external`."""
        from medcite.verify.external import verify_external

        return verify_external(self, text, fmt=fmt)

    def check_question(self, question: str) -> str:
        """The question, stripped; raises QuestionError when it is empty or too long."""
        text = " ".join(question.split())
        limit = self.settings.compose.max_question_chars
        if not text:
            raise QuestionError(
                "the question is empty; ask something, "
                "e.g. 'What are the treatment options for gout?'"
            )
        if len(text) > limit:
            raise QuestionError(
                f"the question is {len(text):,} characters long; the limit is {limit:,}. "
                "Ask one focused question "
                "(raise MEDCITE_COMPOSE__MAX_QUESTION_CHARS to allow more)."
            )
        return text

    def document(self, doc_id: str) -> Document:
        """One stored document exactly as ingested; raises DataNotFound for an unknown id."""
        found = self.store.document(doc_id)
        if found is None:
            raise DataNotFound(f"no document {doc_id!r} in this corpus")
        return found

    def passage(self, passage_id: str) -> tuple[Passage, Document]:
        """One stored passage with its document; raises DataNotFound for an unknown id."""
        found = self.store.passages([passage_id]).get(passage_id)
        if found is None:
            raise DataNotFound(f"no passage {passage_id!r} in this corpus")
        return found

    def status(self) -> dict[str, Any]:
        """Corpus counts, index counts and the manifest, for `medcite status` and the home page."""
        return {
            "home": str(self.settings.home),
            "corpus": self.store.stats(),
            "index": {
                "passages": self.backend.count(),
                "vectors": self.backend.vector_count(),
                "pending": self.store.count_unindexed(),
            },
            "manifest": self.manifest(),
        }

    def _require_index(self) -> None:
        if self.backend.count() == 0:
            raise IndexNotReady(
                f"the index in {self.settings.index_dir} is empty: run `medcite ingest PATH...` "
                "(or `medcite demo`) first"
            )


def topic_terms(reading: QuestionReading) -> list[str]:
    """The forms of the question's topic that answer verification checks each cited document
    against (name, synonyms, broader name, short forms)."""
    topic = reading.topic
    if topic is None:
        return []
    forms = (topic.name, *topic.synonyms, topic.general, *topic.aliases)
    return [form for form in dict.fromkeys(forms) if form]


def _version() -> str:
    from importlib.metadata import version

    return version("medcite")
