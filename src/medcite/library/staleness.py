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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from medcite.library.articles import mark_stale
from medcite.library.schema import Article, ArticleVersion, CitedPassage
from medcite.library.workflow import Actor, Status
from medcite.models import sha256_hex

if TYPE_CHECKING:
    from medcite.corpus.store import CorpusStore

CHECKER = Actor.system("staleness-check")


@dataclass(frozen=True, slots=True)
class StaleArticle:
    article_id: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "reason": self.reason}


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


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
    ids = sorted({cited.passage_id for _, cited in rows})
    current: dict[str, str] = {}
    for chunk in _chunks(ids):
        current.update({pid: p.text for pid, (p, _doc) in store.passages(chunk).items()})
    problems: dict[int, list[CitedPassage]] = defaultdict(list)
    for article_id, cited in rows:
        text = current.get(cited.passage_id)
        if text is None or sha256_hex(text) != cited.content_hash:
            problems[article_id].append(cited)
    flagged = []
    for article_id, cited in sorted(problems.items()):
        article = session.get(Article, article_id)
        assert article is not None
        reason = _reason(session, store, cited)
        if mark_stale(session, article, reason, CHECKER):
            flagged.append(StaleArticle(article_id, reason))
    return flagged


def _reason(session: Session, store: CorpusStore, cited: list[CitedPassage]) -> str:
    """E.g. 'passage [2] of pmid:123 changed on re-ingest; document pmid:9 is gone'."""
    answer = session.get(ArticleVersion, cited[0].version_id)
    numbers = {
        r["passage_id"]: r.get("n") for r in (answer.answer if answer else {}).get("references", [])
    }
    parts = []
    for c in sorted(cited, key=lambda c: (numbers.get(c.passage_id) or 0, c.passage_id)):
        label = f"passage [{numbers.get(c.passage_id)}] of {c.doc_id}"
        if store.document(c.doc_id) is None:
            parts.append(f"{label} is gone: the document is no longer in the corpus")
        else:
            parts.append(f"{label} changed on re-ingest")
    return "; ".join(parts)
