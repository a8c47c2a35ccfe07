"""The one result shape every ``medcite eval`` writes, with the provenance that makes it honest.

    result = EvalResult("retrieval", "scifact", systems={"hybrid": {"ndcg@10": 0.717},
                                                         "bm25s": {"ndcg@10": 0.686}})
    json_path, md_path = write_result(result, Path("eval-out"), corpus_hash=store.snapshot_hash())

JSON: ``{"eval", "dataset", "systems": {name: {metric: value}}, "per_item", "meta"}``. Metric
names are lower-case with ``@k`` (``ndcg@10``, ``recall@100``, ``mrr@10``); the same-run
reference system is named ``bm25s``. ``meta`` holds the git commit, package versions, the
machine, the corpus hash and the date.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medcite.eval.machine import machine

REFERENCE_SYSTEM = "bm25s"


@dataclass
class EvalResult:
    eval: str
    dataset: str
    systems: dict[str, dict[str, float]]
    per_item: Any = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "eval": self.eval,
            "dataset": self.dataset,
            "systems": self.systems,
            "per_item": self.per_item,
            "meta": self.meta,
        }


def run_meta(corpus_hash: str | None = None, **extra: Any) -> dict[str, Any]:
    """Commit, versions, machine, corpus hash and date for a result's ``meta``."""
    return {
        "commit": git_commit(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "corpus_hash": corpus_hash,
        "machine": machine(),
        **extra,
    }


def git_commit() -> str | None:
    """The checked-out commit of the medcite source tree (with ``+dirty``), or None."""
    root = Path(__file__).resolve().parents[3]
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def markdown_summary(result: EvalResult) -> str:
    """A systems × metrics table, the reference system last, with the provenance line."""
    names = sorted(result.systems, key=lambda name: (name == REFERENCE_SYSTEM, name))
    metrics = list(dict.fromkeys(m for name in names for m in result.systems[name]))
    lines = [f"## {result.eval}: {result.dataset}", ""]
    if len(metrics) <= max(len(names), 8):
        lines += _table("system", names, metrics, lambda name, m: result.systems[name].get(m))
    else:  # many metrics (e.g. one per corpus size): one row per metric reads better
        lines += _table("metric", metrics, names, lambda m, name: result.systems[name].get(m))
    meta = result.meta
    lines += [
        "",
        f"commit {meta.get('commit')}, {meta.get('date')}, corpus {meta.get('corpus_hash')}",
    ]
    return "\n".join(lines) + "\n"


def write_result(
    result: EvalResult, out_dir: Path, corpus_hash: str | None = None
) -> tuple[Path, Path]:
    """Fill ``meta`` (unless already set) and write ``<eval>-<dataset>.json`` and ``.md``.

    A dataset named after its eval (``pubmedqa-dev``) is not repeated: ``pubmedqa-dev.json``.
    """
    if not result.meta:
        result.meta = run_meta(corpus_hash)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = Path(result.dataset).name
    stem = name if name.startswith(f"{result.eval}-") else f"{result.eval}-{name}"
    json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
    json_path.write_text(json.dumps(result.to_dict(), indent=1, default=str), encoding="utf-8")
    md_path.write_text(markdown_summary(result), encoding="utf-8")
    return json_path, md_path


def _table(corner: str, rows: list[str], columns: list[str], value: Any) -> list[str]:
    lines = ["| " + corner + " | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(_cell(value(row, c)) for c in columns) + " |")
    return lines


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return "–" if value is None else str(value)
