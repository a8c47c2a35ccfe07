"""Real service processes the tests start and stop: a throwaway PostgreSQL cluster.

PostgreSQL refuses to run as root, and tests run as root in sessions and CI, so the cluster
belongs to the ``postgres`` user (``scripts/system-deps`` installs the server when missing).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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
