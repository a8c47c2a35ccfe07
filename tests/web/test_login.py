"""Sign-in tells nobody which users exist, is throttled, bounds its hashing, needs its CSRF token.

Each test signs in from its own addresses (``X-Forwarded-For``, which uvicorn believes from
localhost), so that the per-address throttle of one test does not reach another.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from librarysite import PASSWORD, Site, database, library_site, login_form, sign_in

from medcite.library import Actor, Library

FAILURES_PER_USER = 3
ATTEMPTS_PER_ADDRESS = 6
_addresses = (f"10.7.{i // 250}.{i % 250 + 1}" for i in itertools.count())


@pytest.fixture(scope="module")
def site(
    request: pytest.FixtureRequest, built_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    web = {
        "login_failures_per_user": FAILURES_PER_USER,
        "login_attempts_per_address": ATTEMPTS_PER_ADDRESS,
    }
    with database("sqlite", request, tmp_path_factory.mktemp("login")) as url:
        with library_site(built_home, url, web=web) as running:
            yield running


def browser(site: Site, address: str | None = None) -> httpx.Client:
    """A client that comes from ``address`` (a fresh one by default)."""
    headers = {"X-Forwarded-For": address or next(_addresses)}
    return httpx.Client(base_url=site.url, headers=headers, timeout=60)


def attempt(site: Site, username: str, password: str, address: str | None = None) -> httpx.Response:
    with browser(site, address) as client:
        return sign_in(client, username, password)


def test_the_login_form_needs_its_own_csrf_token(site: Site) -> None:
    with browser(site) as client, browser(site) as other:
        bare = client.post("/login", data={"username": "editor", "password": PASSWORD})
        assert bare.status_code == 403 and "reload the page" in bare.text
        assert "medcite_session" not in bare.headers.get("set-cookie", "")
        foreign = sign_in(other, "editor", "wrong password").request  # other's token and cookie
        stolen = dict(httpx.QueryParams(foreign.content.decode()))
        replayed = client.post("/login", data={**stolen, "password": PASSWORD})
        assert replayed.status_code == 403
        assert sign_in(client, "editor", PASSWORD).status_code == 303


def hash_seconds() -> float:
    """The least time one argon2 check takes here (the server's own hasher and parameters)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import VerifyMismatchError

    hasher = PasswordHasher()
    real = hasher.hash("a password nobody types")
    times = []
    for _ in range(3):
        started = time.perf_counter()
        with pytest.raises(VerifyMismatchError):
            hasher.verify(real, "another password")
        times.append(time.perf_counter() - started)
    return min(times)


def test_unknown_and_disabled_users_take_as_long_as_a_wrong_password(site: Site) -> None:
    with Library(site.settings) as library:
        library.add_user(Actor.system("tests"), "gone", "editor", password=PASSWORD)
        library.disable_user(Actor.system("tests"), "gone")
    floor = hash_seconds()
    for username, password in [("nobody-here", PASSWORD), ("gone", PASSWORD), ("admin", "no!")]:
        with browser(site) as client:
            fields = login_form(client)
            started = time.perf_counter()
            refused = client.post(
                "/login", data={**fields, "username": username, "password": password}
            )
            elapsed = time.perf_counter() - started
        assert refused.status_code == 401
        assert "unknown user, wrong password or disabled account" in refused.text
        # Every refusal computed a hash: none answers faster than a hash takes.
        assert elapsed >= 0.5 * floor, (username, elapsed, floor)


def test_failed_sign_ins_throttle_the_username_from_any_address(site: Site) -> None:
    for _ in range(FAILURES_PER_USER):
        assert attempt(site, "reviewer2", "not the password").status_code == 401
    throttled = attempt(site, "reviewer2", PASSWORD)  # even the right password, from elsewhere
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
    assert "failed sign-ins as &#39;reviewer2&#39;" in throttled.text
    assert attempt(site, "reviewer", PASSWORD).status_code == 303  # other users are not


def test_an_address_is_throttled_after_its_burst_of_attempts(site: Site) -> None:
    address = next(_addresses)
    statuses = [
        attempt(site, f"guess{i}", "not the password", address).status_code
        for i in range(ATTEMPTS_PER_ADDRESS + 1)
    ]
    assert statuses == [401] * ATTEMPTS_PER_ADDRESS + [429]
    assert attempt(site, "editor", PASSWORD).status_code == 303  # other addresses are not


def test_password_checks_at_once_are_bounded(
    request: pytest.FixtureRequest, built_home: Path, tmp_path: Path
) -> None:
    guessers = 6
    with (
        database("sqlite", request, tmp_path) as url,
        library_site(built_home, url, web={"login_hashers": 1, "queue": 0}) as one_at_a_time,
    ):
        clients = [browser(one_at_a_time) for _ in range(guessers)]
        forms = [login_form(client) for client in clients]  # tokens and cookies first
        start = threading.Barrier(guessers)
        statuses: list[int] = []

        def guess(i: int) -> None:
            data = {**forms[i], "username": f"guess{i}", "password": "not the password"}
            start.wait()
            statuses.append(clients[i].post("/login", data=data).status_code)

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(guessers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for client in clients:
            client.close()
    # One hash at a time and no queue: while the first is hashed (~0.5 s) the others are
    # refused at once with 503, instead of each taking another 64 MiB.
    assert sorted(set(statuses)) == [401, 503] and len(statuses) == guessers
