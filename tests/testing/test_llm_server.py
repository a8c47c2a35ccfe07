"""The LLM test server fails loudly: a server that cannot start is one line saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from services import llama_server


def test_a_server_that_cannot_start_raises_one_line_saying_why(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model.gguf"
    with pytest.raises(RuntimeError) as raised, llama_server(missing):
        pass
    message = str(raised.value)
    assert "\n" not in message
    assert (
        message.startswith("LLM test server exited")
        and f"model file not found: {missing}" in message
    )
