"""Reader fixtures: an engine over the shared fixture corpus with its own thread store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medcite.config import Settings
from medcite.service import Engine


@pytest.fixture
def reader_settings(built_home: Path, tmp_path: Path) -> Settings:
    """The built fixture corpus, with threads in this test's own SQLite file."""
    return Settings(home=built_home, reader={"threads_url": str(tmp_path / "threads.sqlite")})


@pytest.fixture
def reader_engine(reader_settings: Settings) -> Iterator[Engine]:
    with Engine(reader_settings) as engine:
        yield engine
