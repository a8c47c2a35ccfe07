"""A small NCBI E-utilities client: esearch with history, efetch of PubMed XML batches.

Every request goes through one `TokenBucket` (3 requests/s, 10/s with an API key, as NCBI
documents) and carries ``tool``, ``email`` and ``api_key`` when configured. A request is
retried, waiting ``backoff * 2**attempt`` seconds (or the server's ``Retry-After``), when:

- the server answers 429 or 5xx, or the connection fails or times out;
- the body is an HTML error page instead of JSON/XML (NCBI's proxies send these);
- an efetch body is not one complete ``PubmedArticleSet`` (truncated XML).

It gives up with `FetchError` after ``max_retries`` retries. An efetch that reports the
history search is gone (``WebEnv`` expired) raises `HistoryExpired` at once, so the caller
can search again. The API key never appears in an error message, a log line or a state file.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from medcite.config import NcbiSettings
from medcite.errors import MedciteError
from medcite.fetch.ratelimit import TokenBucket

RATE_WITHOUT_KEY = 3.0
RATE_WITH_KEY = 10.0
MAX_RETRY_AFTER_SECONDS = 120.0
_ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle")


class FetchError(MedciteError):
    """E-utilities could not deliver; the message says what was tried and what came back."""


class HistoryExpired(FetchError):
    """The WebEnv/query_key of an earlier esearch is no longer known to NCBI."""


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class SearchResult:
    count: int
    webenv: str
    query_key: str


@dataclass
class ClientStats:
    """What the client did: requests sent, retries and why, seconds spent waiting."""

    requests: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    retry_reasons: list[str] = field(default_factory=list)


class EutilsClient:
    """E-utilities over HTTP; see the module docstring for rates, retries and validation."""

    def __init__(
        self, settings: NcbiSettings, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.settings = settings
        self._key = settings.api_key.get_secret_value() if settings.api_key else None
        rate = settings.requests_per_second or (RATE_WITH_KEY if self._key else RATE_WITHOUT_KEY)
        self.bucket = TokenBucket(rate, sleep=sleep)
        self._sleep = sleep
        self.stats = ClientStats()

    @property
    def rate(self) -> float:
        return self.bucket.rate

    def esearch(
        self, term: str, *, since: str | None = None, limit: int | None = None
    ) -> SearchResult:
        """Run a PubMed search on the history server; ``since`` is ``YYYY/MM/DD``."""
        params: dict[str, str] = {
            "db": "pubmed",
            "term": term,
            "usehistory": "y",
            "retmode": "json",
            "retmax": "0",
        }
        if since:
            params.update(mindate=since, maxdate="3000", datetype="pdat")
        body = self._request("esearch.fcgi", params, _parse_esearch)
        count = int(body["count"])
        return SearchResult(
            min(count, limit) if limit is not None else count, body["webenv"], body["querykey"]
        )

    def efetch(self, search: SearchResult, retstart: int, retmax: int) -> tuple[bytes, int]:
        """One batch of PubMed XML and its number of records; validated as complete."""
        params = {
            "db": "pubmed",
            "query_key": search.query_key,
            "WebEnv": search.webenv,
            "retstart": str(retstart),
            "retmax": str(retmax),
            "retmode": "xml",
        }
        return self._request("efetch.fcgi", params, _parse_efetch)

    def _request(
        self, endpoint: str, params: dict[str, str], parse: Callable[[bytes, str], Any]
    ) -> Any:
        query = {**params, "tool": self.settings.tool}
        if self.settings.email:
            query["email"] = self.settings.email
        if self._key:
            query["api_key"] = self._key
        url = self.settings.base_url.rstrip("/") + "/" + endpoint
        data = urllib.parse.urlencode(query).encode()
        for attempt in range(self.settings.max_retries + 1):
            self.stats.waited_seconds += self.bucket.acquire()
            self.stats.requests += 1
            try:
                body, content_type = self._send(url, data)
                return parse(body, content_type)
            except _Retryable as exc:
                reason = f"{endpoint}: {exc}"
                if attempt == self.settings.max_retries:
                    raise FetchError(f"{reason} (gave up after {attempt + 1} attempts)") from None
                self.stats.retries += 1
                self.stats.retry_reasons.append(reason)
                delay = exc.retry_after
                if delay is None:
                    delay = self.settings.backoff_seconds * 2**attempt
                delay = min(delay, MAX_RETRY_AFTER_SECONDS)
                self._sleep(delay)
                self.stats.waited_seconds += delay
        raise AssertionError("unreachable")

    def _send(self, url: str, data: bytes) -> tuple[bytes, str]:
        # POST keeps the parameters (and the API key) out of server and proxy access logs.
        request = urllib.request.Request(url, data=data, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_seconds) as response:
                return response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            with exc:
                if exc.code == 429 or exc.code >= 500:
                    raise _Retryable(
                        f"HTTP {exc.code}", _retry_after(exc.headers.get("Retry-After"))
                    ) from None
                raise FetchError(
                    f"HTTP {exc.code} from E-utilities: {_snippet(exc.read())}"
                ) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _Retryable(f"connection failed: {reason}") from None


def _retry_after(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to exponential backoff


def _snippet(body: bytes, size: int = 120) -> str:
    return " ".join(body[:size].decode("utf-8", "replace").split())


def _is_html(body: bytes, content_type: str) -> bool:
    head = body[:512].lstrip().lower()
    return "text/html" in content_type or head.startswith((b"<!doctype html", b"<html"))


def _parse_esearch(body: bytes, content_type: str) -> dict[str, str]:
    if _is_html(body, content_type):
        raise _Retryable(f"an HTML page instead of JSON: {_snippet(body)!r}")
    try:
        result = json.loads(body)["esearchresult"]
    except (ValueError, KeyError, TypeError):
        raise _Retryable(f"not an esearch JSON result: {_snippet(body)!r}") from None
    if "ERROR" in result:
        raise FetchError(f"esearch refused the query: {result['ERROR']}")
    missing = [k for k in ("count", "webenv", "querykey") if k not in result]
    if missing:
        raise _Retryable(f"esearch result without {', '.join(missing)}")
    return result


def _parse_efetch(body: bytes, content_type: str) -> tuple[bytes, int]:
    if _is_html(body, content_type):
        raise _Retryable(f"an HTML page instead of XML: {_snippet(body)!r}")
    parser = etree.XMLParser(
        load_dtd=False, no_network=True, resolve_entities=False, huge_tree=True
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise _Retryable(f"incomplete or malformed XML ({exc.msg}, {len(body)} bytes)") from None
    if root.tag == "eFetchResult" or root.find("ERROR") is not None:
        message = " ".join("".join(root.itertext()).split())
        if "query" in message.lower() or "webenv" in message.lower():
            raise HistoryExpired(f"efetch: {message}")
        raise FetchError(f"efetch error: {message}")
    if root.tag != "PubmedArticleSet":
        raise _Retryable(f"XML with root <{root.tag}> instead of <PubmedArticleSet>")
    return body, sum(1 for child in root if child.tag in _ARTICLE_TAGS)
