"""Browser sessions end on the server: a replayed cookie and CSRF token do nothing (real uvicorn).

The attack of the issue: a reviewer's cookie and a form's CSRF token, copied before sign-out
or before a password change, replayed to move an article through review.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from librarysite import (
    DATABASES,
    HTML,
    Site,
    database,
    form_fields,
    forms,
    library_site,
)
from webtools import assert_error

from medcite.library import Actor, Library
from medcite.web.auth import COOKIE

QUESTION = "How is gout treated?"


@pytest.fixture(scope="module", params=DATABASES)
def site(
    request: pytest.FixtureRequest, built_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with database(request.param, request, tmp_path_factory.mktemp("web-auth")) as url:
        with library_site(built_home, url) as running:
            yield running


@pytest.fixture(scope="module")
def submitted(site: Site) -> dict[str, Any]:
    """An article waiting for review (made and submitted through the API)."""
    with site.api("editor") as editor:
        made = editor.post("/api/v1/articles", json={"question": QUESTION})
        assert made.status_code == 201, made.text
        article = made.json()
        body = {"to": "submitted", "version": article["current_version"]}
        moved = editor.post(f"/api/v1/articles/{article['id']}/transitions", json=body)
        assert moved.status_code == 200, moved.text
        return moved.json()


def status_of(site: Site, article: dict[str, Any]) -> str:
    with site.api("reviewer") as reviewer:
        return str(reviewer.get(f"/api/v1/articles/{article['id']}").json()["status"])


def captured_start_review(client: httpx.Client, article: dict[str, Any]) -> tuple[str, dict]:
    """What an attacker copies from a signed-in reviewer: the cookie and the form."""
    version_page = client.get(f"/review/{article['id']}/versions/{article['current_version']}")
    (form,) = [
        f for f in forms(version_page, "/transitions") if form_fields(f)["to"] == "under_review"
    ]
    return client.cookies[COOKIE], {"action": form.action, **form_fields(form)}


def replay(site: Site, cookie: str, form: dict[str, str]) -> httpx.Response:
    fields = {k: v for k, v in form.items() if k != "action"}
    with httpx.Client(base_url=site.url, cookies={COOKIE: cookie}, timeout=60) as attacker:
        return attacker.post(form["action"], data=fields)


def test_a_cookie_replayed_after_sign_out_is_refused(site: Site, submitted: dict) -> None:
    with site.browser_client("reviewer") as reviewer:
        cookie, form = captured_start_review(reviewer, submitted)
        (logout,) = forms(reviewer.get("/review"), "/logout")
        assert reviewer.post("/logout", data=form_fields(logout)).status_code == 303
    assert_error(replay(site, cookie, form), 401, "unauthenticated")
    with httpx.Client(base_url=site.url, cookies={COOKIE: cookie}) as attacker:
        assert attacker.get("/review", headers=HTML).status_code == 303  # to the sign-in page
    assert status_of(site, submitted) == "submitted"  # no review transition happened


def test_a_password_change_ends_every_session_of_the_user(site: Site, submitted: dict) -> None:
    with site.browser_client("reviewer2") as reviewer, site.browser_client("editor") as editor:
        cookie, form = captured_start_review(reviewer, submitted)
        with Library(site.settings) as library:
            library.set_password(Actor.system("tests"), "reviewer2", "a new password, long enough")
        assert_error(replay(site, cookie, form), 401, "unauthenticated")
        assert reviewer.get("/review", headers=HTML).status_code == 303  # signed out here too
        assert status_of(site, submitted) == "submitted"
        assert editor.get("/review", headers=HTML).status_code == 200  # others stay signed in


def test_a_live_session_still_works(site: Site, submitted: dict) -> None:
    """The replay above fails because the session ended, not because replays cannot work."""
    with site.browser_client("reviewer") as reviewer:
        cookie, form = captured_start_review(reviewer, submitted)
        assert replay(site, cookie, form).status_code == 303
    assert status_of(site, submitted) == "under_review"
