"""Load and faults: does one kind of client slow down the others? (BENCHMARKS.md "Load and faults")

    OPENBLAS_NUM_THREADS=1 python -m medcite.eval.bench.load --home /tmp/mc --clients 1 4 8

``medcite serve`` runs in its own process (as deployed, rate limit lifted; see
:func:`medcite.eval.bench.web.serve_child`). For each N, N askers (``POST /api/v1/answers``, back to
back) and N verifiers (``POST /api/v1/verify`` of a ``--statements``-statement Markdown answer)
run for ``--seconds`` while a prober asks ``GET /healthz`` every 100 ms. Reported per N:
answer and verify p50/p99, refusals by status, and ``/healthz`` p50/p99/max.

The login flood sends ``--logins`` wrong passwords at once for one user, each from its own
``X-Forwarded-For`` address (which uvicorn believes from localhost), then as many unknown
users from one address; reported: the server's peak resident memory before and after
(``VmHWM``) and the statuses (401 refused, 429 throttled, 503 too many hashes at once).
``--server-src`` serves another checkout's ``src`` (e.g. the code before a change) against
the same data.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import httpx
import numpy as np
import typer

from medcite.config import Settings
from medcite.eval.bench.web import default_questions, serve_child
from medcite.service import Engine

PROBE_EVERY_S = 0.1
BENCH_USER = "load-bench"
BENCH_PASSWORD = "load bench password 1"


def verify_text(engine: Engine, questions: list[str], statements: int) -> tuple[str, int]:
    """A Markdown answer of up to ``statements`` cited statements, built from the engine's
    answers, and how many it has."""
    lines: list[str] = []
    titles: list[str] = []
    for question in questions:
        answer = engine.answer(question, live=True).to_dict()
        refs = {ref["n"]: ref["title"] for ref in answer["references"]}
        for section in answer["sections"]:
            for statement in section["statements"]:
                if statement["citations"] and len(lines) < statements:
                    titles.append(refs[statement["citations"][0]])
                    lines.append(f"{statement['text']} [{len(titles)}]")
        if len(lines) >= statements:
            break
    references = "\n".join(f"{n}. {title}" for n, title in enumerate(titles, 1))
    return "\n\n".join(lines) + "\n\nReferences\n" + references + "\n", len(lines)


def _percentiles(ms: list[float]) -> dict[str, float | int]:
    if not ms:
        return {"n": 0}
    p50, p99 = np.percentile(ms, [50, 99])
    return {"n": len(ms), "p50_ms": round(float(p50), 1), "p99_ms": round(float(p99), 1)}


class _Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ms: dict[str, list[float]] = {}
        self.statuses: dict[str, Counter[int]] = {}

    def timed(self, kind: str, send: Callable[..., httpx.Response], *args: Any, **kw: Any) -> None:
        started = time.perf_counter()
        try:
            status = send(*args, **kw).status_code
        except httpx.TimeoutException:
            status = 0  # no answer within the client's timeout
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.statuses.setdefault(kind, Counter())[status] += 1
            if status == 200:
                self.ms.setdefault(kind, []).append(elapsed)

    def summary(self) -> dict[str, Any]:
        return {
            kind: {
                **_percentiles(self.ms.get(kind, [])),
                "max_ms": round(max(self.ms.get(kind, [0.0])), 1),
                "statuses": dict(sorted(counts.items())),
            }
            for kind, counts in self.statuses.items()
        }


def mixed_load(
    base_url: str, questions: list[str], text: str, clients: int, seconds: float
) -> dict[str, Any]:
    """``clients`` askers and ``clients`` verifiers for ``seconds``, /healthz probed throughout."""
    recorder = _Recorder()
    stop = time.monotonic() + seconds

    def asker(offset: int) -> None:
        with httpx.Client(base_url=base_url, timeout=300) as http:
            i = offset
            while time.monotonic() < stop:
                body = {"question": questions[i % len(questions)]}
                recorder.timed("answer", http.post, "/api/v1/answers", json=body)
                i += clients

    def verifier() -> None:
        with httpx.Client(base_url=base_url, timeout=300) as http:
            while time.monotonic() < stop:
                body = {"text": text, "format": "markdown"}
                recorder.timed("verify", http.post, "/api/v1/verify", json=body)

    def prober() -> None:
        with httpx.Client(base_url=base_url, timeout=300) as http:
            while time.monotonic() < stop:
                recorder.timed("healthz", http.get, "/healthz")
                time.sleep(PROBE_EVERY_S)

    workers = [*(lambda i=i: asker(i) for i in range(clients)), *([verifier] * clients), prober]
    with ThreadPoolExecutor(len(workers)) as pool:
        for future in [pool.submit(work) for work in workers]:
            future.result()
    return {"clients": clients, **recorder.summary()}


def login_flood(base_url: str, pid: int, guessers: int) -> dict[str, Any]:
    """``guessers`` wrong passwords at once for the bench user, each from its own address; then
    as many unknown users from one address."""
    before = _peak_rss_mib(pid)

    def guess(username: str, address: str) -> int:
        with httpx.Client(base_url=base_url, timeout=300) as http:
            form = {**_login_form(http), "username": username, "password": "a wrong guess"}
            headers = {"X-Forwarded-For": address}
            return http.post("/login", data=form, headers=headers).status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(guessers) as pool:
        addresses = [f"10.0.{i // 250}.{i % 250 + 1}" for i in range(guessers)]
        spread = list(pool.map(guess, [BENCH_USER] * guessers, addresses))
        users = [f"unknown{i}" for i in range(guessers)]
        burst = list(pool.map(guess, users, ["10.9.9.9"] * guessers))
    return {
        "guessers": guessers,
        "seconds": round(time.perf_counter() - started, 1),
        "rss_peak_mib_before": before,
        "rss_peak_mib_after": _peak_rss_mib(pid),
        "one_user_many_addresses": dict(sorted(Counter(spread).items())),
        "many_users_one_address": dict(sorted(Counter(burst).items())),
    }


def _login_form(http: httpx.Client) -> dict[str, str]:
    """The login form's hidden fields (its CSRF token, where the server has one)."""
    from lxml import html

    page = html.fromstring(http.get("/login").text)
    return {
        str(field.get("name")): str(field.get("value") or "")
        for field in page.xpath("//form[@action='/login']//input[@type='hidden']")
    }


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmHWM for process {pid}")


