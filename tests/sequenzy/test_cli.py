"""`sequence-funnel load sequenzy` as a scheduler runs it: keys, permissions, settings, kills."""

from __future__ import annotations

import pytest

from sandbox.sequenzy import ALL_SCOPES, FaultConfig
from tests.sequenzy.environment import cli_env
from tests.sequenzy.truth import assert_matches_truth
from tests.support.cli import files_containing, kill_then_rerun, run_cli

GOOD_KEY = "sqz_live_GOOD_0123456789abcdef"


def _run(tmp_path, server, *args, key=GOOD_KEY, **settings):
    env = cli_env(server.base_url, tmp_path, key)
    env |= {f"SOURCES__SEQUENZY__{k.upper()}": str(v) for k, v in settings.items()}
    return run_cli(tmp_path, env, *args, vendor="sequenzy")


def _one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[-1]], lines
    return lines[-1]


@pytest.mark.parametrize(
    ("keys", "settings", "needle"),
    [
        ({"another-key": ALL_SCOPES}, {}, "Sequenzy rejected the API key (HTTP 401)"),
        ({GOOD_KEY: frozenset({"sequences:read"})}, {},
         "missing the subscribers:read permission"),
        ({GOOD_KEY: ALL_SCOPES}, {"company_id": "cmp_other"}, "no access to company cmp_other"),
    ],
)  # fmt: skip
def test_a_key_or_a_permission_problem_is_one_line_exit_2(
    sequenzy, tmp_path, keys, settings, needle
):
    server = sequenzy(enrollments=100, api_keys=keys)
    result = _run(tmp_path, server, **settings)
    assert result.returncode == 2, result.stderr
    line = _one_line(result)
    assert needle in line and "SOURCES__SEQUENZY__API_KEY" in line, line
    assert GOOD_KEY not in result.stderr and files_containing(tmp_path, GOOD_KEY) == []


@pytest.mark.parametrize(
    ("settings", "args", "needle"),
    [
        ({"chunk_seconds": -1}, (), "SOURCES__SEQUENZY__CHUNK_SECONDS"),
        ({"requests_per_minute": 0}, (), "SOURCES__SEQUENZY__REQUESTS_PER_MINUTE"),
        ({"base_url": "api.sequenzy.com/api/v1"}, (), "SOURCES__SEQUENZY__BASE_URL"),
        ({}, ("--since", "last tuesday"), "--since"),
    ],
)
def test_a_bad_setting_is_one_line_exit_2_naming_it_and_nothing_is_loaded(
    sequenzy, tmp_path, settings, args, needle
):
    server = sequenzy(enrollments=100, api_keys={GOOD_KEY: ALL_SCOPES})
    result = _run(tmp_path, server, *args, **settings)
    assert result.returncode == 2, result.stderr
    # a setting: one line; a flag: argparse's usage, then the line naming it
    line = result.stderr.strip().splitlines()[-1] if args else _one_line(result)
    assert needle in line, line
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_a_kill_at_a_random_point_then_a_rerun_is_exact(sequenzy, tmp_path):
    """Enrollments and events in chunks of a second, so a kill can land between two committed
    chunks, in one, or in the catalog; each rerun completes the rest."""
    server = sequenzy(enrollments=4000, faults=FaultConfig(latency_ms=20),
                      api_keys={GOOD_KEY: ALL_SCOPES})  # fmt: skip
    env = cli_env(server.base_url, tmp_path, GOOD_KEY) | {"SOURCES__SEQUENZY__CHUNK_SECONDS": "1"}

    def move_on() -> None:
        server.state.advance(12 * 3600)
        server.state.touch(5)

    kill_then_rerun(
        tmp_path, env, "sequenzy", delays=(1.5, 6.0), move_on=move_on,
        check=lambda: assert_matches_truth(str(tmp_path / "warehouse.duckdb"), server.state),
        seed=15,
    )  # fmt: skip
