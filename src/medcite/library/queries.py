"""Reading the library: article pages, the public list, the review queue, approved answers.

Readers (anonymous or role ``reader``) see only articles that have an approved version and are
``approved`` or back ``under_review`` (then with a banner saying why); staff see everything.
Invisible articles are reported as NotFound, so their existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from medcite.library.articles import load, normalize_question, version, when
from medcite.library.errors import Forbidden, InvalidRequest, NotFound
from medcite.library.evidence import corpus_passages
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
from medcite.library.statements import flatten
from medcite.library.workflow import STAFF_ROLES, Actor, Status, parse_status, require_role

if TYPE_CHECKING:
    from medcite.corpus.store import CorpusStore

PUBLIC = (Status.APPROVED.value, Status.UNDER_REVIEW.value)
MAX_PER_PAGE = 100


def is_staff(actor: Actor | None) -> bool:
    return actor is not None and actor.role in STAFF_ROLES


def review_label(status: str, approved_at: datetime | None, reason: str | None) -> str:
    """The line the answer page shows under the title."""
    if status == Status.APPROVED.value and approved_at is not None:
        return f"Approved by the Medical Advisory Board on {approved_at:%d %B %Y}"
    if status == Status.UNDER_REVIEW.value and reason:
        return f"Under review: {reason}"
    if status == Status.UNDER_REVIEW.value and approved_at is not None:
        return f"Under re-review (last approved {approved_at:%d %B %Y})"
    return "Educational purpose only • pending human review"


@dataclass(slots=True)
class ArticleView:
    """What an article page or ``GET /api/v1/articles/{id}`` shows."""

    id: int
    slug: str
    title: str
    question: str
    audience: str
    topic: str | None
    status: str
    version: int  # the version shown: current for staff, last approved for readers
    current_version: int
    lock_version: int
    approved_version: int | None
    approved_at: str | None
    approved_by: str | None
    stale_reason: str | None
    due_for_review: bool
    created_at: str
    updated_at: str
    answer: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(slots=True)
class Page:
    items: list[ArticleView]
    total: int
    page: int
    per_page: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": [i.to_dict() for i in self.items],
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
        }


def _summary(
    article: Article, numbers: dict[int, int], due_before: datetime, shown: int | None = None
) -> ArticleView:
    current = numbers.get(article.current_version_id or 0, 0)
    approved = numbers.get(article.approved_version_id or 0)
    return ArticleView(
        id=article.id,
        slug=article.question.slug,
        title=article.title,
        question=article.question.text,
        audience=article.audience,
        topic=article.topic,
        status=article.status,
        version=shown or current,
        current_version=current,
        lock_version=article.lock_version,
        approved_version=approved,
        approved_at=when(article.approved_at),
        approved_by=article.approved_by,
        stale_reason=article.stale_reason,
        due_for_review=_due(article, due_before),
        created_at=article.created_at.isoformat(),
        updated_at=article.updated_at.isoformat(),
    )


def _due(article: Article, due_before: datetime) -> bool:
    return (
        article.status == Status.APPROVED.value
        and article.approved_at is not None
        and article.approved_at < due_before
    )


def _version_numbers(session: Session, articles: list[Article]) -> dict[int, int]:
    ids = {i for a in articles for i in (a.current_version_id, a.approved_version_id) if i}
    if not ids:
        return {}
    rows = session.execute(
        select(ArticleVersion.id, ArticleVersion.number).where(ArticleVersion.id.in_(ids))
    )
    return dict(rows.all())


def _with_review(answer: dict[str, Any], article: Article) -> dict[str, Any]:
    label = review_label(article.status, article.approved_at, article.stale_reason)
    review = {
        "status": article.status,
        "last_updated": when(article.approved_at) or article.updated_at.isoformat(),
        "last_updated_basis": "approved" if article.approved_at else "revised",
        "reviewed_by": article.approved_by,
        "label": label,
    }
    return {**answer, "review": review}


def get_article(
    session: Session,
    actor: Actor | None,
    *,
    article_id: int | None = None,
    slug: str | None = None,
    due_before: datetime,
) -> ArticleView:
    """One article with its answer; staff also get its versions and review events."""
    if slug is not None:
        article = session.scalar(select(Article).join(Question).where(Question.slug == slug))
        if article is None:
            raise NotFound(f"no article {slug!r}")
    else:
        article = load(session, int(article_id or 0))
    staff = is_staff(actor)
    if not staff and (article.status not in PUBLIC or article.approved_version_id is None):
        raise NotFound(f"no article {slug or article_id!r}")
    shown_id = article.current_version_id if staff else article.approved_version_id
    shown = session.get(ArticleVersion, shown_id)
    assert shown is not None
    view = _summary(article, _version_numbers(session, [article]), due_before, shown.number)
    view.answer = _with_review(shown.answer, article)
    view.events = _events(session, article.id, staff)
    if staff:
        view.versions = [
            {"number": v.number, "created_by": v.created_by, "created_at": v.created_at.isoformat()}
            for v in session.scalars(
                select(ArticleVersion)
                .where(ArticleVersion.article_id == article.id)
                .order_by(ArticleVersion.number)
            )
        ]
    return view


def _events(session: Session, article_id: int, staff: bool) -> list[dict[str, Any]]:
    rows = session.execute(
        select(ReviewEvent, ArticleVersion.number)
        .outerjoin(ArticleVersion, ArticleVersion.id == ReviewEvent.version_id)
        .where(ReviewEvent.article_id == article_id)
        .order_by(ReviewEvent.id)
    )
    return [
        {
            "kind": e.kind,
            "from": e.from_status,
            "to": e.to_status,
            "version": number,
            "actor": e.actor if staff else None,
            "comment": e.comment if staff or e.kind == "staleness" else "",
            "at": e.created_at.isoformat(),
        }
        for e, number in rows
    ]


def version_view(
    session: Session, actor: Actor | None, article_id: int, number: int, corpus: CorpusStore
) -> dict[str, Any]:
    """A version for review: each statement with its citations' passages and its comments.

    A passage's text is re-read from ``corpus`` (never the answer JSON an editor sent); one
    the corpus no longer holds shows the text as cited, with ``in_corpus`` false.
    """
    require_role(actor, STAFF_ROLES, "review versions")
    target = version(session, load(session, article_id), number)
    cited = list(session.scalars(select(CitedPassage).where(CitedPassage.version_id == target.id)))
    current = corpus_passages(corpus, (c.passage_id for c in cited))
    passages = {
        c.passage_id: (current[c.passage_id][0].text, True)
        if c.passage_id in current
        else (c.text, False)
        for c in cited
    }
    by_n = {r["n"]: r for r in target.answer.get("references", []) if "n" in r}
    comments = list(
        session.scalars(select(Comment).where(Comment.version_id == target.id).order_by(Comment.id))
    )
    statements = []
    for ref in flatten(target.answer):
        statements.append(
            {
                **ref.to_dict(),
                "passages": [
                    {
                        "n": n,
                        "doc_id": by_n[n]["doc_id"],
                        "passage_id": pid,
                        "text": passages[pid][0],
                        "in_corpus": passages[pid][1],
                    }
                    for n, pid in ref.cited
                    if pid in passages
                ],
                "comments": [_comment(c) for c in comments if c.statement == ref.path],
            }
        )
    return {
        "article_id": article_id,
        "number": target.number,
        "created_by": target.created_by,
        "created_at": target.created_at.isoformat(),
        "engine_version": target.engine_version,
        "corpus_version": target.corpus_version,
        "answer": target.answer,
        "statements": statements,
        "comments": [_comment(c) for c in comments if c.statement is None],
    }


def _comment(c: Comment) -> dict[str, Any]:
    return {
        "id": c.id,
        "author": c.author,
        "body": c.body,
        "statement": c.statement,
        "at": c.created_at.isoformat(),
    }


def _page(
    session: Session, query: Select[Any], page: int, per_page: int, due_before: datetime
) -> Page:
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidRequest(f"page must be ≥ 1 and per_page between 1 and {MAX_PER_PAGE}")
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    articles = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    numbers = _version_numbers(session, articles)
    return Page([_summary(a, numbers, due_before) for a in articles], int(total), page, per_page)


def list_articles(
    session: Session,
    actor: Actor | None,
    *,
    due_before: datetime,
    search: str | None = None,
    topic: str | None = None,
    audience: str | None = None,
    status: str | None = None,
    reviewed_since: datetime | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """The library list, newest review first; staff may also list unapproved statuses."""
    query = select(Article)
    if status is not None:
        wanted = parse_status(status).value
        if not is_staff(actor) and wanted not in PUBLIC:
            raise Forbidden(f"readers can list approved or under_review articles, not {wanted}")
        query = query.where(Article.status == wanted)
    elif not is_staff(actor):
        query = query.where(Article.status == Status.APPROVED.value)
    if not is_staff(actor) and status == Status.UNDER_REVIEW.value:  # approved ones always have it
        query = query.where(Article.approved_version_id.is_not(None))
    for term in (search or "").lower().split():
        pattern = f"%{_escape_like(term)}%"
        query = query.where(
            or_(
                func.lower(Article.title).like(pattern, escape="\\"),
                Article.id.in_(
                    select(ArticleSearch.article_id).where(
                        ArticleSearch.body.like(pattern, escape="\\")
                    )
                ),
            )
        )
    if topic:
        query = query.where(Article.topic == topic)
    if audience:
        query = query.where(Article.audience == audience)
    if reviewed_since:
        query = query.where(Article.approved_at >= reviewed_since)
    newest = Article.updated_at if is_staff(actor) else Article.approved_at
    query = query.order_by(newest.desc(), Article.id.desc())
    return _page(session, query, page, per_page, due_before)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def review_queue(
    session: Session,
    actor: Actor | None,
    *,
    due_before: datetime,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Submitted, under review, and approved-but-due articles, oldest waiting first."""
    require_role(actor, STAFF_ROLES, "see the review queue")
    query = (
        select(Article)
        .where(
            or_(
                Article.status.in_([Status.SUBMITTED.value, Status.UNDER_REVIEW.value]),
                and_(Article.status == Status.APPROVED.value, Article.approved_at < due_before),
            )
        )
        .order_by(Article.updated_at, Article.id)
    )
    return _page(session, query, page, per_page, due_before)


def approved_answer(session: Session, question: str, audience: str) -> dict[str, Any] | None:
    """The stored answer of the approved article for this question, with its review; else None."""
    row = session.execute(
        select(ArticleVersion.answer, Article)
        .join(Article, Article.approved_version_id == ArticleVersion.id)
        .join(Question, Question.id == Article.question_id)
        .where(
            Question.normalized == normalize_question(question),
            Question.audience == audience,
            Article.status == Status.APPROVED.value,
        )
    ).first()
    if row is None:
        return None
    return _with_review(row[0], row[1])


def approved_questions(session: Session, limit: int) -> list[str]:
    """Questions of approved articles, most recently approved first."""
    rows = session.execute(
        select(Question.text)
        .join(Article, Article.question_id == Question.id)
        .where(Article.status == Status.APPROVED.value)
        .order_by(Article.approved_at.desc())
        .limit(limit)
    )
    return list(dict.fromkeys(text for (text,) in rows))


def due_cutoff(interval_days: int) -> datetime:
    return utcnow() - timedelta(days=interval_days)
