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
        statement = "Natalizumab lowered the yearly relapse frequency versus placebo."
        # Rules only: the learned model may call this paraphrase supported on words alone
        # (probability 0.40 since the rules changed); the point here is the alignment.
        lexical = HeuristicVerifier(drugs=drugs, learned=False).verify(statement, PASSAGES)
        with_minilm = verifier.verify(statement, PASSAGES)
        assert lexical.label != "supported"
        assert with_minilm.score > lexical.score and with_minilm.label == "supported"
        assert "similarity-adjusted" in with_minilm.reasons[0]
