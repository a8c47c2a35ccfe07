"""Keeping approved articles honest when the corpus changes under them.

After every ingest, each approved article's approved version (and each under-review
article's current version) is checked: every cited passage's stored content hash must still
match a passage in the corpus store. Passage ids are content-addressed, so a passage whose text
changed on re-ingest no longer exists under its old id; its document tells "changed" from
"gone". An affected approved article goes back to ``under_review`` with the reason in a
ReviewEvent and in ``Article.stale_reason`` (the page banner).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from medcite.library.articles import mark_stale
from medcite.library.evidence import changed, describe
from medcite.library.schema import Article, CitedPassage
from medcite.library.workflow import Actor, Status

if TYPE_CHECKING:
    from medcite.corpus.store import CorpusStore

CHECKER = Actor.system("staleness-check")


@dataclass(frozen=True, slots=True)
class StaleArticle:
    article_id: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "reason": self.reason}


def check(session: Session, store: CorpusStore) -> list[StaleArticle]:
    """Flag every approved/under-review article whose cited passages changed or vanished."""
    checked_version = case(
        (Article.status == Status.APPROVED.value, Article.approved_version_id),
        else_=Article.current_version_id,
    )
    rows = session.execute(
        select(Article.id, CitedPassage)
        .join(CitedPassage, CitedPassage.version_id == checked_version)
        .where(Article.status.in_([Status.APPROVED.value, Status.UNDER_REVIEW.value]))
    ).all()
    gone = {id(c) for c in changed(store, [cited for _, cited in rows])}
    problems: dict[int, list[CitedPassage]] = defaultdict(list)
    for article_id, cited in rows:
        if id(cited) in gone:
            problems[article_id].append(cited)
    flagged = []
    for article_id, stale in sorted(problems.items()):
        article = session.get(Article, article_id)
        assert article is not None
        reason = describe(session, store, stale)
        if mark_stale(session, article, reason, CHECKER):
            flagged.append(StaleArticle(article_id, reason))
    return flagged
