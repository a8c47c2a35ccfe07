"""schemathesis against /openapi.json of a real server, anonymously and with an editor's token.

Every default check runs: no 5xx, and no schema violation — each status, content type,
header and body is the documented one, and schema-valid data is accepted (2xx, or a 401, 403,
404, 409 or 429 that depends on state), schema-invalid data refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from librarysite import Site, database, library_site
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup

EXAMPLES_PER_OPERATION = 15
# What a schema cannot say: a text to verify must hold a sentence of four or more words
# (found by splitting sentences), else it is a 400 that says so; an answer saved as a draft
# must cite passages exactly as the corpus holds them, else a 422 names the reference.
CONFIG = """
[[operations]]
include-path = "/api/v1/verify"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "400", "401", "403", "404", "409", "429",
]

[[operations]]
include-path = "/api/v1/articles"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "401", "403", "404", "409", "422", "429",
]
"""


@pytest.fixture(scope="module")
def site(
    request: pytest.FixtureRequest, built_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with database("sqlite", request, tmp_path_factory.mktemp("fuzz")) as url:
        with library_site(built_home, url) as running:
            yield running


@pytest.mark.parametrize("user", [None, "editor"])
def test_generated_requests_get_no_server_error_and_follow_the_schema(
    site: Site, user: str | None
) -> None:
    config = SchemathesisConfig.from_str(CONFIG)
    schema = schemathesis.openapi.from_url(f"{site.url}/openapi.json", config=config)
    headers = {"Authorization": f"Bearer {site.tokens[user]}"} if user else None
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {operation.path for operation in operations}
    assert {"/api/v1/answers", "/api/v1/search", "/api/v1/articles", "/api/v1/verify"} <= paths
    assert {"/api/v1/threads", "/api/v1/threads/{thread_id}/answers"} <= paths
    statuses: dict[str, list[int]] = {}
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            statuses.setdefault(case.operation.label, []).append(response.status_code)
            try:
                case.validate_response(response, headers=headers)
            except FailureGroup as failure:
                failures.append(f"{case.operation.label}: {failure}")

        call()
    assert failures == []
    assert all(len(got) >= 1 and max(got) < 500 for got in statuses.values())
    writes = statuses["POST /api/v1/articles"]
    assert (201 in writes) == (user == "editor") and (401 in writes) == (user is None)
