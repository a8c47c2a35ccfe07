"""Reading the evaluation sets' JSONL files: one record a line, each bad line named."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

Record = TypeVar("Record")


class EvalDataError(ValueError):
    """A line of an evaluation file that is not JSON or not a valid record."""


def read_jsonl(path: Path, parse: Callable[[Any], Record]) -> list[Record]:
    """``parse`` of every non-blank line of ``path``, in order. A line that is not JSON, or
    that ``parse`` refuses (ValueError, KeyError, TypeError, a bad pattern), raises
    :class:`EvalDataError` naming the file and the line."""
    records = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalDataError(f"{path}: line {number}: not JSON: {exc}") from exc
            try:
                records.append(parse(data))
            except (ValueError, KeyError, TypeError, re.error) as exc:
                reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
                raise EvalDataError(f"{path}: line {number}: {reason}") from exc
    return records
