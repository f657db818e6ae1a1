"""What a vendor sends that the project did not foresee loads, exits 0 and is named in the run's
summary (the terminal's and the JSON's): a warning, never a failed load."""

from __future__ import annotations

import json

from tests.support.cli import BUILDS_MODELS, run_cli
from tests.unify.environment import cli_env


def test_a_status_no_one_mapped_loads_counted_unknown_and_each_load_names_it(unify, tmp_path):
    server = unify(enrollments=300)
    for i in (3, 4, 5):  # a status Unify's document does not list yet
        server.state.new_fields[i] = {"status": "SCHEDULED"}
    env = cli_env(server.base_url, tmp_path) | BUILDS_MODELS
    for run in ("first", "second"):  # built, then unchanged: a new status is rows, not columns
        summary = tmp_path / f"{run}.json"
        result = run_cli(tmp_path, env, "--json-summary", str(summary))
        assert result.returncode == 0, result.stderr
        written = json.loads(summary.read_text())
        named = [w for w in written["warnings"] if "unify status 'SCHEDULED" in w]
        assert named and all("counted as unknown" in w for w in named), written["warnings"]
        assert sum(int(w.split("(")[1].split()[0]) for w in named) == 3
        assert named[0] in result.stdout  # the terminal's summary says it too


def test_a_key_without_a_permission_loads_the_rest_and_the_summary_says_what_is_missing(
    sequenzy, tmp_path
):
    from sandbox.sequenzy import DEFAULT_API_KEY
    from tests.sequenzy.environment import cli_env as sequenzy_env

    server = sequenzy(enrollments=200, api_keys={
        DEFAULT_API_KEY: frozenset({"sequences:read", "subscribers:read"}),
    })  # fmt: skip
    summary = tmp_path / "s.json"
    env = sequenzy_env(server.base_url, tmp_path)
    result = run_cli(tmp_path, env, "--json-summary", str(summary), vendor="sequenzy")
    assert result.returncode == 0, result.stderr
    written = json.loads(summary.read_text())
    assert written["rows"]["enrollments"] == 200
    said = [w for w in written["warnings"] if "replies are not loaded" in w]
    assert len(said) == 1 and "conversations:read" in said[0], written["warnings"]
    assert said[0] in result.stdout


def test_people_without_an_email_load_count_and_each_tool_says_how_many(
    instantly, sequenzy, tmp_path
):
    """Instantly's leads and Sequenzy's subscribers may come without an email (their documents
    allow it; the worlds have some): each counts, under the tool's id, and the summary says so."""
    from tests.instantly.environment import cli_env as instantly_env
    from tests.sequenzy.environment import cli_env as sequenzy_env
    from tests.support.warehouses import DuckDBWarehouse

    servers = {"instantly": (instantly(leads=300), instantly_env),
               "sequenzy": (sequenzy(enrollments=300), sequenzy_env)}  # fmt: skip
    for name, (server, env_for) in servers.items():
        summary = tmp_path / f"{name}.json"
        env = env_for(server.base_url, tmp_path) | BUILDS_MODELS
        result = run_cli(tmp_path, env, "--json-summary", str(summary), vendor=name)
        assert result.returncode == 0, result.stderr
        said = [w for w in json.loads(summary.read_text())["warnings"]
                if w.startswith(f"{name} gave")]  # fmt: skip
        keyed = DuckDBWarehouse(tmp_path / "warehouse.duckdb").rows(
            "select count(distinct person_key) from funnel.enrollments"
            f" where person_key like '{name}-%' and person_key not like '%@%'"
        )[0][0]
        assert keyed > 0 and said == [
            f"{name} gave {keyed:,} people without an email: each counted as a person of its"
            " own, under the tool's id, matching no other tool's person"
        ]
