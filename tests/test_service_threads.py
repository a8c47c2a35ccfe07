"""One Engine shared by threads (as the web app shares it): the same results as one thread.

The parts that open on first use (the query embedder, the HNSW graph, the verifier's model)
are the ones a race would break: threads that start together on a cold engine must not
search BM25-only while another thread is still loading the embedder.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from medcite.config import Settings
from medcite.service import Engine

pytestmark = pytest.mark.dense

QUERIES = [
    "colchicine for acute gout flares",
    "allopurinol lowers serum urate",
    "interferon beta in relapsing multiple sclerosis",
    "inhaled corticosteroids for asthma control",
]
TEXTS = [
    "Colchicine taken early reduces the pain of acute gout flares in adults.",
    "Allopurinol lowers serum urate and prevents gout flares over months of treatment.",
    "Interferon beta reduces relapses in relapsing-remitting multiple sclerosis.",
    "Inhaled corticosteroids are the mainstay of long-term asthma control in children.",
    "NSAIDs such as naproxen treat gout attacks when colchicine is not tolerated.",
    "Ocrelizumab slows disability in primary progressive multiple sclerosis.",
    "Short-acting beta agonists relieve acute asthma symptoms within minutes.",
    "Febuxostat is an alternative urate-lowering drug for patients with gout.",
]
THREADS = 8


@pytest.fixture(scope="module")
def dense_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("dense-home")
    corpus = home.parent / "dense-threads.jsonl"
    rows = [{"id": f"t{i}", "title": text.split()[0], "text": text} for i, text in enumerate(TEXTS)]
    corpus.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with Engine(Settings(home=home)) as engine:
        engine.ingest([corpus])
        assert engine.embed().vectors == len(TEXTS)
    return home


def _results(engine: Engine, query: str) -> list[tuple[str, float]]:
    return [(hit.passage.passage_id, round(hit.score, 9)) for hit in engine.search(query, k=5)]


def test_threads_starting_together_on_a_cold_engine_get_the_serial_results(
    dense_home: Path,
) -> None:
    with Engine(Settings(home=dense_home)) as warm:
        assert warm.retriever.effective_mode() == "hybrid"
        expected = {query: _results(warm, query) for query in QUERIES}
    got: list[tuple[str, list[tuple[str, float]]]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)
    with Engine(Settings(home=dense_home)) as cold:

        def search(i: int) -> None:
            query = QUERIES[i % len(QUERIES)]
            start.wait()
            try:
                got.append((query, _results(cold, query)))
            except BaseException as exc:  # reported below, with the thread's query
                errors.append(exc)

        threads = [threading.Thread(target=search, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    assert len(got) == THREADS
    # Hybrid (RRF) scores differ from BM25 scores: a thread that searched while another was
    # loading the embedder would show BM25 scores here.
    assert [result for query, result in got if result != expected[query]] == []
