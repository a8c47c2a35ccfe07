"""The local E-utilities replay server, serving real PubMed records from the shared samples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from medcite.config import NcbiSettings
from medcite.sources.common import open_binary
from medcite.testing.eutils_replay import ReplayServer

FIXTURES = Path(__file__).parent / "fixtures"


def pubmed_articles(shared_data: Path) -> list[bytes]:
    """Every PubmedArticle of the shared samples, plus the synthetic retracted record."""
    articles = []
    for path in sorted((shared_data / "pubmed_xml_samples").glob("*.xml*")):
        with open_binary(path) as handle:
            root = etree.parse(handle).getroot()
        articles += [etree.tostring(a) for a in root.iter("PubmedArticle")]
    retracted = etree.parse(str(FIXTURES / "retracted-article.xml")).getroot()
    return [*articles, etree.tostring(retracted)]


@pytest.fixture(scope="session")
def articles(shared_data: Path) -> list[bytes]:
    return pubmed_articles(shared_data)


@pytest.fixture
def replay(articles: list[bytes]) -> Iterator[ReplayServer]:
    with ReplayServer(articles) as server:
        yield server


@pytest.fixture
def ncbi(replay: ReplayServer) -> NcbiSettings:
    """Fast settings against the replay server: 10 requests/s, short backoff."""
    return NcbiSettings(
        base_url=replay.base_url,
        api_key="test-key-not-secret",
        email="dev@example.org",
        batch_size=4,
        backoff_seconds=0.05,
    )
