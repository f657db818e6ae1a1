"""`sequence-funnel load instantly` as a scheduler runs it: keys, scopes, plans, kills."""

from __future__ import annotations

import pytest

from sandbox.instantly import ALL_SCOPES, FaultConfig
from tests.instantly.environment import cli_env
from tests.instantly.truth import assert_matches_truth
from tests.support.cli import files_containing, kill_then_rerun, run_cli

GOOD_KEY = "inst-live-GOOD-0123456789abcdef"
READS = frozenset(
    {
        "campaigns:read",
        "subsequences:read",
        "accounts:read",
        "emails:read",
        "block_list_entries:read",
    }
)


def _run(tmp_path, server, key=GOOD_KEY, *args):
    return run_cli(tmp_path, cli_env(server.base_url, tmp_path, key), *args, vendor="instantly")


@pytest.mark.parametrize(
    ("keys", "paid", "needle"),
    [
        ({"another-key": ALL_SCOPES}, True, "Instantly rejected the API key (HTTP 401)"),
        (
            {GOOD_KEY: READS},
            True,
            "POST /leads/list with this API key (HTTP 403: Forbidden); the"
            " vendor's document says it needs one of the scopes leads:read",
        ),
        ({GOOD_KEY: ALL_SCOPES}, False, "plan does not include API access (HTTP 402"),
    ],
)
def test_a_key_a_scope_or_a_plan_problem_is_one_line_exit_2(
    instantly, tmp_path, keys, paid, needle
):
    server = instantly(leads=100, api_keys=keys, paid_plan=paid)
    result = _run(tmp_path, server)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[-1]] and needle in lines[-1], lines
    assert "SOURCES__INSTANTLY__API_KEY" in lines[-1] or "402" in lines[-1]
    assert GOOD_KEY not in result.stderr and files_containing(tmp_path, GOOD_KEY) == []


def test_a_kill_at_a_random_point_then_a_rerun_is_exact(instantly, tmp_path):
    """Emails in chunks of a second, so a kill can land between two committed chunks, in one,
    or in the leads; each rerun completes the rest."""
    server = instantly(leads=3000, faults=FaultConfig(latency_ms=10),
                       api_keys={GOOD_KEY: ALL_SCOPES})  # fmt: skip
    env = cli_env(server.base_url, tmp_path, GOOD_KEY) | {
        "SOURCES__INSTANTLY__EMAIL_CHUNK_SECONDS": "1"
    }
    kill_then_rerun(
        tmp_path, env, "instantly", delays=(1.0, 5.0),
        move_on=lambda: server.state.advance(12 * 3600),
        check=lambda: assert_matches_truth(str(tmp_path / "warehouse.duckdb"), server.state),
        seed=11,
    )  # fmt: skip
