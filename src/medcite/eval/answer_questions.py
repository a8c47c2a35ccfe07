"""The questions `medcite eval answers` asks, and the check that they fit the corpus.

Two formats share one loader (one question per JSONL line):

- the original set (``eval/questions.jsonl``): ``{"id", "question", "expected_facts"?}``,
  facts matched by content stems;
- the clinician set (``eval/answers/<split>/questions.jsonl``, one folder per name in
  ``SPLITS``, see its README): every row carries ``split``, ``answerable``, ``audience``,
  ``source``, ``aspects``, ``expected_documents``, ``key_facts`` (each a list of alternative
  regular expressions), ``topic_terms`` (regular expressions) and, when the corpus lacks what
  is asked, ``missing``/``missing_terms``.

    questions = load_question_set(Path("eval/answers"), "dev")
    problems = check_against_corpus(questions, shared_data)   # [] when every fact is there

Regular expressions are searched case-insensitively; ``(?-i:MS)`` makes a part exact.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medcite.eval.jsonl import read_jsonl

# dev is tuned on, test is read when judging; holdout, fresh, final, unseen, cold and sealed are
# written blind and read by neither (fresh, final, unseen, cold and sealed, each on new topics
# again, for the issue 15 measurements).
SPLITS = ("dev", "test", "holdout", "fresh", "final", "unseen", "cold", "sealed")
SPLIT_CHOICES = ", ".join(SPLITS) + " or all"
AUDIENCES = ("clinician", "pharmacist", "nurse", "student", "patient")
NEW_FORMAT_KEYS = ("split", "answerable", "aspects", "expected_documents", "key_facts")

Alternatives = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    expected_facts: tuple[str, ...] = ()  # original set: matched by content stems
    split: str = ""
    answerable: bool = True
    audience: str = "clinician"
    source: str = ""  # the stratum: MedQuAD agency, PubMedQA, SciFact, or "absent"
    aspects: tuple[str, ...] = ()
    expected_documents: tuple[str, ...] = ()
    key_facts: tuple[Alternatives, ...] = ()
    topic_terms: tuple[str, ...] = ()
    missing: str = ""
    missing_terms: tuple[Alternatives, ...] = field(default_factory=tuple)


def load_questions(path: Path) -> list[Question]:
    """Every question of one JSONL file; a bad line raises ValueError naming its number."""
    return read_jsonl(path, parse_question)


def load_question_set(folder: Path, split: str) -> list[Question]:
    """The questions of ``folder/<split>/questions.jsonl`` (``split`` one of ``SPLITS``, or
    ``all``: every split the folder has, at least one)."""
    if split not in (*SPLITS, "all"):
        raise ValueError(f"unknown split {split!r}; use {SPLIT_CHOICES}")
    names: tuple[str, ...] = (split,)
    if split == "all":
        names = tuple(n for n in SPLITS if (folder / n / "questions.jsonl").is_file()) or SPLITS
    questions = []
    for name in names:
        path = folder / name / "questions.jsonl"
        if not path.is_file():
            raise ValueError(f"{path} not found: is {folder} a question set folder?")
        loaded = load_questions(path)
        strays = [q.id for q in loaded if q.split != name]
        if strays:
            raise ValueError(f"{path}: questions not marked split {name!r}: {', '.join(strays)}")
        questions += loaded
    duplicates = _duplicates(q.id for q in questions)
    if duplicates:
        raise ValueError(f"{folder}: duplicate question ids: {', '.join(duplicates)}")
    return questions


def parse_question(row: dict[str, Any]) -> Question:
    """One JSONL row, in either format; raises on a missing key or a bad pattern."""
    identity = (str(row["id"]), str(row["question"]))
    if not any(key in row for key in NEW_FORMAT_KEYS):
        return Question(*identity, expected_facts=tuple(row.get("expected_facts", [])))
    question = Question(
        *identity,
        split=str(row["split"]),
        answerable=_boolean(row["answerable"], "answerable"),
        audience=str(row.get("audience", "clinician")),
        source=str(row.get("source", "")),
        aspects=_strings(row["aspects"], "aspects"),
        expected_documents=_strings(row["expected_documents"], "expected_documents"),
        key_facts=tuple(_strings(f, "key_facts") for f in _list(row["key_facts"], "key_facts")),
        topic_terms=_strings(row["topic_terms"], "topic_terms"),
        missing=str(row.get("missing", "")),
        missing_terms=tuple(
            _strings(t, "missing_terms") for t in _list(row.get("missing_terms", []), "missing")
        ),
    )
    _check_consistent(question)
    return question


def check_against_corpus(questions: Sequence[Question], shared_data: Path) -> list[str]:
    """Problems that make a question unfair, read against the demo data files: an expected
    document that does not exist, a key fact no expected document states, a topic term no
    expected document contains, or, for a question the corpus cannot answer, a document that
    does hold what it says is missing (one matching every ``missing_terms`` group)."""
    texts = corpus_texts(shared_data)
    problems = []
    for q in questions:
        found = [texts[d] for d in q.expected_documents if d in texts]
        problems += [f"{q.id}: no document {d}" for d in q.expected_documents if d not in texts]
        if q.answerable:
            problems += [
                f"{q.id}: no expected document states {list(fact)}"
                for fact in q.key_facts
                if not any(matches(fact, text) for text in found)
            ]
            if found and not any(matches(q.topic_terms, text) for text in found):
                problems.append(f"{q.id}: no expected document contains a topic term")
        else:
            problems += [
                f"{q.id}: {doc_id} holds what is said to be missing"
                for doc_id, text in texts.items()
                if all(matches(group, text) for group in q.missing_terms)
            ]
    return problems


def corpus_texts(shared_data: Path) -> dict[str, str]:
    """Title and text of every demo-corpus document, by the doc id the demo index gives it
    (``medquad:<id>``, ``pmid:<pmid>``, ``scifact:<id>``; see ``medcite.sources``)."""
    texts: dict[str, str] = {}
    for row in _rows(shared_data / "medquad" / "medquad.jsonl"):
        texts[f"medquad:{row['id']}"] = f"{row['question']}\n{row['answer']}"
    for row in _rows(shared_data / "pubmedqa" / "corpus.jsonl"):
        texts[f"pmid:{row['pmid']}"] = "\n".join([row.get("title") or "", *row["contexts"]])
    for row in _rows(shared_data / "scifact" / "corpus.jsonl"):
        texts[f"scifact:{row['_id']}"] = f"{row.get('title', '')}\n{row['text']}"
    return texts


def matches(alternatives: Iterable[str], text: str) -> bool:
    """Whether any of the patterns occurs in ``text`` (case-insensitive)."""
    return any(re.search(p, text, re.IGNORECASE) for p in alternatives)


def _check_consistent(q: Question) -> None:
    if q.split not in SPLITS:
        raise ValueError(f"{q.id}: split must be one of {SPLITS}, not {q.split!r}")
    if q.audience not in AUDIENCES:
        raise ValueError(f"{q.id}: unknown audience {q.audience!r}")
    if not q.aspects or not q.topic_terms:
        raise ValueError(f"{q.id}: aspects and topic_terms must not be empty")
    if q.answerable and not (q.expected_documents and q.key_facts):
        raise ValueError(f"{q.id}: an answerable question needs expected_documents and key_facts")
    if not q.answerable and not (q.missing and q.missing_terms):
        raise ValueError(f"{q.id}: an unanswerable question must say what is missing")
    for pattern in (*q.topic_terms, *(p for f in (*q.key_facts, *q.missing_terms) for p in f)):
        re.compile(pattern, re.IGNORECASE)


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{name} must be a list, not {type(value).__name__}")
    return value


def _strings(value: Any, name: str) -> tuple[str, ...]:
    items = _list(value, name)
    if not all(isinstance(item, str) and item for item in items):
        raise ValueError(f"{name} must hold non-empty strings")
    return tuple(items)


def _boolean(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false")
    return value


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        yield from (json.loads(line) for line in fh if line.strip())
