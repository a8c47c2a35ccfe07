"""The contract every :class:`medcite.verify.base.Verifier` must pass.

class TestMyVerifier(VerifierContract):
    @pytest.fixture
    def verifier(self):
        return MyVerifier()
"""

from __future__ import annotations

import json

import pytest

from medcite.verify.base import LABELS, SUPPORTED, UNSUPPORTED, TextPassage, Verifier

PASSAGES = (
    TextPassage(
        "Natalizumab reduced the annualized relapse rate by 68% compared with placebo. "
        "Progressive multifocal leukoencephalopathy occurred in two patients.",
        "p1",
    ),
    TextPassage("Glatiramer acetate is given by subcutaneous injection once daily.", "p2"),
)


class VerifierContract:
    @pytest.fixture
    def verifier(self) -> Verifier:
        raise NotImplementedError("override the `verifier` fixture")

    def test_describes_itself(self, verifier: Verifier) -> None:
        assert verifier.name and verifier.version
        described = verifier.describe()
        assert (described["name"], described["version"]) == (verifier.name, verifier.version)
        json.dumps(described)  # it goes into every answer's engine block

    def test_exposes_the_drug_names_it_knows(self, verifier: Verifier) -> None:
        found = verifier.drugs.find("Natalizumab or glatiramer acetate")
        assert found <= {"natalizumab", "glatiramer acetate", "glatiramer"}
        assert bool(found) == verifier.drugs.available

    def test_the_lexical_only_check_gives_the_same_kind_of_verdict(
        self, verifier: Verifier
    ) -> None:
        statement = "Glatiramer acetate is given by subcutaneous injection once daily."
        assert verifier.verify(statement, PASSAGES, embeddings=False).label == SUPPORTED
        changed = "Natalizumab reduced the annualized relapse rate by 90% compared with placebo."
        verdict = verifier.verify(changed, PASSAGES, embeddings=False)
        assert verdict.label in LABELS and verdict.label != SUPPORTED and verdict.reasons

    def test_verbatim_sentence_is_supported(self, verifier: Verifier) -> None:
        statement = "Glatiramer acetate is given by subcutaneous injection once daily."
        assert verifier.verify(statement, PASSAGES).label == SUPPORTED

    def test_no_passages_is_unsupported(self, verifier: Verifier) -> None:
        assert verifier.verify("Natalizumab reduces relapses.", []).label == UNSUPPORTED

    def test_labels_scores_and_spans_are_well_formed(self, verifier: Verifier) -> None:
        statements = [
            "Natalizumab reduced the annualized relapse rate by 68% compared with placebo.",
            "Natalizumab reduced the annualized relapse rate by 90% compared with placebo.",
            "Statins lower LDL cholesterol.",
        ]
        for statement in statements:
            verdict = verifier.verify(statement, PASSAGES)
            assert verdict.label in LABELS
            assert 0.0 <= verdict.score <= 1.0
            assert verdict.reasons
            for span in verdict.supporting + verdict.contradicting:
                assert PASSAGES[span.passage_index].text[span.start : span.end] == span.quote

    def test_deterministic(self, verifier: Verifier) -> None:
        statement = "Natalizumab reduced the relapse rate by 90%."
        first, second = verifier.verify(statement, PASSAGES), verifier.verify(statement, PASSAGES)
        assert first.to_dict() == second.to_dict()
