"""Users, passwords (argon2), API tokens (hashed at rest), disabling."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from medcite.library import Actor, Conflict, InvalidRequest, Library, Role, Unauthenticated
from medcite.library.schema import ApiToken, User

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
    token = library.create_token(system, "ed", label="ci")
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
    own = library.create_token(people["editor"], "editor")
    assert library.authenticate_token(own).role is Role.EDITOR
    from medcite.library import Forbidden

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
