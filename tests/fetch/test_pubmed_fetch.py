"""`fetch_pubmed` against the real local replay server: batches, errors, rate, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from medcite.config import NcbiSettings
from medcite.fetch.eutils import EutilsClient, FetchError
from medcite.fetch.pubmed import STATE_FILE, FetchStateMismatch, fetch_pubmed, pubmed_date
from medcite.models import Document
from medcite.sources.read import detect_format, read_documents
from medcite.testing.eutils_replay import Canned, ReplayServer

FIXTURES = Path(__file__).parent / "fixtures"


def efetch_starts(server: ReplayServer) -> list[int]:
    return [int(r.params["retstart"]) for r in server.requests if r.endpoint == "efetch.fcgi"]


def test_fetch_writes_complete_batches_that_ingest_reads(
    replay: ReplayServer, ncbi: NcbiSettings, articles: list[bytes], tmp_path: Path
) -> None:
    report = fetch_pubmed('"multiple sclerosis"[MeSH]', tmp_path, ncbi, since="2015-06")
    assert report.count == len(articles) == 10
    assert [Path(f).name for f in report.files] == [
        "pubmed-fetch-0001.xml",
        "pubmed-fetch-0002.xml",
        "pubmed-fetch-0003.xml",
    ]
    assert report.records_fetched == 10 and report.retries == 0 and report.rate_limit == 10
    search = replay.requests[0]
    assert search.endpoint == "esearch.fcgi"
    assert search.params["usehistory"] == "y" and search.params["mindate"] == "2015/06/01"
    assert {r.params["api_key"] for r in replay.requests} == {"test-key-not-secret"}
    assert {r.params["tool"] for r in replay.requests} == {"medcite"}
    assert {r.params.get("WebEnv") for r in replay.requests[1:]} == {replay.webenv}
    assert efetch_starts(replay) == [0, 4, 8]
    docs = []
    for name in report.files:
        assert detect_format(Path(name)) == "pubmed-xml"
        docs += [d for d in read_documents(Path(name)) if isinstance(d, Document)]
    assert len(docs) == 10
    retracted = [d for d in docs if d.metadata.get("retracted")]
    assert [d.doc_id for d in retracted] == ["pmid:99999901"]
    assert retracted[0].metadata["doi"] == "10.9999/fixture.2019.001"
    assert "Retracted Publication" in retracted[0].publication_types
    assert retracted[0].metadata["retraction_in"] == [
        {"source": "J Replayed Fixtures. 2021;3:1.", "pmid": "99999902"}
    ]
    # The key is a secret: not in the state file, not in the report.
    state = (tmp_path / STATE_FILE).read_text()
    assert "test-key" not in state and "test-key" not in json.dumps(report.to_dict())
    assert json.loads(state)["finished"] is True


def test_server_esearch_has_the_documented_shape(replay: ReplayServer, ncbi: NcbiSettings) -> None:
    recorded = json.loads((FIXTURES / "esearch.json").read_text())["esearchresult"]
    found = EutilsClient(ncbi).esearch("multiple sclerosis")
    assert found.count == 10 and found.query_key == recorded["querykey"]
    served = json.loads(replay._esearch({"term": "x"}))["esearchresult"]
    assert set(served) == set(recorded)


def test_errors_are_retried_and_nothing_half_written(
    replay: ReplayServer, ncbi: NcbiSettings, tmp_path: Path
) -> None:
    html = (FIXTURES / "error-page.html").read_bytes()
    replay.queue(
        "esearch",
        Canned(503, html, "text/html"),
        Canned(200, html, "text/html"),
    )
    replay.queue(
        "efetch",
        Canned(
            429,
            (FIXTURES / "rate-limit-429.json").read_bytes(),
            "application/json",
            headers=(("Retry-After", "0.2"),),
        ),
        Canned(500, b"Internal Server Error", "text/plain"),
        Canned(200, html, "text/html"),
        Canned(truncate=True),
    )
    report = fetch_pubmed("multiple sclerosis", tmp_path, ncbi)
    assert report.retries == 6 and report.records_fetched == 10
    reasons = " ".join(report.retry_reasons)
    for expected in [
        "HTTP 503",
        "HTML page",
        "HTTP 429",
        "HTTP 500",
        "incomplete or malformed XML",
    ]:
        assert expected in reasons
    assert efetch_starts(replay) == [0, 0, 0, 0, 0, 4, 8]
    for name in report.files:
        root = etree.parse(name).getroot()
        assert root.tag == "PubmedArticleSet" and len(root) > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pubmed-fetch-")]
    # Retry-After was honoured: the retry came at least 0.2 s after the 429.
    fetches = [r.at for r in replay.requests if r.endpoint == "efetch.fcgi"]
    assert fetches[1] - fetches[0] >= 0.2


def test_a_failed_fetch_resumes_where_it_stopped(
    replay: ReplayServer, ncbi: NcbiSettings, tmp_path: Path
) -> None:
    settings = ncbi.model_copy(update={"max_retries": 1})
    replay.queue("efetch", Canned(), Canned(500, b"down"), Canned(500, b"down"))
    with pytest.raises(FetchError, match="HTTP 500.*gave up after 2 attempts"):
        fetch_pubmed("ms", tmp_path, settings)
    assert sorted(p.name for p in tmp_path.glob("*.xml")) == ["pubmed-fetch-0001.xml"]
    assert json.loads((tmp_path / STATE_FILE).read_text())["batches_done"] == [0]
    before = len(replay.requests)
    report = fetch_pubmed("ms", tmp_path, settings)
    assert (report.batches_resumed, report.batches_fetched, report.records_fetched) == (1, 2, 10)
    resumed = replay.requests[before:]
    assert [r.endpoint for r in resumed] == ["efetch.fcgi", "efetch.fcgi"]  # no new search
    assert [int(r.params["retstart"]) for r in resumed] == [4, 8]
    # A finished fetch run again fetches nothing; another query needs another folder.
    assert fetch_pubmed("ms", tmp_path, settings).batches_fetched == 0
    with pytest.raises(FetchStateMismatch, match="another --out folder"):
        fetch_pubmed("gout", tmp_path, settings)


def test_expired_history_searches_again(
    replay: ReplayServer, ncbi: NcbiSettings, tmp_path: Path
) -> None:
    settings = ncbi.model_copy(update={"max_retries": 0})
    replay.queue("efetch", Canned(), Canned(500, b"down"))
    with pytest.raises(FetchError):
        fetch_pubmed("ms", tmp_path, settings)
    replay.expire_history()
    report = fetch_pubmed("ms", tmp_path, settings)
    assert report.records_fetched == 10
    endpoints = [r.endpoint.removesuffix(".fcgi") for r in replay.requests]
    assert endpoints == ["esearch", "efetch", "efetch", "efetch", "esearch", "efetch", "efetch"]


def test_max_records_and_refused_query(
    replay: ReplayServer, ncbi: NcbiSettings, tmp_path: Path
) -> None:
    report = fetch_pubmed("ms", tmp_path / "a", ncbi, max_records=5)
    assert report.count == 5 and report.records_fetched == 5
    assert [r.params["retmax"] for r in replay.requests[1:]] == ["4", "1"]
    replay.queue("esearch", Canned(200, (FIXTURES / "esearch-error.json").read_bytes()))
    with pytest.raises(FetchError, match="refused the query: Invalid query syntax"):
        fetch_pubmed("((", tmp_path / "b", ncbi)


@pytest.mark.parametrize(("key", "rate"), [(None, 3.0), ("k", 10.0)])
def test_documented_rate_limits_hold(
    replay: ReplayServer, ncbi: NcbiSettings, tmp_path: Path, key: str | None, rate: float
) -> None:
    settings = NcbiSettings(**{**ncbi.model_dump(), "api_key": key, "batch_size": 2})
    report = fetch_pubmed("ms", tmp_path, settings)
    assert report.rate_limit == rate
    times = [r.at for r in replay.requests]
    assert len(times) == 6
    # No one-second window holds more than `rate` requests (arrival jitter: 50 ms).
    for start in times:
        assert sum(start <= t < start + 0.95 for t in times) <= rate
    assert times[-1] - times[0] >= 5 / rate - 0.05  # 6 requests: 5 intervals at the limit
    assert all(("api_key" in r.params) == bool(key) for r in replay.requests)


def test_dates() -> None:
    assert pubmed_date("2015") == "2015/01/01"
    assert pubmed_date("2015-6-30") == "2015/06/30"
    with pytest.raises(ValueError, match="not a date"):
        pubmed_date("June 2015")
    with pytest.raises(ValueError, match="not a date"):
        pubmed_date("2015-02-30")
