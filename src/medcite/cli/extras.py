"""Which optional extra a command needs, said in one line instead of a traceback.

`scripts/demo` installs the ``app`` extras; a command that needs more (the bench's ``bm25s`` and
``psutil``, PostgreSQL's ``psycopg``) checks before it starts, and any import of an extra that
still fails is turned into the same line by :func:`medcite.cli.main`.
"""

from __future__ import annotations

from importlib import import_module
from typing import NoReturn

from medcite.cli.conventions import fail

# Top-level module → the extra in pyproject.toml that installs it (tests/cli check the two agree).
EXTRA_OF_MODULE = {
    "bm25s": "bench",
    "Stemmer": "bench",
    "psutil": "bench",
    "matplotlib": "bench",
    "psycopg": "postgres",
    "fastapi": "web",
    "uvicorn": "web",
    "jinja2": "web",
    "fastapi_swagger": "web",
    "pdfminer": "sources",
    "pyphen": "reader",
    "alembic": "library",
    "argon2": "library",
    "itsdangerous": "library",
    "pymilvus": "milvus",
    "milvus_lite": "milvus",
    "httpx": "llm",
    "usearch": "dense",
    "onnxruntime": "dense",
    "tokenizers": "dense",
}


def missing_extra_message(exc: ImportError) -> str | None:
    """The one line for a failed import of an extra's module, or None if it is no extra's."""
    module = (exc.name or "").split(".")[0]
    extra = EXTRA_OF_MODULE.get(module)
    if extra is not None:
        return f"{module} is not installed: pip install 'medcite[{extra}]' (the {extra} extra)"
    if "pip install" in str(exc):  # our own ImportErrors already say what to install
        return str(exc)
    return None


def fail_on_missing_extra(exc: ImportError) -> NoReturn:
    """Exit with the one line when ``exc`` is a missing extra; otherwise re-raise it."""
    message = missing_extra_message(exc)
    if message is None:
        raise exc
    fail(message)


def require(command: str, *modules: str) -> None:
    """Stop before any work when one of ``modules`` (each an extra's) cannot be imported."""
    for module in modules:
        try:
            import_module(module)
        except ImportError:
            extra = EXTRA_OF_MODULE[module]
            fail(
                f"`medcite {command}` needs {module}: pip install 'medcite[{extra}]' "
                f"(the {extra} extra; `scripts/demo` installs only `app`)"
            )
