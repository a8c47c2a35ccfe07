"""The Markdown rendering says what the verifier found: flags on statements, the heuristic note."""

from __future__ import annotations

from medcite.compose.markdown import LABEL_FLAGS, to_markdown
from medcite.service import Engine

MS = "What are the treatment options for multiple sclerosis?"


def test_markdown_says_the_labels_are_heuristic_and_flags_weak_statements(engine: Engine) -> None:
    answer = engine.answer(MS)
    statements = [s for section in answer.sections for s in section.statements]
    assert statements and all(s.label == "supported" for s in statements)
    clean = to_markdown(answer)
    assert answer.engine["verifier"]["note"] in clean
    assert not any(flag in clean for flag in LABEL_FLAGS.values())

    statements[0].label = "contradicted"
    flagged = to_markdown(answer)
    line = next(line for line in flagged.splitlines() if line.startswith(f"- {statements[0].text}"))
    assert line.endswith("(contradicted by a source)")
