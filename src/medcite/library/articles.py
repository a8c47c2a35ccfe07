"""Articles: create a draft from an answer, add versions, move through the workflow.

Every function takes the acting :class:`Actor` (None = anonymous) and checks its role first,
so nothing about an article leaks to someone who may not act on it. Writes append a
ReviewEvent where the workflow moved and an audit entry always, in the caller's transaction.

Optimistic locking: a transition names the version number the actor looked at and, when
known, the article's ``lock_version``. If either is no longer current, :class:`Conflict` is
raised; and if two transactions race past those checks, the row counter (SQLAlchemy
``version_id_col``) makes the second UPDATE match no row, which is also a Conflict.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from medcite.config import AUDIENCES
from medcite.library import audit, evidence
from medcite.library.errors import (
    Conflict,
    DuplicateArticle,
    EvidenceChanged,
    InvalidRequest,
    NotFound,
)
from medcite.library.schema import (
    Article,
    ArticleSearch,
    ArticleVersion,
    CitedPassage,
    Comment,
    Question,
    ReviewEvent,
    utcnow,
)
from medcite.library.statements import flatten, search_text
from medcite.library.workflow import (
    COMMENTER_ROLES,
    EDITABLE,
    EDITOR_ROLES,
    Actor,
    Status,
    check_transition,
    parse_status,
    require_role,
    require_role_for,
)
from medcite.models import reference_passages, sha256_hex

if TYPE_CHECKING:
    from medcite.corpus.store import CorpusStore


def normalize_question(text: str) -> str:
    """The key two phrasings of the same question share: lowercase, single spaces, no '?'."""
    return " ".join(text.lower().split()).rstrip(" ?")


def slugify(text: str, limit: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "article"


def _check_answer(answer: Any, corpus: CorpusStore) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise InvalidRequest("the answer must be a JSON object (an `ask --format json` answer)")
    missing = [
        k
        for k in ("question", "audience", "bottom_line", "sections", "references")
        if k not in answer
    ]
    if missing:
        raise InvalidRequest(f"the answer lacks {', '.join(missing)}")
    if answer["audience"] not in AUDIENCES:
        raise InvalidRequest(f"unknown audience {answer['audience']!r}")
    for ref in answer["references"]:
        if not isinstance(ref, dict) or not {"passage_id", "doc_id", "text"} <= ref.keys():
            raise InvalidRequest("every reference needs passage_id, doc_id and the passage text")
        passages = ref.get("passages", [])
        if not isinstance(passages, list) or not all(
            isinstance(p, dict)
            and isinstance(p.get("passage_id"), str)
            and isinstance(p.get("text"), str)
            for p in passages
        ):
            raise InvalidRequest(
                f"reference {ref.get('n')}: every entry of passages needs passage_id and text"
            )
    evidence.check_answer(answer, corpus)
    return answer


def _unique_slug(session: Session, base: str) -> str:
    taken = set(session.scalars(select(Question.slug).where(Question.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_draft(
    session: Session,
    actor: Actor | None,
    answer: dict[str, Any],
    corpus: CorpusStore,
    *,
    topic: str | None = None,
) -> Article:
    """A new article in ``draft`` whose version 1 is ``answer`` (editors only), its evidence
    checked against ``corpus``."""
    actor = require_role(actor, EDITOR_ROLES, "create articles")
    answer = _check_answer(answer, corpus)
    normalized = normalize_question(answer["question"])
    audience = answer["audience"]
    existing = session.execute(
        select(Article.id, Question.slug, Article.status)
        .join(Question)
        .where(Question.normalized == normalized, Question.audience == audience)
    ).first()
    if existing is not None:
        raise DuplicateArticle(*existing, audience)
    base = slugify(answer["question"])
    slug = _unique_slug(session, base if audience == "clinician" else f"{base}-{audience}")
    question = Question(
        text=answer["question"], normalized=normalized, audience=audience, slug=slug
    )
    article = Article(
        question=question,
        title=answer["question"],
        topic=topic,
        audience=audience,
        status=Status.DRAFT.value,
    )
    session.add(article)
    session.flush()
    version = _add_version(session, actor, article, answer)
    _event(session, actor, article, version, None, Status.DRAFT, "created")
    audit.record(session, actor, "article.create", "article", article.id, after=version.id)
    return article


def _add_version(
    session: Session, actor: Actor, article: Article, answer: dict[str, Any]
) -> ArticleVersion:
    number = 1 + (
        session.scalar(
            select(func.max(ArticleVersion.number)).where(ArticleVersion.article_id == article.id)
        )
        or 0
    )
    engine = answer.get("engine") or {}
    version = ArticleVersion(
        article_id=article.id,
        number=number,
        answer=answer,
        engine_version=engine.get("medcite_version"),
        corpus_version=engine.get("corpus_version"),
        created_by=actor.username,
    )
    session.add(version)
    session.flush()
    cited = {  # every passage of every reference (one reference per document)
        passage["passage_id"]: (ref["doc_id"], passage["text"])
        for ref in answer["references"]
        for passage in reference_passages(ref)
    }
    session.add_all(
        CitedPassage(
            version_id=version.id,
            passage_id=pid,
            doc_id=doc_id,
            text=text,
            content_hash=sha256_hex(text),
        )
        for pid, (doc_id, text) in cited.items()
    )
    article.current_version_id = version.id
    article.updated_at = utcnow()
    return version


def _event(
    session: Session,
    actor: Actor,
    article: Article,
    version: ArticleVersion | None,
    before: Status | None,
    after: Status,
    comment: str,
    kind: str = "transition",
) -> None:
    session.add(
        ReviewEvent(
            article_id=article.id,
            version_id=version.id if version else None,
            kind=kind,
            actor=actor.username,
            from_status=before.value if before else None,
            to_status=after.value,
            comment=comment,
        )
    )


def load(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"no article {article_id}")
    return article


def version(session: Session, article: Article, number: int) -> ArticleVersion:
    found = session.scalar(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article.id, ArticleVersion.number == number
        )
    )
    if found is None:
        raise NotFound(f"article {article.id} has no version {number}")
    return found


def current_version(session: Session, article: Article) -> ArticleVersion:
    found = session.get(ArticleVersion, article.current_version_id)
    assert found is not None, "every article has a current version"
    return found


def _check_fresh(
    session: Session, article: Article, seen_version: int, lock_version: int | None
) -> ArticleVersion:
    """The current version, if the actor saw it (and the same lock_version); else Conflict."""
    current = current_version(session, article)
    if lock_version is not None and lock_version != article.lock_version:
        raise Conflict(
            f"article {article.id} changed since you loaded it (now {article.status}, "
            f"version {current.number}); reload and try again"
        )
    if seen_version != current.number:
        raise Conflict(
            f"you acted on version {seen_version} of article {article.id}, but the current "
            f"version is {current.number}; reload and try again"
        )
    return current


def revise(
    session: Session,
    actor: Actor | None,
    article_id: int,
    answer: dict[str, Any],
    corpus: CorpusStore,
    *,
    seen_version: int,
    lock_version: int | None = None,
) -> ArticleVersion:
    """Add a new version (editors, while draft or changes_requested; the latter → draft),
    its evidence checked against ``corpus``."""
    actor = require_role(actor, EDITOR_ROLES, "edit articles")
    answer = _check_answer(answer, corpus)
    article = load(session, article_id)
    _check_fresh(session, article, seen_version, lock_version)
    status = Status(article.status)
    if status not in EDITABLE:
        raise Conflict(
            f"article {article.id} is {status.value}; new versions are added while it is "
            "draft or changes_requested"
        )
    if normalize_question(answer["question"]) != article.question.normalized:
        raise InvalidRequest("a new version must answer the article's own question")
    article.updated_at = utcnow()
    _flush(session, article)  # take the row (and its lock_version) before adding the version
    new = _add_version(session, actor, article, answer)
    if status is Status.CHANGES_REQUESTED:
        _event(session, actor, article, new, status, Status.DRAFT, "new version")
        article.status = Status.DRAFT.value
    _flush(session, article)
    audit.record(
        session,
        actor,
        "article.revise",
        "article_version",
        new.id,
        before=f"{article.id}",
        after=new.id,
    )
    return new


def transition(
    session: Session,
    actor: Actor | None,
    article_id: int,
    to: str,
    corpus: CorpusStore,
    *,
    seen_version: int,
    comment: str = "",
    lock_version: int | None = None,
) -> Article:
    """Move an article to ``to``; ``seen_version`` is the version number the actor saw.

    Approval re-reads every passage the version cites from ``corpus``: one that changed or
    left it since the version was written refuses the approval (EvidenceChanged)."""
    target = parse_status(to)
    require_role_for(actor, target)
    article = load(session, article_id)
    current = _check_fresh(session, article, seen_version, lock_version)
    status = Status(article.status)
    if status is target:
        raise Conflict(
            f"article {article.id} is already {status.value} (by {_last_actor(session, article)}); "
            "reload to see the latest state"
        )
    actor = check_transition(actor, status, target)
    if (status, target) == (Status.CHANGES_REQUESTED, Status.SUBMITTED):
        _require_new_version(session, article, current)
    if target is Status.APPROVED:
        _require_unchanged_evidence(session, corpus, article, current)
        article.approved_version_id = current.id
        article.approved_at = utcnow()
        article.approved_by = actor.username
        article.stale_reason = None
    article.status = target.value
    article.updated_at = utcnow()
    _event(session, actor, article, current, status, target, comment)
    _flush(session, article)
    if target is Status.APPROVED:  # after the flush: merge() queries, and a query autoflushes
        session.merge(ArticleSearch(article_id=article.id, body=search_text(current.answer)))
    audit.record(
        session,
        actor,
        f"article.{target.value}",
        "article",
        article.id,
        before=status.value,
        after=target.value,
        version=current.number,
    )
    return article


def _last_actor(session: Session, article: Article) -> str:
    return (
        session.scalar(
            select(ReviewEvent.actor)
            .where(ReviewEvent.article_id == article.id)
            .order_by(ReviewEvent.id.desc())
            .limit(1)
        )
        or "someone"
    )


def _require_new_version(session: Session, article: Article, current: ArticleVersion) -> None:
    asked_on = session.scalar(
        select(ReviewEvent.version_id)
        .where(
            ReviewEvent.article_id == article.id,
            ReviewEvent.to_status == Status.CHANGES_REQUESTED.value,
        )
        .order_by(ReviewEvent.id.desc())
        .limit(1)
    )
    if asked_on == current.id:
        raise Conflict(
            f"changes were requested on version {current.number}; add a new version first"
        )


def _require_unchanged_evidence(
    session: Session, corpus: CorpusStore, article: Article, current: ArticleVersion
) -> None:
    cited = list(session.scalars(select(CitedPassage).where(CitedPassage.version_id == current.id)))
    stale = evidence.changed(corpus, cited)
    if stale:
        raise EvidenceChanged(
            f"version {current.number} of article {article.id} cannot be approved: "
            f"{evidence.describe(session, corpus, stale)}; add a new version"
        )


def _flush(session: Session, article: Article) -> None:
    article_id = article.id  # read now: a failed flush expires the object
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            f"article {article_id} was changed by someone else at the same moment; "
            "reload and try again"
        ) from None


def mark_stale(session: Session, article: Article, reason: str, actor: Actor) -> bool:
    """Send an approved article back to under_review (or note a new reason on one under review)."""
    if article.stale_reason == reason:
        return False
    status = Status(article.status)
    article.stale_reason = reason
    article.status = Status.UNDER_REVIEW.value
    article.updated_at = utcnow()
    _event(
        session,
        actor,
        article,
        current_version(session, article),
        status,
        Status.UNDER_REVIEW,
        reason,
        kind="staleness",
    )
    audit.record(
        session,
        actor,
        "article.stale",
        "article",
        article.id,
        before=status.value,
        after=Status.UNDER_REVIEW.value,
        reason=reason,
    )
    return True


def add_comment(
    session: Session,
    actor: Actor | None,
    article_id: int,
    number: int,
    body: str,
    *,
    statement: str | None = None,
) -> Comment:
    """A comment on a version, or on one statement of it (``statement`` = its path)."""
    actor = require_role(actor, COMMENTER_ROLES, "comment")
    if not body.strip():
        raise InvalidRequest("the comment is empty")
    target = version(session, load(session, article_id), number)
    if statement is not None and statement not in {s.path for s in flatten(target.answer)}:
        raise InvalidRequest(f"version {number} has no statement {statement!r}")
    comment = Comment(version_id=target.id, statement=statement, author=actor.username, body=body)
    session.add(comment)
    session.flush()
    audit.record(session, actor, "comment.add", "comment", comment.id, after=comment.id)
    return comment


def when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
