"""The review workflow end to end, every operation's role check, and workflow legality."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcite.library import (
    Actor,
    Conflict,
    Forbidden,
    IllegalTransition,
    ImportRejected,
    Library,
    NotFound,
    Status,
    Unauthenticated,
)
from medcite.library.workflow import TRANSITIONS


def approve(library: Library, people: dict[str, Actor], article_id: int) -> None:
    library.transition(people["editor"], article_id, "submitted", version=1)
    library.transition(people["reviewer"], article_id, "under_review", version=1)
    library.transition(people["reviewer"], article_id, "approved", version=1, comment="accurate")


def test_happy_path_records_every_move_and_names_the_approved_version(
    library: Library, people: dict[str, Actor], answer_for: Callable[..., dict[str, Any]]
) -> None:
    draft = library.create_draft(people["editor"], answer=answer_for("How is gout treated?"))
    assert (draft.status, draft.version) == ("draft", 1)
    library.transition(people["editor"], draft.id, "submitted", version=1)
    library.transition(people["reviewer"], draft.id, "under_review", version=1)
    changes = library.transition(
        people["reviewer"], draft.id, "changes_requested", version=1, comment="cite dosing"
    )
    assert changes.status == "changes_requested"
    with pytest.raises(Conflict, match="add a new version first"):
        library.transition(people["editor"], draft.id, "submitted", version=1)
    revised = library.revise(
        people["editor"], draft.id, answer_for("How is gout treated?"), version=1
    )
    assert (revised.status, revised.current_version) == ("draft", 2)
    library.transition(people["editor"], draft.id, "submitted", version=2)
    library.transition(people["reviewer"], draft.id, "under_review", version=2)
    done = library.transition(people["reviewer2"], draft.id, "approved", version=2)
    assert (done.status, done.approved_version, done.approved_by) == ("approved", 2, "reviewer2")
    moves = [(e["from"], e["to"], e["version"], e["actor"]) for e in done.events]
    assert moves == [
        (None, "draft", 1, "editor"),
        ("draft", "submitted", 1, "editor"),
        ("submitted", "under_review", 1, "reviewer"),
        ("under_review", "changes_requested", 1, "reviewer"),
        ("changes_requested", "draft", 2, "editor"),
        ("draft", "submitted", 2, "editor"),
        ("submitted", "under_review", 2, "reviewer"),
        ("under_review", "approved", 2, "reviewer2"),
    ]
    assert done.events[3]["comment"] == "cite dosing"
    retracted = library.transition(people["reviewer"], draft.id, "retracted", version=2)
    assert retracted.status == "retracted"
    with pytest.raises(NotFound):
        library.article(None, draft.id)


def test_illegal_moves_are_refused_and_change_nothing(
    library: Library, people: dict[str, Actor], answer_for: Callable[..., dict[str, Any]]
) -> None:
    draft = library.create_draft(people["editor"], answer=answer_for("What causes gout?"))
    with pytest.raises(IllegalTransition, match="draft cannot become approved"):
        library.transition(people["reviewer"], draft.id, "approved", version=1)
    with pytest.raises(Conflict, match="current version is 1"):
        library.transition(people["editor"], draft.id, "submitted", version=7)
    after = library.article(people["editor"], draft.id)
    assert (after.status, after.lock_version, len(after.events)) == (
        "draft",
        draft.lock_version,
        1,
    )


def test_stale_lock_version_is_a_conflict(
    library: Library, people: dict[str, Actor], answer_for: Callable[..., dict[str, Any]]
) -> None:
    draft = library.create_draft(people["editor"], answer=answer_for("Is gout hereditary?"))
    seen = library.transition(people["editor"], draft.id, "submitted", version=1)
    library.transition(people["reviewer"], draft.id, "under_review", version=1)
    with pytest.raises(Conflict, match="changed since you loaded it"):
        library.transition(
            people["reviewer2"], draft.id, "approved", version=1, lock_version=seen.lock_version
        )


# -- every write, unauthenticated and with each wrong role ----------------------------------

WRITES: dict[str, tuple[set[str], Callable[[Library, Actor | None, dict[str, Any]], Any]]] = {
    "create_draft": ({"editor"}, lambda lib, who, ctx: lib.create_draft(who, answer=ctx["answer"])),
    "revise": (
        {"editor"},
        lambda lib, who, ctx: lib.revise(who, ctx["draft"], ctx["answer_v2"], version=1),
    ),
    "submit": (
        {"editor"},
        lambda lib, who, ctx: lib.transition(who, ctx["draft"], "submitted", version=1),
    ),
    "start_review": (
        {"reviewer"},
        lambda lib, who, ctx: lib.transition(who, ctx["submitted"], "under_review", version=1),
    ),
    "approve": (
        {"reviewer"},
        lambda lib, who, ctx: lib.transition(who, ctx["reviewing"], "approved", version=1),
    ),
    "request_changes": (
        {"reviewer"},
        lambda lib, who, ctx: lib.transition(who, ctx["reviewing"], "changes_requested", version=1),
    ),
    "retract": (
        {"reviewer"},
        lambda lib, who, ctx: lib.transition(who, ctx["approved"], "retracted", version=1),
    ),
    "re_review": (
        {"reviewer"},
        lambda lib, who, ctx: lib.transition(who, ctx["approved"], "under_review", version=1),
    ),
    "create_token_for_another": (
        {"admin"},
        lambda lib, who, ctx: lib.create_token(who, "admin"),
    ),
    "comment": (
        {"editor", "reviewer"},
        lambda lib, who, ctx: lib.comment(who, ctx["draft"], 1, "check [2]"),
    ),
    "add_user": ({"admin"}, lambda lib, who, ctx: lib.add_user(who, "newcomer", "editor")),
    "disable_user": ({"admin"}, lambda lib, who, ctx: lib.disable_user(who, "editor")),
    "set_password": (
        {"admin"},
        lambda lib, who, ctx: lib.set_password(who, "editor", "a-long-enough-password"),
    ),
    "import": ({"admin"}, lambda lib, who, ctx: lib.import_(who, [], source="empty.jsonl")),
}
READS_FOR_STAFF = {
    "review_queue": lambda lib, who, ctx: lib.review_queue(who),
    "version": lambda lib, who, ctx: lib.version(who, ctx["draft"], 1),
    "diff": lambda lib, who, ctx: lib.diff(who, ctx["draft"], 1, 1),
}


@pytest.fixture
def situation(
    library: Library, people: dict[str, Actor], answer_for: Callable[..., dict[str, Any]]
) -> dict[str, Any]:
    """One article in each state the operations above start from."""
    made = {
        name: library.create_draft(people["editor"], answer=answer_for(f"Question {name}?")).id
        for name in ("draft", "submitted", "reviewing", "approved")
    }
    for name in ("submitted", "reviewing", "approved"):
        library.transition(people["editor"], made[name], "submitted", version=1)
    for name in ("reviewing", "approved"):
        library.transition(people["reviewer"], made[name], "under_review", version=1)
    library.transition(people["reviewer"], made["approved"], "approved", version=1)
    return {
        **made,
        "answer": answer_for("A new question?"),
        "answer_v2": answer_for("Question draft?"),
    }


@pytest.mark.parametrize("operation", sorted(WRITES))
def test_every_write_refuses_anonymous_and_wrong_roles(
    library: Library, people: dict[str, Actor], situation: dict[str, Any], operation: str
) -> None:
    allowed, call = WRITES[operation]
    audit_before = len(library.audit_log(people["admin"], limit=1000))
    with pytest.raises(Unauthenticated):
        call(library, None, situation)
    for actor in people.values():
        if actor.role.value not in allowed:
            with pytest.raises(Forbidden):
                call(library, actor, situation)
    assert len(library.audit_log(people["admin"], limit=1000)) == audit_before
    permitted = next(a for a in people.values() if a.role.value in allowed)
    if operation == "import":  # the role passes; the non-empty target is refused next
        with pytest.raises(ImportRejected, match="not empty"):
            call(library, permitted, situation)
        return
    call(library, permitted, situation)  # and the right role succeeds
    assert len(library.audit_log(people["admin"], limit=1000)) > audit_before


@pytest.mark.parametrize("operation", sorted(READS_FOR_STAFF))
def test_review_reads_need_a_staff_role(
    library: Library, people: dict[str, Actor], situation: dict[str, Any], operation: str
) -> None:
    call = READS_FOR_STAFF[operation]
    with pytest.raises(Unauthenticated):
        call(library, None, situation)
    with pytest.raises(Forbidden):
        call(library, people["reader"], situation)
    assert call(library, people["reviewer"], situation) is not None


def test_readers_see_only_approved_articles(
    library: Library, people: dict[str, Actor], situation: dict[str, Any]
) -> None:
    for who in (None, people["reader"]):
        for name in ("draft", "submitted", "reviewing"):
            with pytest.raises(NotFound):
                library.article(who, situation[name])
        shown = library.article(who, situation["approved"])
        assert shown.answer["review"]["status"] == "approved"
        assert shown.versions == []  # version history is for staff
        assert {a.id for a in library.articles(who).items} == {situation["approved"]}


# -- property: no sequence of calls by anyone reaches an illegal state -----------------------

OPERATIONS = [
    "submitted",
    "under_review",
    "approved",
    "changes_requested",
    "retracted",
    "draft",
    "revise",
]
ACTORS = ["editor", "reviewer", "reviewer2", "admin", "reader", None]


def _replay_is_legal(view: Any) -> None:
    """Every recorded move is in the transition table, and moves chain state to state."""
    state = None
    for event in view.events:
        assert event["from"] == state
        if event["kind"] == "transition" and state is not None:
            assert (Status(event["from"]), Status(event["to"])) in TRANSITIONS
        state = event["to"]
    assert state == view.status
    if view.status == "approved":
        assert view.approved_version == view.current_version
        assert view.answer["review"]["status"] == "approved"


@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTORS), st.sampled_from(OPERATIONS), st.booleans()),
        max_size=12,
    )
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_operations_never_reach_an_illegal_state(
    library: Library,
    people: dict[str, Actor],
    answer_for: Callable[..., dict[str, Any]],
    steps: list[tuple[str | None, str, bool]],
) -> None:
    question = f"Property question {library.articles(people['admin'], per_page=1).total}?"
    article = library.create_draft(people["editor"], answer=answer_for(question))
    for who, operation, stale_version in steps:
        actor = people[who] if who else None
        seen = library.article(people["admin"], article.id)
        version = seen.current_version - (1 if stale_version else 0)
        try:
            if operation == "revise":
                library.revise(actor, article.id, answer_for(question), version=version)
            else:
                library.transition(actor, article.id, operation, version=version)
        except (Unauthenticated, Forbidden, IllegalTransition, Conflict):
            after = library.article(people["admin"], article.id)
            assert (after.status, after.lock_version) == (seen.status, seen.lock_version)
        _replay_is_legal(library.article(people["admin"], article.id))
        public = library.approved_answer(question, "clinician")
        current = library.article(people["admin"], article.id)
        assert (public is not None) == (current.status == "approved")
