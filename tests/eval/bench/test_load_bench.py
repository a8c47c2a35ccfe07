"""The load-and-faults benchmark runs `medcite serve` and reports every row it promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.eval.bench.load import markdown, run_load_bench


@pytest.mark.slow
def test_load_bench_reports_answers_verifications_probes_and_a_login_flood(
    built_home: Path,
) -> None:
    results = run_load_bench(built_home, [1, 2], seconds=2, statements=10, logins=6)
    assert [row["clients"] for row in results["runs"]] == [1, 2]
    for row in results["runs"]:
        assert row["healthz"]["n"] >= 5 and row["healthz"]["statuses"] == {200: row["healthz"]["n"]}
        assert row["answer"]["n"] >= 1 and row["verify"]["n"] >= 1
        assert row["answer"]["p50_ms"] <= row["answer"]["p99_ms"]
    logins = results["logins"]
    for statuses in (logins["one_user_many_addresses"], logins["many_users_one_address"]):
        assert sum(statuses.values()) == 6 and set(statuses) <= {401, 429, 503}
    assert logins["rss_peak_mib_after"] >= logins["rss_peak_mib_before"] > 0
    table = markdown(results)
    assert "| 2 |" in table and "Login flood" in table
