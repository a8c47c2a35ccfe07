"""A real OpenAI-compatible server (llama.cpp + SmolLM2-135M) for the ``llm`` tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from medcite.config import Settings
from services import LlamaServer, llama_server, smollm2_gguf


@pytest.fixture(scope="session")
def llm_server() -> Iterator[LlamaServer]:
    with llama_server(smollm2_gguf()) as server:
        yield server


@pytest.fixture
def llm_settings(built_home: Path) -> Callable[..., Settings]:
    """Settings over the fixture corpus pointing at a server; ``**llm`` overrides the section."""

    def make(url: str, **llm: Any) -> Settings:
        # Small enough for a 135M model on 2 cores to answer in seconds.
        section = {"base_url": url, "model": "smollm2", "max_tokens": 400, "context_passages": 5}
        return Settings(home=built_home, llm={**section, **llm})

    return make
