"""Every command works with the `app` extras `scripts/demo` installs, or says in one line which
extra it needs: run as `python -m medcite` in a real process whose imports of the other extras'
modules fail (a ``sitecustomize`` on PYTHONPATH), as on a machine that installed only `app`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from medcite.cli.extras import EXTRA_OF_MODULE

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
EXTRAS = PYPROJECT["project"]["optional-dependencies"]
APP = set(re.fullmatch(r"medcite\[(.*)\]", EXTRAS["app"][0])[1].split(","))  # type: ignore[index]
# What `app` does not install: the modules of every other extra, and the test LLM server's.
NOT_IN_APP = sorted({m for m, extra in EXTRA_OF_MODULE.items() if extra not in APP} | {"llama_cpp"})
BLOCKER = """
import importlib.abc, os, sys

BLOCKED = set(os.environ["MEDCITE_TEST_UNINSTALLED"].split(","))


class Uninstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Uninstalled())
"""


def requirement_names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    }


def test_the_extra_named_for_each_module_installs_it() -> None:
    installed = packages_distributions()
    for module, extra in EXTRA_OF_MODULE.items():
        assert extra in EXTRAS, (module, extra)
        distributions = {d.lower().replace("_", "-") for d in installed.get(module, [])}
        assert distributions & requirement_names(EXTRAS[extra]), (module, extra, distributions)
    assert {"bench", "postgres", "milvus"}.isdisjoint(APP) and "psutil" in NOT_IN_APP


@pytest.fixture(scope="module")
def app_only_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a process that sees only the `app` extras."""
    shim = tmp_path_factory.mktemp("app-only")
    (shim / "sitecustomize.py").write_text(BLOCKER)
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(shim), str(ROOT / "src")]),
        "MEDCITE_TEST_UNINSTALLED": ",".join(NOT_IN_APP),
    }


@pytest.fixture
def app_only(app_only_env: dict[str, str]):
    """Runs `python -m medcite ARGS` as if only the `app` extras were installed."""

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "medcite", *args],
            env={**app_only_env, **extra_env},
            capture_output=True,
            text=True,
            timeout=600,
            cwd=ROOT,
        )

    return run


def test_the_shim_uninstalls_what_app_lacks(app_only_env: dict[str, str]) -> None:
    probe = [sys.executable, "-c", "import medcite.cli, psutil"]
    installed = subprocess.run(probe, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    hidden = subprocess.run(probe, env=app_only_env, capture_output=True, text=True)
    assert hidden.returncode == 1 and "No module named 'psutil'" in hidden.stderr


def one_line_naming(result: subprocess.CompletedProcess[str], extra: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and f"pip install 'medcite[{extra}]'" in line


def test_evaluations_run_with_the_app_extras(
    app_only,
    built_home: Path,
    tmp_path: Path,
    write_jsonl,
) -> None:
    questions = write_jsonl(
        tmp_path / "q.jsonl", [{"id": "gout", "question": "How is gout treated?"}]
    )
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("".join((ROOT / "eval/verify/pairs.jsonl").read_text().splitlines(True)[:20]))
    out = str(tmp_path / "out")
    home = ["--home", str(built_home)]
    for args in [
        ["eval", "answers", "--questions", str(questions), "--out", out, *home],
        ["eval", "related", "--questions", str(questions), "--out", out, *home],
        ["eval", "verify", "--pairs", str(pairs), "--no-embed", "--out", out],
    ]:
        result = app_only(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr
    written = {path.name for path in (tmp_path / "out").iterdir()}
    assert {
        "answers-questions.json",
        "reader-related-questions.json",
        "verify-pairs.json",
    } <= written


def test_commands_that_need_more_say_which_extra(
    app_only,
    built_home: Path,
    shared_data: Path,
    tmp_path: Path,
) -> None:
    out = str(tmp_path / "out")
    one_line_naming(app_only("bench", "--quick", "--out", out), "bench")
    one_line_naming(app_only("eval", "speed", "--quick", "--out", out), "bench")
    scifact = str(shared_data / "scifact")
    one_line_naming(app_only("eval", "retrieval", "--dataset", scifact, "--out", out), "bench")
    pubmedqa = str(shared_data / "pubmedqa")
    one_line_naming(app_only("eval", "pubmedqa", "--data", pubmedqa, "--out", out), "bench")
    postgres = {"MEDCITE_DATABASE_URL": "postgresql+psycopg://medcite@127.0.0.1:9/none"}
    one_line_naming(app_only("users", "list", "--home", str(built_home), **postgres), "postgres")
    assert not (tmp_path / "out").exists(), "nothing is computed before the extra is missing"


def test_any_missing_extra_module_is_one_line(app_only, built_home: Path) -> None:
    """Even where no command checks first, `medcite` turns the failed import into the line."""
    result = app_only(
        "library",
        "bench",
        "--articles",
        "5",
        "--repeats",
        "2",
        "--home",
        str(built_home),
        MEDCITE_TEST_UNINSTALLED=",".join([*NOT_IN_APP, "httpx"]),
    )
    one_line_naming(result, "llm")
