"""A local OpenAI-compatible LLM server for tests and benchmarks: llama.cpp's own C++ HTTP
server, as shipped prebuilt in the ``xllamacpp`` wheel (``pip install 'medcite[llm-server]'``).

    python -m medcite.testing.llm_server --model M.gguf --port 8080 [--embedding] [--api-key K]

The wheel is built for portable x86-64 (no host-specific instructions), so the same install
runs on every machine of a kind; a from-source ``llama-cpp-python`` build tuned to the
compiling host crashed on another one. The process serves until it is terminated.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

MISSING = (
    "the LLM test server needs xllamacpp (prebuilt llama.cpp server): "
    "pip install 'medcite[llm-server]'"
)


def serve(
    model: Path, port: int, *, embedding: bool, n_ctx: int, threads: int, api_key: str | None
) -> None:
    """Load ``model`` and serve the OpenAI API on 127.0.0.1:``port`` until SIGTERM/SIGINT."""
    try:
        import xllamacpp
    except ImportError:
        sys.exit(MISSING)
    if not model.is_file():
        sys.exit(f"model file not found: {model}")
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.endpoint_metrics = True  # /metrics: tests count generated tokens there
    params.embedding = embedding
    if embedding:  # a chat model has no pooling layer; OpenAI embeddings need one vector
        params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
    if api_key:
        params.api_keys = [api_key]
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server = xllamacpp.Server(params)
    print(f"listening on {server.listening_address}", flush=True)
    stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="a GGUF model file")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--embedding", action="store_true", help="serve /v1/embeddings")
    parser.add_argument("--n-ctx", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--api-key", help="refuse requests without this bearer key")
    args = parser.parse_args(argv)
    serve(
        args.model,
        args.port,
        embedding=args.embedding,
        n_ctx=args.n_ctx,
        threads=args.threads,
        api_key=args.api_key,
    )


if __name__ == "__main__":
    main()
