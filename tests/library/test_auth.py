"""Users, passwords (argon2), API tokens (hashed at rest), disabling."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from medcite.library import (
    Actor,
    Conflict,
    Forbidden,
    InvalidRequest,
    Library,
    NotFound,
    Role,
    Unauthenticated,
)
from medcite.library.schema import ApiToken, User, utcnow

PASSWORD = "correct horse battery"


def test_password_login_and_disable(library: Library) -> None:
    system = Actor.system()
    library.add_user(system, "ada", "reviewer", password=PASSWORD, display_name="Ada L.")
    actor = library.login("ada", PASSWORD)
    assert (actor.username, actor.role) == ("ada", Role.REVIEWER)
    with library.db.reading() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "ada"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    for name, password in [("ada", "wrong password!"), ("nobody", PASSWORD)]:
        with pytest.raises(Unauthenticated) as raised:
            library.login(name, password)
        assert str(raised.value) == "unknown user, wrong password or disabled account"
    library.disable_user(system, "ada")
    with pytest.raises(Unauthenticated):
        library.login("ada", PASSWORD)
    assert [u.disabled for u in library.users(system)] == [True]


def test_tokens_are_hashed_at_rest_and_die_with_the_account(library: Library) -> None:
    system = Actor.system()
    library.add_user(system, "ed", "editor")
    token = library.create_token(system, "ed", label="ci").secret
    assert library.authenticate_token(token).username == "ed"
    with library.db.reading() as s:
        hashes = list(s.scalars(select(ApiToken.token_hash)))
    assert len(hashes) == 1 and token not in hashes[0]
    with pytest.raises(Unauthenticated):
        library.authenticate_token(token + "x")
    library.disable_user(system, "ed")
    with pytest.raises(Unauthenticated):
        library.authenticate_token(token)


def test_users_can_make_their_own_token_but_not_others(library: Library, people) -> None:
    own = library.create_token(people["editor"], "editor").secret
    assert library.authenticate_token(own).role is Role.EDITOR
    with pytest.raises(Forbidden):
        library.create_token(people["editor"], "reviewer")


def test_bad_user_input_is_refused_clearly(library: Library) -> None:
    system = Actor.system()
    with pytest.raises(InvalidRequest, match="unknown role 'boss'"):
        library.add_user(system, "bob", "boss")
    with pytest.raises(InvalidRequest, match="username"):
        library.add_user(system, "Bob Smith", "editor")
    with pytest.raises(InvalidRequest, match="at least 10"):
        library.add_user(system, "bob", "editor", password="short")
    library.add_user(system, "bob", "editor")
    with pytest.raises(Conflict, match="already exists"):
        library.add_user(system, "bob", "admin")


def test_tokens_can_be_listed_revoked_one_by_one_and_expire(library: Library, people) -> None:
    system = Actor.system()
    ci = library.create_token(system, "editor", label="ci")
    laptop = library.create_token(system, "editor", label="laptop", expires_in_days=30)
    theirs = library.create_token(system, "reviewer", label="review app")
    listed = library.tokens(people["editor"])
    assert [(t.id, t.label, t.username) for t in listed] == [
        (ci.view.id, "ci", "editor"),
        (laptop.view.id, "laptop", "editor"),
    ]
    assert listed[0].expires_at is None and listed[1].expires_at > listed[1].created_at
    assert all(t.active and not t.revoked for t in listed)
    exported = json.dumps([t.to_dict() for t in library.tokens(system)])
    assert ci.secret not in exported and "hash" not in exported  # never the token itself
    assert {t.username for t in library.tokens(system)} == {"editor", "reviewer"}
    assert [t.label for t in library.tokens(system, "reviewer")] == ["review app"]

    revoked = library.revoke_token(people["editor"], ci.view.id)  # the owner may revoke
    assert revoked.revoked and not revoked.active
    with pytest.raises(Unauthenticated):
        library.authenticate_token(ci.secret)
    assert library.authenticate_token(laptop.secret).username == "editor"  # the other one lives
    with pytest.raises(NotFound):  # someone else's token is not even visible
        library.revoke_token(people["editor"], theirs.view.id)
    with pytest.raises(Forbidden):
        library.tokens(people["editor"], "reviewer")
    assert library.revoke_token(people["admin"], theirs.view.id).revoked  # admins may
    actions = [e.action for e in library.audit_log(system)]
    assert actions.count("token.revoke") == 2

    with library.db.writing() as s:  # time passes: the laptop token's 30 days are over
        s.get(ApiToken, laptop.view.id).expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Unauthenticated, match="expired"):
        library.authenticate_token(laptop.secret)
    assert not library.tokens(people["editor"])[1].active
    with pytest.raises(InvalidRequest, match="days"):
        library.create_token(system, "editor", expires_in_days=0)
    with pytest.raises(NotFound):
        library.revoke_token(system, 9999)


@pytest.mark.usefixtures("people")  # the editor it makes tokens for
def test_a_token_made_with_an_expiring_token_expires_with_it(library: Library) -> None:
    """A leaked 30-day token cannot mint a token that lives on after it."""
    laptop = library.create_token(Actor.system(), "editor", label="laptop", expires_in_days=30)
    holder = library.authenticate_token(laptop.secret)
    forever = library.create_token(holder, "editor", label="minted")
    longer = library.create_token(holder, "editor", label="minted", expires_in_days=365)
    shorter = library.create_token(holder, "editor", label="minted", expires_in_days=1)
    assert forever.view.expires_at == laptop.view.expires_at
    assert longer.view.expires_at == laptop.view.expires_at
    assert shorter.view.expires_at < laptop.view.expires_at
