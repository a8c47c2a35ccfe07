"""``Library(settings)``: the editorial library's one façade for the CLI, the web app and tests.

Each public method is one API call or page, takes the acting user (None = anonymous), checks
its role, runs in its own transaction and returns plain views (``.to_dict()`` for JSON). Errors
are :mod:`medcite.library.errors`, each with the HTTP status the web layer should answer:

    POST /api/v1/articles                  create_draft(actor, answer=... | question=...)
    GET  /api/v1/articles/{id}             article(actor, article_id)
    POST /api/v1/articles/{id}/transitions transition(actor, id, to, version=, comment=, ...)
    GET  /api/v1/review-queue              review_queue(actor, page=, per_page=)
    /articles                              articles(actor, search=, topic=, audience=, status=, ...)
    /articles/{slug}                       article_by_slug(actor, slug)
    reviewer version page                  version(actor, id, number); comment(...); diff(...)
    answer page                            approved_answer(question, audience) (None → live answer)
    sign-in / Bearer token                 login(username, password); authenticate_token(token)
    browser session + CSRF                 sessions.SessionSigner.for_settings(settings)
    GET/POST/DELETE /api/v1/tokens         tokens(actor); create_token(...); revoke_token(...)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from medcite.config import Settings
from medcite.corpus.database import open_database
from medcite.library import articles as article_ops
from medcite.library import audit, auth, exchange, integrity, queries, staleness
from medcite.library.db import Database, migrate
from medcite.library.errors import InvalidRequest
from medcite.library.statements import Change, diff
from medcite.library.workflow import EDITOR_ROLES, STAFF_ROLES, Actor, Role, require_role

if TYPE_CHECKING:
    from medcite.corpus.store import CorpusStore

ComposeFn = Callable[[str, str], dict[str, Any]]


class Library:
    """The editorial library on ``settings.library_url`` (migrated to the newest schema on open)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        url: str | None = None,
        corpus: CorpusStore | Callable[[], CorpusStore] | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.url = url or self.settings.library_url
        # The corpus that cited evidence is checked against: the one given (or made by the
        # function given: the engine's store, opened when first needed), else the configured
        # corpus, opened on first use and closed with the library.
        self._corpus: CorpusStore | None = None
        self._open_corpus = corpus if callable(corpus) else None
        if corpus is not None and not callable(corpus):
            self._corpus = corpus
        self._owns_corpus = corpus is None
        engine = open_database(self.url, private=True)
        migrate(engine)
        self.db = Database(engine)
        if engine.dialect.name == "sqlite":  # cheap there; PostgreSQL's autovacuum does it
            self.db.optimize()

    @property
    def corpus(self) -> CorpusStore:
        """The corpus store cited passages are re-read from (see :mod:`.evidence`)."""
        if self._corpus is None:
            from medcite.corpus.store import CorpusStore

            self._corpus = (
                self._open_corpus()
                if self._open_corpus
                else CorpusStore(self.settings.corpus_url or self.settings.corpus_db)
            )
        return self._corpus

    def close(self) -> None:
        self.db.close()
        if self._owns_corpus and self._corpus is not None:
            self._corpus.close()
            self._corpus = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def _due_before(self) -> datetime:
        return queries.due_cutoff(self.settings.library.review_interval_days)

    # -- users and sign-in ---------------------------------------------------------------

    def add_user(
        self,
        actor: Actor | None,
        username: str,
        role: str,
        *,
        password: str | None = None,
        display_name: str | None = None,
    ) -> auth.UserView:
        with self.db.writing() as s:
            return auth.add_user(
                s, actor, username, role, password=password, display_name=display_name
            )

    def users(self, actor: Actor | None) -> list[auth.UserView]:
        with self.db.reading() as s:
            return auth.list_users(s, actor)

    def disable_user(
        self, actor: Actor | None, username: str, disabled: bool = True
    ) -> auth.UserView:
        with self.db.writing() as s:
            return auth.set_disabled(s, actor, username, disabled)

    def set_password(self, actor: Actor | None, username: str, password: str) -> None:
        with self.db.writing() as s:
            auth.set_password(s, actor, username, password)

    def create_token(
        self,
        actor: Actor | None,
        username: str,
        label: str = "",
        *,
        expires_in_days: int | None = None,
    ) -> auth.NewToken:
        """A new API token (its secret shown once), valid until revoked or for N days."""
        with self.db.writing() as s:
            return auth.create_token(s, actor, username, label, expires_in_days=expires_in_days)

    def tokens(self, actor: Actor | None, username: str | None = None) -> list[auth.TokenView]:
        """API tokens: everyone's (or ``username``'s) for an admin, else the actor's own."""
        with self.db.reading() as s:
            return auth.list_tokens(s, actor, username)

    def revoke_token(self, actor: Actor | None, token_id: int) -> auth.TokenView:
        with self.db.writing() as s:
            return auth.revoke_token(s, actor, token_id)

    def login(self, username: str, password: str) -> Actor:
        with self.db.reading() as s:
            return auth.login(s, username, password)

    def start_session(self, actor: Actor, lifetime: timedelta) -> str:
        """A new browser session's id, lasting ``lifetime`` (see ``library.sessions``)."""
        with self.db.writing() as s:
            return auth.start_session(s, actor, lifetime)

    def session_actor(self, session_id: str) -> Actor:
        """The user of a live browser session; Unauthenticated once it has ended."""
        with self.db.reading() as s:
            return auth.session_actor(s, session_id)

    def end_session(self, session_id: str) -> None:
        with self.db.writing() as s:
            auth.end_session(s, session_id)

    def local_actor(self, username: str) -> Actor:
        """The operator at this machine acting as ``username`` (CLI only; no password)."""
        with self.db.reading() as s:
            return auth.local_actor(s, username)

    def authenticate_token(self, token: str) -> Actor:
        with self.db.reading() as s:
            return auth.authenticate_token(s, token)

    # -- writing articles ----------------------------------------------------------------

    def create_draft(
        self,
        actor: Actor | None,
        *,
        answer: dict[str, Any] | None = None,
        question: str | None = None,
        audience: str = "clinician",
        compose: ComposeFn | None = None,
        topic: str | None = None,
    ) -> queries.ArticleView:
        """A draft from an answer, or from a question that ``compose(question, audience)`` answers.

        The role is checked before anything is composed, so anonymous calls cost nothing.
        """
        require_role(actor, EDITOR_ROLES, "create articles")
        if answer is None:
            if not question or compose is None:
                raise InvalidRequest("give an answer, or a question (and a way to answer it)")
            answer = compose(question, audience)
        with self.db.writing() as s:
            article = article_ops.create_draft(s, actor, answer, self.corpus, topic=topic)
            article_id = article.id
        return self.article(actor, article_id)

    def revise(
        self,
        actor: Actor | None,
        article_id: int,
        answer: dict[str, Any],
        *,
        version: int,
        lock_version: int | None = None,
    ) -> queries.ArticleView:
        """Add a new version to a draft or changes_requested article (editors)."""
        with self.db.writing() as s:
            article_ops.revise(
                s,
                actor,
                article_id,
                answer,
                self.corpus,
                seen_version=version,
                lock_version=lock_version,
            )
        return self.article(actor, article_id)

    def transition(
        self,
        actor: Actor | None,
        article_id: int,
        to: str,
        *,
        version: int,
        comment: str = "",
        lock_version: int | None = None,
    ) -> queries.ArticleView:
        """Move the article to ``to``; ``version`` is the version number the actor saw (approval
        re-checks the cited passages against the corpus)."""
        with self.db.writing() as s:
            article_ops.transition(
                s,
                actor,
                article_id,
                to,
                self.corpus,
                seen_version=version,
                comment=comment,
                lock_version=lock_version,
            )
        return self.article(actor, article_id)

    def comment(
        self,
        actor: Actor | None,
        article_id: int,
        version: int,
        body: str,
        *,
        statement: str | None = None,
    ) -> dict[str, Any]:
        with self.db.writing() as s:
            made = article_ops.add_comment(s, actor, article_id, version, body, statement=statement)
            return {
                "id": made.id,
                "statement": made.statement,
                "author": made.author,
                "body": made.body,
            }

    # -- reading -------------------------------------------------------------------------

    def article(self, actor: Actor | None, article_id: int) -> queries.ArticleView:
        with self.db.reading() as s:
            return queries.get_article(s, actor, article_id=article_id, due_before=self._due_before)

    def article_by_slug(self, actor: Actor | None, slug: str) -> queries.ArticleView:
        with self.db.reading() as s:
            return queries.get_article(s, actor, slug=slug, due_before=self._due_before)

    def version(self, actor: Actor | None, article_id: int, number: int) -> dict[str, Any]:
        with self.db.reading() as s:
            return queries.version_view(s, actor, article_id, number, self.corpus)

    def diff(self, actor: Actor | None, article_id: int, old: int, new: int) -> list[Change]:
        """Statement-level changes from version ``old`` to ``new`` (staff)."""
        require_role(actor, STAFF_ROLES, "compare versions")
        with self.db.reading() as s:
            article = article_ops.load(s, article_id)
            before = article_ops.version(s, article, old).answer
            after = article_ops.version(s, article, new).answer
        return diff(before, after)

    def articles(self, actor: Actor | None, **filters: Any) -> queries.Page:
        """Filters: search, topic, audience, status, reviewed_since, page, per_page."""
        with self.db.reading() as s:
            return queries.list_articles(s, actor, due_before=self._due_before, **filters)

    def review_queue(
        self, actor: Actor | None, *, page: int = 1, per_page: int = 50
    ) -> queries.Page:
        with self.db.reading() as s:
            return queries.review_queue(
                s, actor, due_before=self._due_before, page=page, per_page=per_page
            )

    def approved_answer(self, question: str, audience: str = "clinician") -> dict[str, Any] | None:
        """The approved article's stored answer for this question (no recomputation), else None."""
        with self.db.reading() as s:
            return queries.approved_answer(s, question, audience)

    def approved_questions(self, limit: int = 5000) -> list[str]:
        """Questions of approved articles (public: related questions draw on them)."""
        with self.db.reading() as s:
            return queries.approved_questions(s, limit)

    def audit_log(self, actor: Actor | None, *, limit: int = 100) -> list[audit.AuditView]:
        require_role(actor, frozenset({Role.ADMIN}), "read the audit log")
        with self.db.reading() as s:
            return audit.entries(s, limit=limit)

    # -- maintenance ---------------------------------------------------------------------

    def check_integrity(self, actor: Actor | None) -> integrity.IntegrityReport:
        """Whether the history is what medcite wrote: the audit chain, cited passages'
        hashes, approvals against review events (admin; ``medcite library check``)."""
        require_role(actor, frozenset({Role.ADMIN}), "check the library")
        with self.db.reading() as s:
            return integrity.check(s)

    def check_staleness(self, store: CorpusStore) -> list[staleness.StaleArticle]:
        """Send articles whose cited passages changed back to review (see ``staleness``)."""
        with self.db.writing() as s:
            return staleness.check(s, store)

    def export(self, out: IO[str], *, with_secrets: bool = False) -> int:
        """Write the whole library to ``out`` (one consistent snapshot); returns the records."""
        with self.db.reading() as s:
            exchange.snapshot(s)
            return exchange.write_export(s, out, with_secrets=with_secrets)

    def export_to(self, path: Path, *, with_secrets: bool = False) -> int:
        """Export into ``path`` whole or not at all: written beside it, then renamed over it."""
        with exchange.replacing(path) as out:
            return self.export(out, with_secrets=with_secrets)

    def import_(self, actor: Actor | None, lines: Iterable[str], *, source: str) -> dict[str, int]:
        """Fill this (empty) library from an export (admin)."""
        actor = require_role(actor, frozenset({Role.ADMIN}), "import a library")
        with self.db.writing() as s:
            counts = exchange.import_lines(s, actor, lines, source=source)
        self.db.optimize()
        return counts
