"""A minimal client for any OpenAI-compatible ``/chat/completions`` endpoint (llama.cpp,
vLLM, Ollama, hosted APIs), streaming over plain httpx.

Structured output is negotiated: the OpenAI ``json_schema`` response format first, then
llama-cpp-python's ``json_object`` + ``schema``, then none (the reply is parsed leniently).
A server that rejects a format (400/422, or a 500 naming it) is asked again with the next
one, and the working format is remembered per endpoint for the life of the process.

Every failure is a :class:`ChatError` whose ``reason`` says what happened in a few words
(``timeout``, ``connection refused``, ``server error 500``...) and never contains the API key.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from medcite.config import LLMSettings

FORMATS = ("json_schema", "json_object", "none")
_WORKING_FORMAT: dict[str, str] = {}  # base_url -> the format it accepted


class ChatError(Exception):
    """The endpoint did not produce a reply; ``reason`` is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ChatReply:
    """What the model wrote, with the server's token counts (empty when it sent none)."""

    text: str = ""
    usage: dict[str, int] = field(default_factory=dict)
    chunks: int = 0  # content chunks streamed: one token each on llama.cpp
    finish_reason: str | None = None
    response_format: str = "none"
    model: str | None = None


def _load_httpx() -> Any:
    try:
        import httpx
    except ImportError as exc:  # pragma: no cover - the llm extra is missing
        raise ChatError("httpx is not installed: pip install 'medcite[llm]'") from exc
    return httpx


class ChatClient:
    """Streams one chat completion at a time from ``settings.base_url``."""

    def __init__(self, settings: LLMSettings) -> None:
        if not settings.base_url:
            raise ChatError("no endpoint configured (MEDCITE_LLM_BASE_URL)")
        self.settings = settings
        self.base_url = settings.base_url.rstrip("/")
        httpx = _load_httpx()
        headers = {"Accept": "text/event-stream"}
        if settings.api_key is not None:
            headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
        self._http = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def formats(self) -> tuple[str, ...]:
        """Response formats to try, in order."""
        chosen = self.settings.response_format
        if chosen != "auto":
            return (chosen,)
        known = _WORKING_FORMAT.get(self.base_url)
        return (known,) if known else FORMATS

    def stream(
        self, messages: list[dict[str, str]], *, schema: dict[str, Any], reply: ChatReply
    ) -> Iterator[str]:
        """Yield the text as the model writes it, filling ``reply`` as it goes.

        Raises :class:`ChatError` on timeout (connect, read or the whole generation),
        connection failures, HTTP errors, or a stream that breaks off.
        """
        httpx = _load_httpx()
        deadline = time.monotonic() + self.settings.timeout
        formats = self.formats()
        for position, fmt in enumerate(formats):
            body = self._body(messages, schema, fmt)
            try:
                with self._http.stream(
                    "POST", f"{self.base_url}/chat/completions", json=body
                ) as response:
                    if position + 1 < len(formats) and _refuses_format(response, fmt):
                        continue
                    _raise_for_status(response)
                    reply.response_format = fmt
                    if self.settings.response_format == "auto":
                        _WORKING_FORMAT.setdefault(self.base_url, fmt)
                    yield from self._deltas(response, reply, deadline)
                    return
            except httpx.TimeoutException as exc:
                raise ChatError(f"timeout ({type(exc).__name__})") from exc
            except httpx.ConnectError as exc:
                raise ChatError(f"connection failed ({_first_line(exc)})") from exc
            except httpx.HTTPError as exc:  # the stream broke off, the protocol went wrong
                raise ChatError(f"{type(exc).__name__}: {_first_line(exc)}") from exc

    def _body(
        self, messages: list[dict[str, str]], schema: dict[str, Any], fmt: str
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.settings.model,
            "messages": messages,
            "max_tokens": self.settings.max_tokens,
            "temperature": self.settings.temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if fmt == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "medcite_answer", "schema": schema, "strict": True},
            }
        elif fmt == "json_object":
            body["response_format"] = {"type": "json_object", "schema": schema}
        return body

    def _deltas(self, response: Any, reply: ChatReply, deadline: float) -> Iterator[str]:
        """Parse server-sent events: ``data: {chunk}`` lines until ``data: [DONE]``."""
        done = False
        for line in response.iter_lines():
            if time.monotonic() > deadline:
                raise ChatError(f"timeout (generation took over {self.settings.timeout:g} s)")
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                done = True
                break
            chunk = _json_or_error(data)
            reply.model = chunk.get("model") or reply.model
            if chunk.get("usage"):
                reply.usage = _usage(chunk["usage"])
            for choice in chunk.get("choices") or []:
                reply.finish_reason = choice.get("finish_reason") or reply.finish_reason
                text = (choice.get("delta") or {}).get("content") or ""
                if text:
                    reply.chunks += 1
                    reply.text += text
                    yield text
        if not done and reply.finish_reason is None:
            raise ChatError("the stream ended before the reply was complete")


def _refuses_format(response: Any, fmt: str) -> bool:
    """A 400/422 (or llama-cpp-python's 500 naming the field): try the next format."""
    if response.status_code not in (400, 422, 500):
        return False
    response.read()
    return response.status_code != 500 or "response_format" in response.text or fmt in response.text


def _raise_for_status(response: Any) -> None:
    if response.status_code < 400:
        return
    response.read()
    detail = response.text[:200].replace("\n", " ")
    kind = "server error" if response.status_code >= 500 else "request refused"
    raise ChatError(f"{kind} {response.status_code}: {detail}")


def _json_or_error(data: str) -> dict[str, Any]:
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ChatError(f"malformed stream chunk: {data[:80]!r}") from exc
    if not isinstance(chunk, dict):
        raise ChatError(f"malformed stream chunk: {data[:80]!r}")
    if "error" in chunk:
        raise ChatError(f"server error: {str(chunk['error'])[:200]}")
    return chunk


def _usage(raw: dict[str, Any]) -> dict[str, int]:
    keys = ("prompt_tokens", "completion_tokens", "total_tokens")
    return {k: int(raw[k]) for k in keys if isinstance(raw.get(k), int | float)}


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:160]


def token_counts(reply: ChatReply) -> dict[str, Any] | None:
    """The server's ``usage``; when a server streams without it (llama-cpp-python ignores
    ``stream_options``), the number of streamed chunks as completion tokens, labelled so."""
    if reply.usage:
        return {**reply.usage, "source": "server usage"}
    if reply.chunks:
        return {"completion_tokens": reply.chunks, "source": "stream chunks (no usage sent)"}
    return None
