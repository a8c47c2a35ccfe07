"""Per-intent evidence priors: labels lifted for dosing questions, guidelines for treatment."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.config import Settings
from medcite.models import EvidenceLevel
from medcite.retrieve.hybrid import INTENT_EVIDENCE_BONUS
from medcite.service import Engine

QUERY = "atorvastatin starting dose once daily"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    home = tmp_path_factory.mktemp("priors")
    trial = home / "trial.jsonl"
    trial.write_text(
        '{"id": "t1", "title": "Atorvastatin in older adults", "text": "Participants took '
        'atorvastatin 10 mg once daily as the starting dose for twelve weeks.", '
        '"publication_types": ["Randomized Controlled Trial"]}\n'
    )
    with Engine(Settings(home=home)) as engine:
        engine.ingest([shared_data / "fda_spl_samples" / "openfda__lipitor-orig.xml", trial])
    return home


def scores(home: Path, intent: str | None, **search: float) -> dict[str, tuple[float, str]]:
    with Engine(Settings(home=home, search=search)) as engine:
        hits = engine.retriever.search(QUERY, k=50, intent=intent)
    return {h.passage.passage_id: (h.score, h.document.evidence_level.value) for h in hits}


def test_dosing_intent_adds_the_label_bonus_and_nothing_else(home: Path) -> None:
    plain, dosing = scores(home, None), scores(home, "dosing")
    assert plain.keys() == dosing.keys()
    bonus = INTENT_EVIDENCE_BONUS["dosing"]
    for passage_id, (score, level) in plain.items():
        expected = bonus.get(EvidenceLevel(level), 0.0)
        assert dosing[passage_id][0] - score == pytest.approx(expected, abs=1e-9)
    assert any(level == "label" for _, level in plain.values())
    assert any(level == "rct" for _, level in plain.values())
    off = scores(home, "dosing", intent_prior=0)
    assert all(off[p][0] == pytest.approx(s) for p, (s, _) in plain.items())


def test_dosing_question_ranks_and_cites_the_label_first(home: Path) -> None:
    def top_level(intent: str | None) -> str:
        best = max(scores(home, intent).values())
        return best[1]

    assert top_level(None) == "rct"  # the trial sentence matches the query best ...
    assert top_level("dosing") == "label"  # ... but a dosing question is answered by the label
    with Engine(Settings(home=home)) as engine:
        answer = engine.answer("What is the starting dose of atorvastatin?")
    dosing = [s for s in answer.sections if s.kind == "dosing"]
    assert dosing, answer.to_dict()
    first = dosing[0].statements[0]
    cited = {r.n: r.document.evidence_level for r in answer.references}
    assert cited[first.citations[0]] is EvidenceLevel.LABEL
