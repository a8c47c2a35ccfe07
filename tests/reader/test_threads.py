"""Threads: the SQLite store, follow-ups through Engine.answer, persistence, `ask --thread`."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.config import Settings
from medcite.library.db import open_thread_store
from medcite.reader.threads import ThreadNotFound
from medcite.service import Engine

FIRST = "What are the treatment options for multiple sclerosis?"


def test_store_keeps_turns_in_order_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "threads.sqlite"
    store = open_thread_store(path)
    thread = store.create(audience="nurse")
    store.add_turn(thread.thread_id, "q1", "q1", {"bottom_line": {"text": "x"}})
    store.add_turn(thread.thread_id, "and q2?", "q1 q2", None)
    other = store.create()
    store.close()

    reopened = open_thread_store(path)
    try:
        loaded = reopened.get(thread.thread_id)
        assert loaded.audience == "nurse"
        assert loaded.questions == ["q1", "and q2?"]
        assert [t.ordinal for t in loaded.turns] == [1, 2]
        assert loaded.turns[0].answer == {"bottom_line": {"text": "x"}}
        assert reopened.get(other.thread_id).turns == []
        assert [t.answering for t in loaded.turns] == ["q1", "q1 q2"]
        assert other.thread_id != thread.thread_id and len(thread.thread_id) >= 12
    finally:
        reopened.close()


def test_unknown_thread_is_a_clear_error(tmp_path: Path) -> None:
    store = open_thread_store(tmp_path / "t.sqlite")
    try:
        with pytest.raises(ThreadNotFound, match="no thread 'nope'"):
            store.get("nope")
        with pytest.raises(ThreadNotFound):
            store.add_turn("nope", "q", "q", None)
    finally:
        store.close()


def test_follow_up_is_rewritten_and_retrieval_uses_the_rewrite(reader_engine: Engine) -> None:
    answer = reader_engine.answer("What about dosing?", history=[FIRST])
    assert answer.question == "What about dosing?"
    assert answer.answering == "dosing of treatments for multiple sclerosis"
    assert answer.intent == "dosing"
    assert answer.engine["thread_turns"] == 1 and answer.engine["follow_up"] is True
    assert not answer.insufficient_evidence  # alone, "What about dosing?" is about nothing
    cited = " ".join(r.document.title + " " + r.passage.text for r in answer.references).lower()
    assert "sclerosis" in cited


def test_a_standalone_question_is_answered_as_asked(reader_engine: Engine) -> None:
    answer = reader_engine.answer(FIRST)
    assert answer.answering == FIRST
    assert answer.engine["thread_turns"] == 0 and answer.engine["follow_up"] is False


def test_threads_persist_across_engine_instances(reader_settings: Settings) -> None:
    with Engine(reader_settings) as engine:
        thread_id = engine.threads.create().thread_id
        engine.answer_in_thread(thread_id, FIRST)
    with Engine(reader_settings) as engine:
        answer = engine.answer_in_thread(thread_id, "and in children?").answer
        thread = engine.threads.get(thread_id)
    assert answer.answering == "treatment of multiple sclerosis in children"
    assert answer.engine["thread_id"] == thread_id
    assert thread.questions == [FIRST, "and in children?"]
    assert thread.turns[1].answering == answer.answering
    assert thread.turns[1].answer["answering"] == answer.answering


def test_cli_ask_new_thread_then_thread(
    reader_settings: Settings, monkeypatch: pytest.MonkeyPatch, answer_schema: dict
) -> None:
    monkeypatch.setenv("MEDCITE_READER__THREADS_URL", str(reader_settings.threads_db))
    runner = CliRunner()
    home = ["--home", str(reader_settings.home)]
    first = runner.invoke(app, ["ask", FIRST, "--new-thread", "--format", "json", *home])
    assert first.exit_code == 0, first.output
    thread_id = first.stderr.split()[1]
    second = runner.invoke(app, ["ask", "What about dosing?", "--thread", thread_id, *home])
    assert second.exit_code == 0, second.output
    assert "Answering: dosing of treatments for multiple sclerosis" in second.stdout
    as_json = runner.invoke(
        app, ["ask", "and in pregnancy?", "--thread", thread_id, "--format", "json", *home]
    )
    answer = json.loads(as_json.stdout)
    jsonschema.validate(answer, answer_schema)
    assert answer["answering"] == "dosing of treatments for multiple sclerosis during pregnancy"
    assert answer["engine"]["thread_turns"] == 2
    missing = runner.invoke(app, ["ask", "and?", "--thread", "nope", *home])
    assert missing.exit_code == 2 and "no thread 'nope'" in missing.stderr
    both = runner.invoke(app, ["ask", "x", "--thread", thread_id, "--new-thread", *home])
    assert both.exit_code == 2
