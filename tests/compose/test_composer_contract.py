"""Both composers pass the one Composer contract (medcite.testing.composer_contract)."""

from __future__ import annotations

import pytest

from medcite.compose.extractive import ExtractiveComposer
from medcite.compose.llm import LLMComposer
from medcite.testing.composer_contract import ComposerContract
from medcite.verify.heuristic import HeuristicVerifier


class TestExtractiveComposer(ComposerContract):
    @pytest.fixture
    def composer(self) -> ExtractiveComposer:
        return ExtractiveComposer()


@pytest.mark.llm
class TestLLMComposer(ComposerContract):
    @pytest.fixture
    def composer(self, llm_server, llm_settings) -> LLMComposer:
        settings = llm_settings(llm_server.url)
        return LLMComposer(settings.llm, HeuristicVerifier(), fallback=ExtractiveComposer())
