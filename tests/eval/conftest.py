"""Tiny labelled datasets cut from the shared data, for smoke runs of every eval."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture(scope="session")
def mini_beir(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A BEIR folder ``minifact``: 15 SciFact test queries, their documents and 100 others."""
    scifact = shared_data / "scifact"
    with (scifact / "qrels" / "test.tsv").open(encoding="utf-8") as fh:
        qrels = list(csv.DictReader(fh, delimiter="\t"))
    chosen = sorted({row["query-id"] for row in qrels}, key=int)[:15]
    kept = [row for row in qrels if row["query-id"] in chosen]
    relevant = {row["corpus-id"] for row in kept}
    corpus = _rows(scifact / "corpus.jsonl")
    docs = [d for d in corpus if d["_id"] in relevant] + [
        d for d in corpus[:150] if d["_id"] not in relevant
    ][:100]
    folder = tmp_path_factory.mktemp("beir") / "minifact"
    _write(folder / "corpus.jsonl", docs)
    _write(folder / "queries.jsonl", _rows(scifact / "queries.jsonl"))
    (folder / "qrels").mkdir()
    with (folder / "qrels" / "test.tsv").open("w", encoding="utf-8") as fh:
        fh.write("query-id\tcorpus-id\tscore\n")
        fh.writelines(f"{r['query-id']}\t{r['corpus-id']}\t{r['score']}\n" for r in kept)
    return folder


@pytest.fixture(scope="session")
def mini_pubmedqa(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A PubMedQA folder: 20 dev and 10 test questions, their abstracts and 30 others."""
    source = shared_data / "pubmedqa"
    dev = _rows(source / "dev.jsonl")[:20]
    test = _rows(source / "test_questions.jsonl")[:10]
    wanted = {r["pmid"] for r in dev + test}
    corpus = _rows(source / "corpus.jsonl")
    rows = [r for r in corpus if r["pmid"] in wanted]
    rows += [r for r in corpus if r["pmid"] not in wanted][:30]
    folder = tmp_path_factory.mktemp("pqa") / "pubmedqa"
    _write(folder / "corpus.jsonl", rows)
    _write(folder / "dev.jsonl", dev)
    _write(folder / "test_questions.jsonl", test)
    return folder
