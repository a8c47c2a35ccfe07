from __future__ import annotations

import pytest

from medcite.text.drugs import DrugLexicon
from medcite.verify.heuristic import HeuristicVerifier


@pytest.fixture(scope="session")
def drugs(tmp_path_factory: pytest.TempPathFactory) -> DrugLexicon:
    return DrugLexicon.load(tmp_path_factory.mktemp("drug-cache"))


@pytest.fixture(scope="session")
def verifier(drugs: DrugLexicon) -> HeuristicVerifier:
    return HeuristicVerifier(drugs=drugs)
