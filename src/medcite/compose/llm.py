"""The LLM composer: fluent answers from any OpenAI-compatible endpoint, every sentence checked.

    composer = LLMComposer(settings.llm, verifier, fallback=ExtractiveComposer(settings.compose))
    answer = composer.compose(question, hits, audience="clinician")

The model sees the top passages numbered [1]..[k] and is asked for a JSON answer (bottom line
plus sections of statements, each citing passage numbers). What it writes is then treated as a
draft, never as the answer:

* citation numbers outside 1..k are discarded (invented references cannot reach the output);
* every statement is verified against each passage it cites; passages that do not support it
  lose the citation; a statement left with none is re-cited to the retrieved passages that do
  support it, or else dropped (listed in ``warnings``) or shown as unsupported, per
  ``settings.unsupported``;
* references are numbered by first use among the statements that survive, one per document
  (each evidence entry names the passage of it that supports the statement).

On timeout, connection failure, server error, unparseable output or a draft of which no
statement survives, the extractive composer answers instead, and the answer says so (a
warning plus ``engine["composer"]`` and ``engine["fallback"]``).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from medcite.compose.base import Composer
from medcite.compose.chat import ChatClient, ChatError, ChatReply, token_counts
from medcite.compose.draft import (
    Draft,
    DraftStatement,
    UnparseableOutput,
    parse_draft,
    readable_text,
)
from medcite.compose.extractive import evidence_currency
from medcite.compose.lock import TopicLock, absent_drugs, insufficient_answer, missing_topic
from medcite.compose.prompts import Prompt, build_prompt
from medcite.compose.references import ReferenceNumbering
from medcite.config import LLMSettings
from medcite.errors import MedciteError
from medcite.models import Answer, AnswerSection, Evidence, Hit, Statement
from medcite.question.reading import QuestionReading, read_question
from medcite.text.drugs import DrugLexicon
from medcite.verify.base import PARTIAL, SUPPORTED, UNSUPPORTED, Verdict, Verifier

# Passages tried, by word overlap, when a statement needs a new citation.
RECITE_CANDIDATES = 8
MAX_CITATIONS = 3
KEPT = frozenset({SUPPORTED, PARTIAL})

Event = dict[str, Any]


class LLMNotConfigured(MedciteError):
    pass


class NothingVerified(Exception):
    """No generated statement survived verification."""


@dataclass
class _Gate:
    """Counts of what verification did to a draft; recorded in ``engine["statements"]``."""

    generated: int = 0
    kept: int = 0
    recited: int = 0
    dropped: int = 0
    shown_unsupported: int = 0
    invented_citations: int = 0
    dropped_texts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, int]:
        return {
            "generated": self.generated,
            "kept": self.kept,
            "recited": self.recited,
            "dropped": self.dropped,
            "shown_unsupported": self.shown_unsupported,
            "invented_citations": self.invented_citations,
        }


class LLMComposer:
    """Composes answers with a chat model; see the module docstring."""

    name = "llm"

    def __init__(self, settings: LLMSettings, verifier: Verifier, *, fallback: Composer) -> None:
        if not settings.base_url:
            raise LLMNotConfigured(
                "the LLM composer is not configured: set MEDCITE_LLM_BASE_URL (and "
                "MEDCITE_LLM_MODEL, MEDCITE_LLM_API_KEY if the endpoint needs them)"
            )
        if importlib.util.find_spec("httpx") is None:
            raise LLMNotConfigured("the LLM composer needs httpx: pip install 'medcite[llm]'")
        self.settings = settings
        self.verifier = verifier
        self.fallback = fallback

    def compose(
        self,
        question: str,
        hits: list[Hit],
        *,
        audience: str = "clinician",
        reading: QuestionReading | None = None,
    ) -> Answer:
        """The verified answer (or the extractive fallback); see :meth:`events`."""
        for event in self.events(question, hits, audience=audience, reading=reading):
            if event["type"] == "answer":
                return event["answer"]
        raise AssertionError("events() always ends with an answer")  # pragma: no cover

    def events(
        self,
        question: str,
        hits: list[Hit],
        *,
        audience: str = "clinician",
        reading: QuestionReading | None = None,
    ) -> Iterator[Event]:
        """``{"type": "delta", "text"}`` while the model writes (readable statement text),
        ``{"type": "fallback", "reason"}`` if it fails, then ``{"type": "answer", "answer":
        Answer}`` (an :class:`Answer` object, verified).

        The model sees only passages the topic lock lets through (their document or the
        passage itself names every concept of the reading); when there are none, it is not
        asked at all and the answer abstains, naming what is missing."""
        lexicon = DrugLexicon.load()
        reading = reading or read_question(question, lexicon=lexicon)
        lock = TopicLock(reading, lexicon)
        usable = [s.hit for s in lock.passage_sources(lock.sources(hits))]
        absent = absent_drugs(reading, hits, lexicon)
        if hits and reading.concepts and (absent or not usable):
            missing = [" or ".join(absent) if absent else missing_topic(reading, hits, lexicon)]
            yield {
                "type": "answer",
                "answer": insufficient_answer(question, audience, reading, self.name, missing),
            }
            return
        context = usable[: self.settings.context_passages]
        prompt = build_prompt(
            question,
            context,
            intent=reading.intent,
            audience=audience,
            version=self.settings.prompt_version,
            passage_chars=self.settings.passage_chars,
        )
        reply = ChatReply()
        started = time.perf_counter()
        generated: float | None = None
        try:
            if not context:
                raise NothingVerified("no passage was retrieved to write from")
            yield from self._generate(prompt, reply)
            generated = time.perf_counter()
            draft = parse_draft(reply.text)
            answer = self._verified_answer(question, audience, reading, draft, context, usable)
        except (ChatError, UnparseableOutput, NothingVerified) as exc:
            generated = generated or time.perf_counter()
            reason = _reason(exc)
            yield {"type": "fallback", "reason": reason}
            answer = self._fallback(question, hits, audience, reading, reason)
        verified = time.perf_counter()
        answer.engine.update(self._describe(prompt, reply))
        answer.engine["timings_ms"] = {
            **answer.engine.get("timings_ms", {}),
            "generate": _ms(generated - started),
            "verify": _ms(verified - generated),
        }
        yield {"type": "answer", "answer": answer}

    # -- generation ----------------------------------------------------------------------

    def _generate(self, prompt: Prompt, reply: ChatReply) -> Iterator[Event]:
        shown = ""
        with ChatClient(self.settings) as client:
            for _ in client.stream(prompt.messages, schema=prompt.schema, reply=reply):
                readable = readable_text(reply.text)
                if len(readable) > len(shown) and readable.startswith(shown):
                    yield {"type": "delta", "text": readable[len(shown) :]}
                    shown = readable

    def _describe(self, prompt: Prompt, reply: ChatReply) -> dict[str, Any]:
        url = urlsplit(self.settings.base_url or "")
        port = f":{url.port}" if url.port else ""
        return {
            "llm": {
                # Host and path only: a URL may carry credentials (user:password@).
                "endpoint": f"{url.scheme}://{url.hostname}{port}{url.path}",
                "model": reply.model or self.settings.model,
                "response_format": reply.response_format,
                "finish_reason": reply.finish_reason,
            },
            "prompt": prompt.describe(),
            "tokens": token_counts(reply),
        }

    # -- verification --------------------------------------------------------------------

    def _verified_answer(
        self,
        question: str,
        audience: str,
        reading: QuestionReading,
        draft: Draft,
        context: list[Hit],
        usable: list[Hit],
    ) -> Answer:
        gate = _Gate(generated=len(draft.statements()))
        numbering = ReferenceNumbering()  # by first use among the statements that survive
        bottom = self._checked(draft.bottom_line, context, usable, gate, numbering)
        titles = {spec.kind: spec.title for spec in reading.template}
        sections: dict[str, AnswerSection] = {}
        seen = {bottom.text.casefold()} if bottom else set()
        for part in draft.sections:
            kind = part.kind if part.kind in titles else "other"
            for raw in part.statements:
                if raw.text.casefold() in seen:
                    gate.generated -= 1  # a repeat is not a statement of its own
                    continue
                seen.add(raw.text.casefold())
                checked = self._checked(raw, context, usable, gate, numbering)
                if checked is None:
                    continue
                title = titles.get(kind) or part.title or "Other findings"
                sections.setdefault(kind, AnswerSection(title, kind, [])).statements.append(checked)
        if bottom is None:
            promoted = next((s for s in sections.values() if s.statements), None)
            if promoted is None:
                raise NothingVerified(
                    f"none of the {gate.generated} generated statements is supported by the "
                    "retrieved passages"
                )
            bottom = promoted.statements.pop(0)
        answer = Answer(
            question=question,
            audience=audience,
            intent=reading.intent,
            bottom_line=bottom,
            sections=[s for s in sections.values() if s.statements],
            references=numbering.references,
            generated_at=_now(),
            engine={"composer": self.name, "statements": gate.to_dict()},
            question_reading=reading.to_dict(),
        )
        answer.evidence_currency = evidence_currency(answer.references)
        answer.warnings.extend(_gate_warnings(gate, self.settings.unsupported))
        return answer

    def _checked(
        self,
        raw: DraftStatement,
        context: list[Hit],
        usable: list[Hit],
        gate: _Gate,
        numbering: ReferenceNumbering,
    ) -> Statement | None:
        """The statement with citations to passages that support it, or None (dropped)."""
        valid = [n for n in raw.citations if 1 <= n <= len(context)]
        gate.invented_citations += len(raw.citations) - len(valid)
        cited = [context[n - 1] for n in dict.fromkeys(valid)]
        support = self._supporting(raw.text, cited)
        if not support:
            others = [h for h in _by_overlap(raw.text, usable) if h not in cited]
            support = self._supporting(raw.text, others[:RECITE_CANDIDATES])[:MAX_CITATIONS]
            gate.recited += bool(support)
        if support:
            gate.kept += 1
            return _statement(raw.text, support, numbering)
        if self.settings.unsupported == "show" and cited:
            gate.shown_unsupported += 1
            verdicts = [(hit, self.verifier.verify(raw.text, [hit.passage])) for hit in cited]
            return _statement(raw.text, verdicts, numbering, label=UNSUPPORTED)
        gate.dropped += 1
        gate.dropped_texts.append(raw.text)
        return None

    def _supporting(self, text: str, hits: list[Hit]) -> list[tuple[Hit, Verdict]]:
        """The hits that each, on their own, support ``text`` (supported first)."""
        verdicts = [(hit, self.verifier.verify(text, [hit.passage])) for hit in hits]
        kept = [(hit, v) for hit, v in verdicts if v.label in KEPT and v.supporting]
        return sorted(kept, key=lambda pair: (pair[1].label != SUPPORTED, -pair[1].score))

    # -- fallback ------------------------------------------------------------------------

    def _fallback(
        self,
        question: str,
        hits: list[Hit],
        audience: str,
        reading: QuestionReading,
        reason: str,
    ) -> Answer:
        answer = self.fallback.compose(question, hits, audience=audience, reading=reading)
        answer.engine["composer"] = f"{self.fallback.name} (fallback: llm {reason})"
        answer.engine["fallback"] = {"from": self.name, "reason": reason}
        answer.warnings.insert(
            0,
            f"The LLM composer failed ({reason}); this answer was composed extractively "
            "from verbatim source sentences instead.",
        )
        return answer


def _statement(
    text: str,
    verdicts: list[tuple[Hit, Verdict]],
    numbering: ReferenceNumbering,
    *,
    label: str | None = None,
) -> Statement:
    """A statement citing each hit, with the verdict's best span as that citation's evidence."""
    evidence = []
    for hit, verdict in verdicts:
        span = verdict.best
        start, end, quote = (span.start, span.end, span.quote) if span else (0, 0, "")
        pid = hit.passage.passage_id
        n = numbering.number(hit)
        evidence.append(Evidence(n, quote, verdict.score, pid, start, end, verdict.label))
    labels = {v.label for _, v in verdicts}
    support = label or (SUPPORTED if labels == {SUPPORTED} else PARTIAL)
    citations = list(dict.fromkeys(e.n for e in evidence))  # two passages of one source: one n
    return Statement(text, citations, support, evidence, label=support)


def _by_overlap(text: str, hits: list[Hit]) -> list[Hit]:
    """Hits ordered by how many of the statement's content words their passage holds."""
    from medcite.text.terms import stem_set

    words = stem_set(text)
    return sorted(hits, key=lambda h: -len(words & stem_set(h.passage.text)))


def _gate_warnings(gate: _Gate, mode: str) -> list[str]:
    warnings = []
    if gate.invented_citations:
        warnings.append(
            f"The model cited {gate.invented_citations} passage number(s) it was not given; "
            "those citations were removed."
        )
    if gate.recited:
        warnings.append(
            f"{gate.recited} generated statement(s) were re-cited to the retrieved passages "
            "that support them."
        )
    for text in gate.dropped_texts:
        warnings.append(f"Dropped (no retrieved passage supports it): {text}")
    if gate.shown_unsupported and mode == "show":
        warnings.append(
            f"{gate.shown_unsupported} statement(s) marked unsupported: their cited passages "
            "do not state them."
        )
    return warnings


def _reason(exc: Exception) -> str:
    if isinstance(exc, ChatError):
        return exc.reason
    if isinstance(exc, UnparseableOutput):
        return f"unparseable output: {exc}"
    return str(exc)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")
