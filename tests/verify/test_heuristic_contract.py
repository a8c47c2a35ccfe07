from __future__ import annotations

import pytest

from medcite.testing.verifier_contract import PASSAGES, VerifierContract
from medcite.text.drugs import DrugLexicon
from medcite.verify.heuristic import HeuristicVerifier


class TestHeuristicVerifier(VerifierContract):
    @pytest.fixture
    def verifier(self, drugs: DrugLexicon) -> HeuristicVerifier:
        return HeuristicVerifier(drugs=drugs)


class TestHeuristicVerifierWithoutDrugLexicon(VerifierContract):
    """Without the drug dictionary the verifier degrades, it does not break."""

    @pytest.fixture
    def verifier(self) -> HeuristicVerifier:
        return HeuristicVerifier(drugs=DrugLexicon({}))


@pytest.mark.dense
class TestHeuristicVerifierWithMiniLM(VerifierContract):
    @pytest.fixture
    def verifier(self, drugs: DrugLexicon) -> HeuristicVerifier:
        from medcite.config import Settings
        from medcite.index.embed import OnnxEmbedder

        return HeuristicVerifier(embedder=OnnxEmbedder(Settings().embed), drugs=drugs)

    def test_similarity_lifts_a_paraphrase_lexical_overlap_misses(
        self, verifier: HeuristicVerifier, drugs: DrugLexicon
    ) -> None:
        statement = "Natalizumab lowered the yearly relapse frequency by 68% versus placebo."
        lexical = HeuristicVerifier(drugs=drugs).verify(statement, PASSAGES)
        with_minilm = verifier.verify(statement, PASSAGES)
        assert lexical.label == "unsupported"
        assert with_minilm.score > lexical.score and with_minilm.label != "unsupported"
        assert "similarity-adjusted" in with_minilm.reasons[0]
