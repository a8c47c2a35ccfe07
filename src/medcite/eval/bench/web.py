"""Web server overhead: the answer endpoint over HTTP beside the bare ``Engine.ask``, same run.

    OPENBLAS_NUM_THREADS=1 python -m medcite.eval.bench.web --home ~/.local/share/medcite

The server is ``medcite serve`` in its own process (as deployed: uvicorn, one worker), so the
client's threads do not share its interpreter lock. Questions cycle through the first PubMedQA
dev questions of the shared data (or ``--questions FILE``, one JSON ``{"question"}`` per line).
Reported: bare ``Engine.ask`` p50/p95 in this process; ``POST /api/v1/answers`` and the HTML
``GET /ask`` p50/p95 from one client; throughput and latency with ``--clients`` concurrent
clients; and the overhead, the median over questions of (HTTP − bare) time, each question
asked both ways back to back (target: at most 20 ms).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import httpx
import numpy as np
import typer

from medcite.config import Settings
from medcite.service import Engine

OVERHEAD_TARGET_MS = 20.0
WARMUP = 5


def run_web_bench(
    home: Path, questions: list[str], *, requests: int = 200, clients: int = 4
) -> dict[str, Any]:
    """Time the bare library call and the server on the same questions; returns every number."""
    from medcite.eval.machine import machine

    asked = [questions[i % len(questions)] for i in range(requests)]
    results: dict[str, Any] = {
        "machine": machine(),
        "home": str(home),
        "requests": requests,
        "clients": clients,
    }
    with (
        Engine(Settings(home=home)) as engine,
        _server(home) as base_url,
        httpx.Client(base_url=base_url, timeout=60) as http,
    ):

        def api(question: str) -> None:
            http.post("/api/v1/answers", json={"question": question}).raise_for_status()

        def html(question: str) -> None:
            http.get("/ask", params={"q": question}).raise_for_status()

        calls = {"bare_ask": lambda q: engine.ask(q), "api_answers": api, "html_ask": html}
        times = _interleaved(asked, calls)
        results["concurrent"] = _concurrent(base_url, asked, clients)
    results.update({name: _summary(ms) for name, ms in times.items()})
    for name, key in (("api_answers", "overhead_p50_ms"), ("html_ask", "html_overhead_p50_ms")):
        paired = np.subtract(times[name], times["bare_ask"])
        results[key] = round(float(np.median(paired)), 2)
    results["bare_throughput_per_s"] = round(1000 / results["bare_ask"]["mean_ms"], 1)
    results["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def _interleaved(
    questions: list[str], calls: dict[str, Callable[[str], object]]
) -> dict[str, list[float]]:
    """Each question through every call in turn, so that all of them see the same machine load
    (other processes come and go); overheads are then medians of per-question differences."""
    for question in questions[:WARMUP]:
        for call in calls.values():
            call(question)
    times: dict[str, list[float]] = {name: [] for name in calls}
    for question in questions:
        for name, call in calls.items():
            started = time.perf_counter()
            call(question)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def _summary(ms: list[float]) -> dict[str, float]:
    p50, p95 = np.percentile(ms, [50, 95])
    return {
        "p50_ms": round(float(p50), 2),
        "p95_ms": round(float(p95), 2),
        "mean_ms": round(float(np.mean(ms)), 2),
    }


def _concurrent(base_url: str, questions: list[str], clients: int) -> dict[str, Any]:
    """``clients`` threads share the questions; wall time gives answers per second."""
    latencies: list[float] = []
    lock = threading.Lock()

    def client(share: list[str]) -> None:
        with httpx.Client(base_url=base_url, timeout=120) as http:
            for question in share:
                started = time.perf_counter()
                http.post("/api/v1/answers", json={"question": question}).raise_for_status()
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)

    threads = [
        threading.Thread(target=client, args=(questions[i::clients],)) for i in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        **_summary(latencies),
        "answers": len(latencies),
        "throughput_per_s": round(len(latencies) / wall, 1),
    }


@contextmanager
def _server(home: Path) -> Iterator[str]:
    """``medcite serve`` in a child process on a free port, with the rate limit out of the way."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "MEDCITE_WEB__ANSWERS_PER_MINUTE": "1000000000",
        "MEDCITE_WEB__ANSWER_BURST": "1000000",
    }
    command = [sys.executable, "-m", "medcite", "serve", "--home", str(home), "--port", str(port)]
    child = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, child)
        yield base_url
    finally:
        child.terminate()
        child.wait(timeout=30)


def _wait_ready(base_url: str, child: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"medcite serve exited with status {child.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=5).json().get("ready"):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"medcite serve did not become ready at {base_url}")


def markdown(results: dict[str, Any]) -> str:
    """The BENCHMARKS.md table for one run."""
    rows = [
        ("bare `Engine.ask` (in process)", results["bare_ask"]),
        ("`POST /api/v1/answers`, 1 client", results["api_answers"]),
        ("`GET /ask` (HTML page), 1 client", results["html_ask"]),
        (f"`POST /api/v1/answers`, {results['clients']} clients", results["concurrent"]),
    ]
    lines = ["| what | p50 ms | p95 ms |", "|---|---:|---:|"]
    lines += [f"| {name} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |" for name, r in rows]
    verdict = "pass" if results["overhead_p50_ms"] <= OVERHEAD_TARGET_MS else "**FAIL**"
    lines += [
        "",
        "Server overhead (median of per-question API − bare): "
        f"**{results['overhead_p50_ms']:.1f} ms** "
        f"(target ≤ {OVERHEAD_TARGET_MS:.0f} ms: {verdict}); HTML page: "
        f"{results['html_overhead_p50_ms']:.1f} ms. Throughput with {results['clients']} clients: "
        f"{results['concurrent']['throughput_per_s']} answers/s "
        f"(bare, one thread: {results['bare_throughput_per_s']} answers/s).",
    ]
    return "\n".join(lines)


def _default_questions(n: int) -> list[str]:
    from medcite.demo import find_shared_data

    path = find_shared_data(Settings().demo_data) / "pubmedqa" / "dev.jsonl"
    return _read_questions(path, n)


def _read_questions(path: Path, n: int) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [str(row["question"]) for row in rows[:n]]


def main(
    home: Annotated[Path, typer.Option("--home", help="A built data directory (medcite demo).")],
    questions: Annotated[
        Path | None, typer.Option(help='JSONL of {"question"}; default: PubMedQA dev.')
    ] = None,
    distinct: Annotated[int, typer.Option(help="How many distinct questions to cycle.")] = 50,
    requests: Annotated[int, typer.Option(help="Timed answers per measurement.")] = 200,
    clients: Annotated[int, typer.Option(help="Concurrent clients for throughput.")] = 4,
    out: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench-out/web.json"
    ),
) -> None:
    """Answer endpoint latency and throughput beside the bare library call; prints Markdown."""
    asked = _read_questions(questions, distinct) if questions else _default_questions(distinct)
    results = run_web_bench(home, asked, requests=requests, clients=clients)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    typer.echo(markdown(results))


if __name__ == "__main__":
    typer.run(main)
