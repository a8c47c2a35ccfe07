"""schemathesis against /openapi.json of a real server: generated requests never get a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_OPERATION = 10


def test_generated_requests_never_get_a_server_error(server: str) -> None:
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {operation.path for operation in operations}
    assert {"/api/v1/answers", "/api/v1/search", "/api/v1/passages/{passage_id}"} <= paths
    assert {"/api/v1/threads", "/api/v1/threads/{thread_id}/answers"} <= paths
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            statuses.append(case.call_and_validate(checks=[not_a_server_error]).status_code)

        call()
    assert len(statuses) >= len(operations) and max(statuses) < 500
