"""Two reviewers approving the same version at the same moment: one wins, one gets a Conflict."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from medcite.library import Actor, Conflict, Library


def test_two_threads_approving_the_same_version(
    library: Library, people: dict[str, Actor], answer_for: Callable[..., dict[str, Any]]
) -> None:
    draft = library.create_draft(people["editor"], answer=answer_for("How is gout treated?"))
    library.transition(people["editor"], draft.id, "submitted", version=1)
    seen = library.transition(people["reviewer"], draft.id, "under_review", version=1)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def approve(name: str) -> None:
        start.wait()
        try:
            library.transition(
                people[name],
                draft.id,
                "approved",
                version=seen.current_version,
                lock_version=seen.lock_version,
                comment=f"approved by {name}",
            )
            outcomes[name] = "approved"
        except Conflict as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("reviewer", "reviewer2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [n for n, outcome in outcomes.items() if outcome == "approved"]
    losers = [o for o in outcomes.values() if isinstance(o, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "reload" in str(losers[0])
    final = library.article(people["admin"], draft.id)
    assert (final.status, final.approved_by) == ("approved", winners[0])
    approvals = [e for e in final.events if e["to"] == "approved"]
    assert [e["comment"] for e in approvals] == [f"approved by {winners[0]}"]
    audit = [e for e in library.audit_log(people["admin"]) if e.action == "article.approved"]
    assert [e.actor for e in audit] == winners


def test_racing_editors_do_not_lose_a_version(
    library: Library, people: dict[str, Actor], answer_for: Callable[..., dict[str, Any]]
) -> None:
    """Two editors revising the same draft version: one version 2 is added, never two."""
    draft = library.create_draft(people["editor"], answer=answer_for("What causes gout?"))
    start = threading.Barrier(2)
    results: list[object] = []

    def revise(label: str) -> None:
        answer = answer_for("What causes gout?")
        answer["bottom_line"]["text"] = f"Revision {label}."
        start.wait()
        try:
            results.append(library.revise(people["editor"], draft.id, answer, version=1).id)
        except Conflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=revise, args=(x,)) for x in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    final = library.article(people["editor"], draft.id)
    assert [v["number"] for v in final.versions] == [1, 2]
