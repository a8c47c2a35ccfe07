"""`fetch_pubmed`: a PubMed query → ``pubmed-fetch-NNNN.xml`` batch files, resumably.

One esearch (``usehistory=y``) finds the records and parks them on NCBI's history server;
efetch then reads them in batches of ``batch_size`` (``retstart``/``retmax`` with the
``WebEnv``/``query_key``). Each batch is validated as a complete ``PubmedArticleSet`` and
written atomically (temporary file + rename), then recorded in the state file
``.pubmed-fetch.state.json`` beside it (query, date limit, WebEnv, count, batches done), also
written atomically. Running the same fetch again continues after the last finished batch; a
batch file is never half-written, so an interrupted run loses at most the batch in flight;
running a finished fetch again fetches nothing (use a new ``--out`` folder to refresh).
When NCBI has forgotten the WebEnv (it keeps them for hours), the search is run again and the
remaining batches are fetched from the new one. The API key is never written to the state.

The files are plain PubMed XML that `medcite ingest` reads (``--format pubmed-xml``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from medcite.config import NcbiSettings
from medcite.errors import MedciteError
from medcite.fetch.eutils import EutilsClient, HistoryExpired, SearchResult
from medcite.progress import ProgressFn, silent

STATE_FILE = ".pubmed-fetch.state.json"  # hidden: `medcite ingest DIR` skips it
BATCH_FILE = "pubmed-fetch-{:04d}.xml"
_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?$")


class FetchStateMismatch(MedciteError):
    """The output folder holds a fetch of another query; refuse to mix them."""


@dataclass
class FetchState:
    """What a fetch has done so far; saved after every batch."""

    query: str
    since: str | None
    max_records: int | None
    batch_size: int
    count: int = 0
    webenv: str = ""
    query_key: str = ""
    batches_done: list[int] = field(default_factory=list)
    records_written: int = 0
    searched_at: str = ""
    finished: bool = False

    @property
    def batches(self) -> int:
        return -(-self.count // self.batch_size) if self.count else 0


@dataclass
class FetchReport:
    """The outcome of one `fetch_pubmed` call."""

    query: str
    count: int
    files: list[str]
    batches_fetched: int
    batches_resumed: int
    records_fetched: int
    requests: int
    retries: int
    seconds: float
    rate_limit: float
    retry_reasons: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pubmed_date(value: str) -> str:
    """``2015``, ``2015-06`` or ``2015-06-30`` → E-utilities ``2015/06/30`` form."""
    match = _DATE.match(value.strip())
    if not match:
        raise ValueError(f"not a date: {value!r}; use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.group(1), match.group(2) or "1", match.group(3) or "1"
    try:
        parsed = dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise ValueError(f"not a date: {value!r} ({exc})") from None
    return parsed.strftime("%Y/%m/%d")


def fetch_pubmed(
    query: str,
    out_dir: Path,
    settings: NcbiSettings,
    *,
    max_records: int | None = None,
    since: str | None = None,
    progress: ProgressFn | None = None,
    client: EutilsClient | None = None,
) -> FetchReport:
    """Fetch the PubMed records matching ``query`` into ``out_dir`` (see the module doc).

    ``since`` is a publication date (``YYYY[-MM[-DD]]``); ``max_records`` caps the count.
    Raises `FetchStateMismatch` when ``out_dir`` holds another query's fetch, and
    `medcite.fetch.eutils.FetchError` when E-utilities fails beyond its retries (the
    batches finished before it are kept, and the next run continues from there).
    """
    progress = progress or silent
    client = client or EutilsClient(settings)
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    since_date = pubmed_date(since) if since else None
    state = _load_state(out_dir, query, since_date, max_records, settings.batch_size)
    resumed = len(state.batches_done)
    if not state.webenv:
        _search(client, state, out_dir)
    task = f"fetch pubmed ({state.count:,} records)"
    progress(task, state.records_written, state.count)
    fetched = 0
    for batch in range(state.batches):
        if batch in state.batches_done:
            continue
        retstart = batch * state.batch_size
        retmax = min(state.batch_size, state.count - retstart)
        try:
            body, records = client.efetch(_search_of(state), retstart, retmax)
        except HistoryExpired:
            _search(client, state, out_dir)
            body, records = client.efetch(_search_of(state), retstart, retmax)
        _write_atomically(out_dir / BATCH_FILE.format(batch + 1), body)
        state.batches_done.append(batch)
        state.records_written += records
        fetched += 1
        _save_state(out_dir, state)
        progress(task, state.records_written, state.count)
    state.finished = True
    _save_state(out_dir, state)
    return FetchReport(
        query=query,
        count=state.count,
        files=[str(out_dir / BATCH_FILE.format(b + 1)) for b in sorted(state.batches_done)],
        batches_fetched=fetched,
        batches_resumed=resumed,
        records_fetched=state.records_written,
        requests=client.stats.requests,
        retries=client.stats.retries,
        seconds=round(time.perf_counter() - started, 3),
        rate_limit=client.rate,
        retry_reasons=list(client.stats.retry_reasons),
    )


def _search(client: EutilsClient, state: FetchState, out_dir: Path) -> None:
    found = client.esearch(state.query, since=state.since, limit=state.max_records)
    if state.batches_done and found.count != state.count:
        # The result set moved under us (new records); batch offsets would no longer line up.
        state.batches_done, state.records_written = [], 0
    state.count, state.webenv, state.query_key = found.count, found.webenv, found.query_key
    state.searched_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    _save_state(out_dir, state)


def _search_of(state: FetchState) -> SearchResult:
    return SearchResult(state.count, state.webenv, state.query_key)


def _load_state(
    out_dir: Path, query: str, since: str | None, max_records: int | None, batch_size: int
) -> FetchState:
    path = out_dir / STATE_FILE
    fresh = FetchState(query, since, max_records, batch_size)
    if not path.is_file():
        return fresh
    try:
        saved = FetchState(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise FetchStateMismatch(f"{path}: unreadable fetch state ({exc}); delete it") from None
    if (saved.query, saved.since, saved.max_records) != (query, since, max_records):
        raise FetchStateMismatch(
            f"{out_dir} holds a fetch of {saved.query!r} (since {saved.since}, max "
            f"{saved.max_records}); use another --out folder for {query!r}"
        )
    # A changed batch size moves every batch offset: fetch again from the start.
    return saved if saved.batch_size == batch_size else fresh


def _save_state(out_dir: Path, state: FetchState) -> None:
    _write_atomically(out_dir / STATE_FILE, json.dumps(asdict(state), indent=1).encode())


def _write_atomically(path: Path, data: bytes) -> None:
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
