"""The demo corpus: the datasets ``../shared/data/README.md`` marks for demo use.

PubMedQA contexts (1,000 PubMed abstracts), MedQuAD NIH consumer pages and the SciFact
abstracts. The files are read in place, never copied. A stamp of their sizes and mtimes in
the data directory lets later runs skip re-reading them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from medcite.errors import DataNotFound

DEMO_SOURCES = ("pubmedqa/corpus.jsonl", "medquad/medquad.jsonl", "scifact")
STAMP = "demo-ingested.json"


def find_shared_data(configured: Path | None = None) -> Path:
    """The shared data folder: configured, else ``../shared/data`` beside the project."""
    candidates = [configured] if configured else []
    here = Path(__file__).resolve()
    candidates += [Path.cwd() / ".." / "shared" / "data", Path.cwd() / "shared" / "data"]
    candidates += [parent / ".." / "shared" / "data" for parent in here.parents[:4]]
    for candidate in candidates:
        if candidate is not None and (candidate / "README.md").is_file():
            return candidate.resolve()
    raise DataNotFound(
        "demo data not found: expected the shared data folder at ../shared/data next to the "
        "project; point MEDCITE_DEMO_DATA at it"
    )


def demo_paths(shared: Path) -> list[Path]:
    paths = [shared / name for name in DEMO_SOURCES]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise DataNotFound(f"demo data incomplete, missing: {', '.join(missing)}")
    return paths


def signature(paths: list[Path]) -> dict[str, list[float]]:
    """Size and mtime of every demo file: cheap to compute, changes when the data changes."""
    files = [f for p in paths for f in (sorted(p.rglob("*")) if p.is_dir() else [p]) if f.is_file()]
    return {str(f): [f.stat().st_size, f.stat().st_mtime] for f in files}


def is_current(home: Path, paths: list[Path]) -> bool:
    stamp = home / STAMP
    return stamp.is_file() and json.loads(stamp.read_text()) == signature(paths)


def mark_current(home: Path, paths: list[Path]) -> None:
    tmp = home / (STAMP + ".tmp")
    tmp.write_text(json.dumps(signature(paths)))
    os.replace(tmp, home / STAMP)