def _add_bench_user(home: Path) -> None:
    from medcite.library import Actor, Library
    from medcite.library.errors import Conflict

    with Library(Settings(home=home)) as library:
        try:
            library.add_user(Actor.system("bench"), BENCH_USER, "editor", password=BENCH_PASSWORD)
        except Conflict:
            pass


def run_load_bench(
    home: Path,
    clients: list[int],
    *,
    seconds: float = 20.0,
    statements: int = 20,
    logins: int = 40,
    server_src: Path | None = None,
) -> dict[str, Any]:
    from medcite.eval.machine import machine

    questions = default_questions(50)
    with Engine(Settings(home=home)) as engine:
        text, made = verify_text(engine, questions, statements)
    _add_bench_user(home)
    results: dict[str, Any] = {
        "machine": machine(),
        "server_src": str(server_src) if server_src else "this checkout",
        "seconds": seconds,
        "statements": made,
        "runs": [],
    }
    with serve_child(home, src=server_src) as (base_url, pid):
        with httpx.Client(base_url=base_url, timeout=300) as http:
            http.post("/api/v1/verify", json={"text": text, "format": "markdown"})  # warm up
        for n in clients:
            results["runs"].append(mixed_load(base_url, questions, text, n, seconds))
        results["logins"] = login_flood(base_url, pid, logins) if logins else None
    return results


def markdown(results: dict[str, Any]) -> str:
    """The "load and faults" rows for one run (one server version)."""

    def cell(row: dict[str, Any], kind: str) -> str:
        stats = row.get(kind, {"n": 0})
        return f"{stats['p50_ms']:.0f} / {stats['p99_ms']:.0f}" if stats.get("n") else "–"

    def refused(row: dict[str, Any]) -> str:
        counts: Counter[int] = Counter()
        for kind in ("answer", "verify"):
            counts.update(row.get(kind, {}).get("statuses", {}))
        done = counts.pop(200, 0)
        return f"{done} ok" + "".join(f", {c}× {s or 'timeout'}" for s, c in counts.items())

    lines = [
        f"Server: {results['server_src']}; {results['seconds']:.0f} s per row, "
        f"verify of {results['statements']} statements.",
        "",
        "| N askers + N verifiers | answer p50 / p99 ms | verify p50 / p99 ms | "
        "`/healthz` p50 / p99 / max ms | requests |",
        "|---:|---:|---:|---:|---|",
    ]
    for row in results["runs"]:
        health = row.get("healthz", {"n": 0})
        probe = (
            f"{health['p50_ms']:.0f} / {health['p99_ms']:.0f} / {health['max_ms']:.0f}"
            if health.get("n")
            else "–"
        )
        lines.append(
            f"| {row['clients']} | {cell(row, 'answer')} | {cell(row, 'verify')} | {probe} "
            f"| {refused(row)} |"
        )
    logins = results.get("logins")
    if logins:
        lines += [
            "",
            f"Login flood, {logins['guessers']} wrong passwords at once for one user from as "
            f"many addresses, then {logins['guessers']} unknown users from one address: peak "
            f"RSS {logins['rss_peak_mib_before']:.0f} → {logins['rss_peak_mib_after']:.0f} MiB "
            f"in {logins['seconds']} s; statuses {logins['one_user_many_addresses']} (one user), "
            f"{logins['many_users_one_address']} (one address).",
        ]
    return "\n".join(lines)


def main(
    home: Annotated[Path, typer.Option("--home", help="A built data directory (medcite demo).")],
    clients: Annotated[list[int], typer.Option(help="Askers (and as many verifiers) per row.")] = [  # noqa: B006
        1,
        4,
        8,
    ],
    seconds: Annotated[float, typer.Option(help="Duration of each row.")] = 20.0,
    statements: Annotated[int, typer.Option(help="Statements per verify request.")] = 20,
    logins: Annotated[int, typer.Option(help="Concurrent sign-ins of the flood; 0: none.")] = 40,
    server_src: Annotated[
        Path | None, typer.Option(help="Serve this checkout's src directory instead.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench-out/load.json"
    ),
) -> None:
    """Answers and verifications at once, /healthz meanwhile, and a login flood; prints Markdown."""
    results = run_load_bench(
        home, clients, seconds=seconds, statements=statements, logins=logins, server_src=server_src
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    typer.echo(markdown(results))


if __name__ == "__main__":
    typer.run(main)
