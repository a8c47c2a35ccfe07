"""API tokens over HTTP (real uvicorn): list, create (the secret once), revoke; expiry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from librarysite import DATABASES, Site, database, library_site
from webtools import assert_error


@pytest.fixture(scope="module", params=DATABASES)
def site(
    request: pytest.FixtureRequest, built_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with database(request.param, request, tmp_path_factory.mktemp("tokens-api")) as url:
        with library_site(built_home, url) as running:
            yield running


def bearer(site: Site, token: str) -> httpx.Client:
    return httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {token}"})


def test_owners_list_create_and_revoke_their_tokens(site: Site) -> None:
    with site.api("editor") as editor:
        own = editor.get("/api/v1/tokens")
        assert own.status_code == 200, own.text
        assert [(t["username"], t["label"]) for t in own.json()["tokens"]] == [("editor", "tests")]
        assert site.tokens["editor"] not in own.text and "hash" not in own.text
        made = editor.post("/api/v1/tokens", json={"label": "laptop", "expires_in_days": 7})
        assert made.status_code == 201, made.text
        new = made.json()
        assert new["token"].startswith("mct_") and new["expires_at"] and new["active"]
        with bearer(site, new["token"]) as laptop:
            listed = laptop.get("/api/v1/tokens").json()["tokens"]
            assert [t["label"] for t in listed] == ["tests", "laptop"]
            assert all("token" not in t for t in listed)  # the secret was shown once
            revoked = editor.delete(f"/api/v1/tokens/{new['id']}")
            assert revoked.status_code == 200 and revoked.json()["revoked"] is True
            assert_error(laptop.get("/api/v1/tokens"), 401, "unauthenticated")
            draft = laptop.post("/api/v1/articles", json={"question": "How is gout treated?"})
            assert_error(draft, 401, "unauthenticated")
        assert editor.get("/api/v1/tokens").status_code == 200  # the other token lives


def test_others_tokens_are_for_admins_only(site: Site) -> None:
    with site.api("admin") as admin, site.api("editor") as editor:
        everyone = admin.get("/api/v1/tokens").json()["tokens"]
        assert {"editor", "reviewer", "reader", "admin"} <= {t["username"] for t in everyone}
        theirs = next(t for t in everyone if t["username"] == "reader")
        assert_error(editor.get("/api/v1/tokens", params={"user": "reader"}), 403, "forbidden")
        assert_error(editor.delete(f"/api/v1/tokens/{theirs['id']}"), 404, "not_found")
        made_for = editor.post("/api/v1/tokens", json={"username": "reader"})
        assert_error(made_for, 403, "forbidden")
        for_reader = admin.post("/api/v1/tokens", json={"username": "reader", "label": "kiosk"})
        assert for_reader.status_code == 201 and for_reader.json()["username"] == "reader"
        listed = admin.get("/api/v1/tokens", params={"user": "reader"}).json()["tokens"]
        assert [t["label"] for t in listed] == ["tests", "kiosk"]
        assert admin.delete(f"/api/v1/tokens/{for_reader.json()['id']}").json()["revoked"]
        assert_error(admin.delete("/api/v1/tokens/999999"), 404, "not_found")


def test_anonymous_calls_are_401_before_validation_and_bad_input_422(site: Site) -> None:
    with site.api() as anonymous, site.api("reviewer") as reviewer:
        assert_error(anonymous.get("/api/v1/tokens"), 401, "unauthenticated")
        assert_error(anonymous.delete("/api/v1/tokens/1"), 401, "unauthenticated")
        for body in ({"expires_in_days": 0}, {"label": "x", "secret": "y"}):
            assert_error(anonymous.post("/api/v1/tokens", json=body), 401, "unauthenticated")
            assert_error(reviewer.post("/api/v1/tokens", json=body), 422)


def test_the_token_endpoints_are_in_the_schema(site: Site) -> None:
    with site.api() as anonymous:
        paths = anonymous.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/tokens"])
    assert "delete" in paths["/api/v1/tokens/{token_id}"]
