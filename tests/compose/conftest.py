"""A real OpenAI-compatible server (llama.cpp + SmolLM2-135M) for the ``llm`` tests, and small
real corpora picked from the shared data for tests that need particular documents."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from medcite.config import Settings
from medcite.service import Engine
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


SmallCorpus = Callable[..., Engine]


def _subset(src: Path, dest: Path, keep: Callable[[dict[str, Any]], bool]) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with src.open(encoding="utf-8") as fh, dest.open("w", encoding="utf-8") as out:
        out.writelines(line for line in fh if keep(json.loads(line)))
    return dest


@pytest.fixture(scope="module")
def small_corpus(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> Iterator[SmallCorpus]:
    """Builds an indexed engine over the shared data's SciFact abstracts ``scifact`` (ids),
    PubMedQA abstracts ``pubmedqa`` (PMIDs) and MedQuAD pages whose focus is in ``focus``."""
    with ExitStack() as stack:

        def build(
            scifact: set[str] = frozenset(),  # type: ignore[assignment]
            pubmedqa: set[str] = frozenset(),  # type: ignore[assignment]
            focus: set[str] = frozenset(),  # type: ignore[assignment]
        ) -> Engine:
            root = tmp_path_factory.mktemp("corpus")
            data = shared_data
            paths = [
                _subset(
                    data / "medquad" / "medquad.jsonl",
                    root / "medquad.jsonl",
                    lambda row: row["focus"] in focus,
                ),
                _subset(
                    data / "pubmedqa" / "corpus.jsonl",
                    root / "pubmedqa.jsonl",
                    lambda row: row["pmid"] in pubmedqa,
                ),
            ]
            if scifact:
                _subset(
                    data / "scifact" / "corpus.jsonl",
                    root / "scifact" / "corpus.jsonl",
                    lambda row: row["_id"] in scifact,
                )
                paths.append(root / "scifact")
            engine = stack.enter_context(Engine(Settings(home=root / "home")))
            engine.ingest(paths)
            return engine

        yield build
