"""PNG charts for eval and bench reports (matplotlib, headless ``Agg``; the ``[bench]`` extra).

Only what the reports need: a bar chart of one metric per system, and log-log lines of a
value against corpus size. Both return the written path, or None when matplotlib is missing
(the JSON and Markdown results are the record; a chart only helps to read them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from medcite.eval.report import REFERENCE_SYSTEM


def _pyplot() -> Any | None:
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")  # no display: render to files only
    import matplotlib.pyplot as plt

    return plt


def bar_chart(
    systems: Mapping[str, Mapping[str, float]], metric: str, path: Path, title: str
) -> Path | None:
    """One bar per system for ``metric``; the reference system (``bm25s``) in grey."""
    plt = _pyplot()
    names = [n for n in systems if metric in systems[n]]
    if plt is None or not names:
        return None
    fig, ax = plt.subplots(figsize=(1.2 + 1.1 * len(names), 3.2))
    values = [systems[n][metric] for n in names]
    colours = ["#999999" if n == REFERENCE_SYSTEM else "#3a6ea5" for n in names]
    bars = ax.bar(names, values, color=colours)
    ax.bar_label(bars, fmt="%.3f", fontsize=8)
    ax.set_ylabel(metric)
    ax.set_ylim(0, max(1.0, max(values) * 1.1))
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    return _save(fig, plt, path)


def loglog_lines(
    series: Mapping[str, Sequence[tuple[float, float]]],
    path: Path,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
) -> Path | None:
    """One line per series of ``(x, y)`` points on log-log axes.

    Series named ``"<system> p50"`` / ``"<system> p99"`` share a colour; p99 lines are dashed.
    """
    plt = _pyplot()
    if plt is None or not any(series.values()):
        return None
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    colours: dict[str, str] = {}  # one colour per system: "hybrid p50" and "hybrid p99" share it
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for name, points in series.items():
        if points:
            xs, ys = zip(*sorted(points), strict=True)
            system = name.rsplit(" ", 1)[0]
            colour = colours.setdefault(system, palette[len(colours) % len(palette)])
            style = "--" if name.endswith("p99") else "-"
            ax.plot(xs, ys, style, color=colour, marker="o", label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    return _save(fig, plt, path)


def _save(fig: Any, plt: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
