"""Every `medcite ...` command the docs show exists, with every flag and choice they give it.

README.md, BENCHMARKS.md and docs/*.md are read as a user reads them: each line of a shell code
block and each inline code span that runs ``medcite`` is checked against the ``--help`` of the
command it names: the subcommands must be listed there, each option must be listed there, and
a value given to an option with choices (``--format <text|json>``) must be one of them.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.cli import app

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "BENCHMARKS.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"`([^`]+)`")
SHELL = {"", "bash", "sh", "shell", "console"}
SHELL_BREAKS = {"|", "||", "&&", ";", ">", ">>", "<", "2>&1", "&"}
OPTION_ROW = re.compile(r"^  (?:(-\w), )?(--[\w-]+)(?: / (--[\w-]+))?(?: <([^>]+)>)?")
COMMAND_ROW = re.compile(r"^  ([a-z][\w-]*)(?:\s{2,}|$)")
FLAG = re.compile(r"--?[a-z][a-z0-9-]*")
PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*|\$.*|<.*|.*….*")


@dataclass(frozen=True)
class Help:
    """What one command's ``--help`` lists."""

    commands: frozenset[str]
    options: dict[str, frozenset[str] | None]  # option → its choices (None: any value)


@cache
def help_of(path: tuple[str, ...]) -> Help | None:
    shown = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    if shown.exit_code != 0:
        return None
    commands, options, section = set(), {}, ""
    for line in shown.output.splitlines():
        if line and not line.startswith(" "):
            section = line.rstrip(":")
        elif section == "Commands" and (row := COMMAND_ROW.match(line)):
            commands.add(row[1])
        elif section == "Options" and (row := OPTION_ROW.match(line)):
            short, name, negative, metavar = row.groups()
            choices = frozenset(metavar.split("|")) if metavar and "|" in metavar else None
            for option in (short, name, negative):
                if option:
                    options[option] = choices
    return Help(frozenset(commands), options)


def shell_lines(text: str) -> list[str]:
    """Lines of shell code blocks (continuations joined) and inline code spans."""
    lines = []
    for language, block in FENCE.findall(text):
        if language in SHELL:
            lines += block.replace("\\\n", " ").splitlines()
    lines += [span.replace("\n", " ") for span in INLINE.findall(FENCE.sub("", text))]
    return lines


def words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:  # prose with an apostrophe
        return line.split()


def invocations(line: str) -> list[list[str]]:
    """The arguments after each `medcite` (or `.venv/bin/medcite`) on ``line``."""
    tokens = words(line)
    return [
        tokens[i + 1 :]
        for i, token in enumerate(tokens)
        if token == "medcite" or token.endswith("/medcite")
    ]


def check(args: list[str]) -> list[str]:
    """What is wrong with ``medcite ARGS`` (empty: nothing)."""
    path: list[str] = []
    rest = list(args)
    shown = help_of(())
    assert shown is not None
    while shown.commands and rest and not rest[0].startswith("-"):
        if rest[0] not in shown.commands:
            return [f"`medcite {' '.join([*path, rest[0]])}`: no such command"]
        path.append(rest.pop(0))
        shown = help_of(tuple(path))
        assert shown is not None, path
    problems = []
    while rest:
        token = rest.pop(0)
        if token in SHELL_BREAKS:
            # `medcite eval followups | related | readability`: documented siblings
            parent = help_of(tuple(path[:-1]))
            if token == "|" and rest and path and parent and rest[0] in parent.commands:
                path[-1] = rest.pop(0)
                shown = help_of(tuple(path))
                assert shown is not None
                continue
            break
        flag, _, value = token.strip("[](),").partition("=")
        if not FLAG.fullmatch(flag):
            continue
        if flag not in shown.options:
            problems.append(f"`medcite {' '.join(path)}` has no option {flag}")
            continue
        choices = shown.options[flag]
        value = value or (rest[0] if rest else "")
        if choices and not PLACEHOLDER.fullmatch(value) and value not in choices:
            problems.append(f"`medcite {' '.join(path)} {flag}` takes no {value!r}")
    return problems


def test_documented_commands_flags_and_choices_exist() -> None:
    problems, checked = [], 0
    for doc in DOCS:
        for line in shell_lines(doc.read_text(encoding="utf-8")):
            for args in invocations(line):
                checked += 1
                problems += [f"{doc.name}: {p} in: {line.strip()}" for p in check(args)]
    assert checked > 50, "the docs' commands were not found"
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("medcite eval retrieval --dataset d --modes bm25", "has no option --modes"),
        ("medcite evaluate retrieval", "no such command"),
        ("medcite ingest corpus --json", "has no option --json"),  # hidden: not documented
        ("medcite ingest corpus --format beir", "takes no 'beir'"),
    ],
)
def test_the_checker_finds_what_is_wrong(line: str, problem: str) -> None:
    (args,) = invocations(line)
    assert any(problem in found for found in check(args))


def test_the_checker_accepts_what_help_lists() -> None:
    for line in [
        "medcite index --dense --format json",
        "medcite ask Q --format markdown --audience patient",
        "medcite eval followups | related | readability",
        "medcite fetch pubmed QUERY [--max N] [--since YYYY[-MM[-DD]]] [--ingest]",
        "printf '%s\\n' \"$PW\" | medcite users add ada --role admin --password-stdin",
    ]:
        for args in invocations(line):
            assert check(args) == [], line
