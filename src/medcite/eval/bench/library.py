"""``medcite library bench``: the editorial library's numbers for BENCHMARKS.md.

In one run, against an EMPTY library database (a temporary SQLite file by default, or any
``--database-url``): seed N articles (70 % approved, the rest draft / submitted / under review;
some approvals older than the review interval), then time, as p50/p95 over repeated calls
after a warm-up:

- serving an approved article (``Library.approved_answer``) beside computing the live answer
  (``Engine.ask``) for the same question: the ratio is the point;
- the review queue (page 1), the public list (page 1) and a two-word library search.

Seeding writes rows in bulk (Core inserts) rather than through the workflow: it is the setup,
not what is measured.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from medcite.library.articles import normalize_question
from medcite.library.schema import Article, ArticleSearch, ArticleVersion, Question, utcnow
from medcite.library.service import Library
from medcite.library.statements import search_text
from medcite.library.workflow import Actor, Role, Status

WARMUP = 5
_STATES = [Status.APPROVED] * 7 + [Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW]
_TOPICS = ["cardiology", "neurology", "rheumatology", "infectious disease", "oncology"]


def timed(fn: Callable[[], object], repeats: int) -> dict[str, float]:
    """p50/p95 in milliseconds of ``repeats`` calls after a warm-up."""
    for _ in range(WARMUP):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 3),
    }


def seed(library: Library, answer: dict[str, Any], count: int) -> int:
    """Insert ``count`` articles (the first one answers ``answer``'s question, approved)."""
    with library.db.writing() as s:
        if s.scalar(select(func.count()).select_from(Article)):
            raise ValueError("the benchmark needs an empty library database")
    small = {**answer, "sections": answer["sections"][:1], "references": answer["references"][:3]}
    now, interval = utcnow(), library.settings.library.review_interval_days
    for start in range(0, count, 1000):
        rows = range(start, min(count, start + 1000))
        with library.db.writing() as s:
            _seed_batch(s, answer, small, rows, now, interval)
    library.db.optimize()
    return count


def _seed_batch(s: Any, answer: dict, small: dict, rows: range, now: Any, interval: int) -> None:
    questions, articles, versions, bodies = [], [], [], []
    for i in rows:
        text = answer["question"] if i == 0 else f"{answer['question']} (variant {i})"
        state = Status.APPROVED if i == 0 else _STATES[i % len(_STATES)]
        approved = state is Status.APPROVED
        age = timedelta(days=(interval + 30) if i % 13 == 0 and i else i % interval)
        body = answer if i == 0 else {**small, "question": text}
        questions.append(
            {
                "id": i + 1,
                "text": text,
                "normalized": normalize_question(text),
                "audience": answer["audience"],
                "slug": f"bench-{i}",
                "created_at": now,
            }
        )
        versions.append(
            {
                "id": i + 1,
                "article_id": i + 1,
                "number": 1,
                "answer": body,
                "created_by": "bench",
                "created_at": now,
            }
        )
        if approved:
            bodies.append({"article_id": i + 1, "body": search_text(body)})
        articles.append(
            {
                "id": i + 1,
                "question_id": i + 1,
                "title": text,
                "topic": _TOPICS[i % len(_TOPICS)],
                "audience": answer["audience"],
                "status": state.value,
                "approved_at": now - age if approved else None,
                "approved_by": "bench" if approved else None,
                "created_at": now - age,
                "updated_at": now - age,
                "lock_version": 1,
            }
        )
    s.execute(insert(Question), questions)
    s.execute(insert(Article), articles)
    s.execute(insert(ArticleVersion), versions)
    if bodies:
        s.execute(insert(ArticleSearch), bodies)
    ids = [a["id"] for a in articles]
    s.execute(
        update(Article)
        .where(Article.id.in_(ids))
        .values(current_version_id=Article.id)
        .execution_options(synchronize_session=False)
    )
    approved_ids = [a["id"] for a in articles if a["status"] == Status.APPROVED.value]
    s.execute(
        update(Article)
        .where(Article.id.in_(approved_ids))
        .values(approved_version_id=Article.id)
        .execution_options(synchronize_session=False)
    )


def run(
    engine: Any, library: Library, *, articles: int, repeats: int, question: str
) -> dict[str, Any]:
    """Seed ``articles`` into ``library`` and measure (see the module docstring)."""
    live = engine.ask(question)
    seed(library, live.to_dict(), articles)
    reviewer = Actor("bench-reviewer", Role.REVIEWER)
    search = " ".join(question.lower().split()[-2:]).strip("?")
    served = library.approved_answer(question, live.audience)
    assert served is not None and served["review"]["status"] == "approved"
    result: dict[str, Any] = {
        "backend": library.db.engine.dialect.name,
        "articles": articles,
        "repeats": repeats,
        "serve_approved": timed(lambda: library.approved_answer(question, live.audience), repeats),
        "ask_live": timed(lambda: engine.ask(question), max(10, repeats // 10)),
        "review_queue": timed(lambda: library.review_queue(reviewer), repeats),
        "public_list": timed(lambda: library.articles(None), repeats),
        "public_search": timed(lambda: library.articles(None, search=search), repeats),
        "queue_total": library.review_queue(reviewer).total,
        "search_terms": search,
    }
    result["ask_over_serve_p50"] = round(
        result["ask_live"]["p50_ms"] / result["serve_approved"]["p50_ms"], 1
    )
    return result


def http_view(settings: Any, url: str, *, repeats: int, question: str) -> dict[str, Any]:
    """``GET /ask`` on a real uvicorn: the approved article's page vs a live answer's page.

    The live page asks the same question for another audience (no approved article there).
    Run after :func:`run` has seeded ``url``; the web app gets rate limits that never bite.
    """
    import httpx

    from medcite.config import WebSettings
    from medcite.web.app import create_app
    from medcite.web.server import serve_in_thread

    unlimited = WebSettings(answers_per_minute=1e9, answer_burst=10**9)
    app = create_app(settings.model_copy(update={"database_url": url, "web": unlimited}))
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=60) as client:

        def page(audience: str) -> Callable[[], object]:
            def get() -> None:
                response = client.get("/ask", params={"q": question, "audience": audience})
                response.raise_for_status()

            return get

        approved = client.get("/ask", params={"q": question, "audience": "clinician"}).text
        assert "Approved by the Medical Advisory Board" in approved
        result = {
            "approved_page": timed(page("clinician"), repeats),
            "live_page": timed(page("pharmacist"), max(10, repeats // 10)),
        }
    result["live_over_approved_p50"] = round(
        result["live_page"]["p50_ms"] / result["approved_page"]["p50_ms"], 1
    )
    return result
