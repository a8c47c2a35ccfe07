"""Signed session cookies and CSRF tokens, against a real library."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest

from medcite.config import Settings
from medcite.library import Actor, Forbidden, Library, Unauthenticated
from medcite.library.sessions import SessionSigner, secret_key


def test_cookie_round_trip_csrf_and_disable(library: Library, people: dict[str, Actor]) -> None:
    signer = SessionSigner.for_settings(library.settings)
    cookie = signer.issue(library, people["reviewer"])
    assert signer.actor(library, cookie) == people["reviewer"]
    assert signer.actor(library, None) is None
    token = signer.csrf_token(cookie)
    signer.check_csrf(cookie, token)
    another = signer.csrf_token(signer.issue(library, people["editor"]))
    for wrong in (None, "", token + "x", another):
        with pytest.raises(Forbidden):
            signer.check_csrf(cookie, wrong)
    with pytest.raises(Unauthenticated, match="not valid"):
        signer.actor(library, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    with pytest.raises(Unauthenticated, match="not valid"):
        SessionSigner("another secret").actor(library, cookie)
    library.disable_user(Actor.system(), "reviewer")
    with pytest.raises(Unauthenticated, match="disabled"):
        signer.actor(library, cookie)
    with pytest.raises(Unauthenticated):
        signer.issue(library, Actor.system())  # the CLI operator has no browser session


def test_expired_sessions_are_refused(library: Library, people: dict[str, Actor]) -> None:
    cookie = SessionSigner("k" * 32).issue(library, people["editor"])
    with pytest.raises(Unauthenticated, match="expired"):
        SessionSigner("k" * 32, max_age_s=-1).actor(library, cookie)


def test_default_secret_is_random_private_and_stable(tmp_path) -> None:
    settings = Settings(home=tmp_path / "home")
    key = secret_key(settings)
    assert len(key) >= 40 and secret_key(settings) == key
    assert stat.S_IMODE((tmp_path / "home" / "session.key").stat().st_mode) == 0o600
    assert secret_key(Settings(home=tmp_path / "other")) != key
    configured = Settings(home=tmp_path / "home", library={"secret_key": "from-config"})
    assert secret_key(configured) == "from-config"


def test_logout_ends_the_session_on_the_server(library: Library, people: dict[str, Actor]) -> None:
    signer = SessionSigner.for_settings(library.settings)
    cookie = signer.issue(library, people["editor"])
    other = signer.issue(library, people["editor"])  # the same user in another browser
    signer.end(library, cookie)
    with pytest.raises(Unauthenticated, match="ended"):
        signer.actor(library, cookie)  # a replayed cookie, still correctly signed
    assert signer.actor(library, other) == people["editor"]
    signer.end(library, cookie)  # signing out twice is harmless


def test_password_change_and_disable_end_every_session_of_the_user(
    library: Library, people: dict[str, Actor]
) -> None:
    signer = SessionSigner.for_settings(library.settings)
    system = Actor.system()
    first, second = (signer.issue(library, people["reviewer"]) for _ in range(2))
    bystander = signer.issue(library, people["editor"])
    library.set_password(system, "reviewer", "a brand new password")
    for cookie in (first, second):
        with pytest.raises(Unauthenticated, match="ended"):
            signer.actor(library, cookie)
    assert signer.actor(library, bystander) == people["editor"]
    fresh = signer.issue(library, people["reviewer"])
    library.disable_user(system, "reviewer")
    library.disable_user(system, "reviewer", disabled=False)
    with pytest.raises(Unauthenticated, match="ended"):
        signer.actor(library, fresh)  # re-enabling does not bring old sessions back


def test_a_new_session_clears_the_users_expired_ones(library: Library, people) -> None:
    from sqlalchemy import func, select

    from medcite.library.schema import UserSession

    signer = SessionSigner("k" * 32, max_age_s=3600)
    signer.issue(library, people["editor"])
    signer.issue(library, people["reviewer"])
    with library.db.writing() as s:  # both sessions are now older than a session lasts
        for row in s.scalars(select(UserSession)):
            row.created_at = row.created_at - timedelta(hours=2)
    live = signer.issue(library, people["editor"])
    with library.db.reading() as s:
        users = s.scalars(select(UserSession.user_id).order_by(UserSession.user_id)).all()
        assert s.scalar(select(func.count()).select_from(UserSession)) == 2
    assert users == [
        people["editor"].user_id,
        people["reviewer"].user_id,
    ]  # only the editor's old one went
    assert signer.actor(library, live) == people["editor"]
