"""A local E-utilities stand-in for tests and benchmarks (NCBI cannot be reached here).

`ReplayServer` is a real threaded HTTP server on ``127.0.0.1`` and a random port. It answers
``esearch.fcgi`` and ``efetch.fcgi`` in the response shapes NCBI documents (esearch JSON with
``count``/``querykey``/``webenv``; efetch ``PubmedArticleSet`` XML with its DOCTYPE), serving
the ``PubmedArticle`` records it was given by ``retstart``/``retmax``. Tests queue canned
responses per endpoint (`Canned`: a 429 with ``Retry-After``, a 500, an HTML error page, a
truncated body, ...), which are used first, in order; `expire_history` makes the current
``WebEnv`` unknown, as NCBI does after some hours. Every request is logged with its
parameters and arrival time, so tests can check rates and what was sent.

    with ReplayServer(articles) as server:
        settings = NcbiSettings(base_url=server.base_url)
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

EFETCH_HEAD = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    b"<PubmedArticleSet>\n"
)
EFETCH_TAIL = b"</PubmedArticleSet>\n"
HISTORY_ERROR = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n<eFetchResult>\n'
    b"\t<ERROR>Cannot retrieve query from history</ERROR>\n</eFetchResult>\n"
)


@dataclass(frozen=True)
class Canned:
    """One scripted response. ``body=None`` means the normal answer (``truncate``: cut in
    half, as a dropped connection leaves it)."""

    status: int = 200
    body: bytes | None = None
    content_type: str = "text/xml; charset=UTF-8"
    headers: tuple[tuple[str, str], ...] = ()
    truncate: bool = False


@dataclass(frozen=True)
class LoggedRequest:
    endpoint: str
    params: dict[str, str]
    at: float  # time.monotonic() on arrival


@dataclass
class ReplayServer:
    """See the module docstring. Use as a context manager (starts and stops the server)."""

    articles: list[bytes]
    requests: list[LoggedRequest] = field(default_factory=list)
    _queues: dict[str, list[Canned]] = field(default_factory=dict)
    _generation: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> ReplayServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._answer(urllib.parse.urlsplit(self.path).query)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                self._answer(self.rfile.read(length).decode())

            def _answer(self, query: str) -> None:
                endpoint = urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1]
                params = dict(urllib.parse.parse_qsl(query))
                canned, body = server._respond(endpoint, params)
                self.send_response(canned.status)
                self.send_header("Content-Type", canned.content_type)
                for name, value in canned.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # quiet: tests read `requests` instead

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()

    @property
    def base_url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}/entrez/eutils/"

    @property
    def webenv(self) -> str:
        return f"MCID_replay_{self._generation}"

    def queue(self, endpoint: str, *responses: Canned) -> None:
        """Answer the next requests to ``endpoint`` ("esearch" or "efetch") with these."""
        with self._lock:
            self._queues.setdefault(f"{endpoint}.fcgi", []).extend(responses)

    def expire_history(self) -> None:
        """Forget the current WebEnv: later efetch calls with it get NCBI's history error."""
        with self._lock:
            self._generation += 1

    def _respond(self, endpoint: str, params: dict[str, str]) -> tuple[Canned, bytes]:
        with self._lock:
            self.requests.append(LoggedRequest(endpoint, params, time.monotonic()))
            queue = self._queues.get(endpoint)
            canned = queue.pop(0) if queue else Canned()
        if canned.body is not None:
            return canned, canned.body
        if endpoint == "esearch.fcgi":
            canned = Canned(canned.status, None, "application/json; charset=UTF-8", canned.headers)
            body = self._esearch(params)
        elif endpoint == "efetch.fcgi":
            body = self._efetch(params)
        else:
            return Canned(404, content_type="text/plain"), b"unknown endpoint"
        return canned, body[: len(body) // 2] if canned.truncate else body

    def _esearch(self, params: dict[str, str]) -> bytes:
        result = {
            "header": {"type": "esearch", "version": "0.3"},
            "esearchresult": {
                "count": str(len(self.articles)),
                "retmax": params.get("retmax", "20"),
                "retstart": "0",
                "querykey": "1",
                "webenv": self.webenv,
                "idlist": [],
                "translationset": [],
                "querytranslation": params.get("term", ""),
            },
        }
        return json.dumps(result).encode()

    def _efetch(self, params: dict[str, str]) -> bytes:
        if params.get("WebEnv") != self.webenv:
            return HISTORY_ERROR
        start = int(params.get("retstart", "0"))
        stop = start + int(params.get("retmax", "20"))
        return EFETCH_HEAD + b"\n".join(self.articles[start:stop]) + b"\n" + EFETCH_TAIL
