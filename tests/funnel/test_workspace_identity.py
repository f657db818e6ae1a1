"""One client of an agency across tools: a Unify workspace and an Instantly workspace of the same
name are one client, whose people are matched by email across the two; a workspace of another
name sharing the same addresses is another client, never matched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.instantly.environment import cli_env as instantly_env
from tests.support.cli import BUILDS_MODELS, run_cli
from tests.support.warehouses import DuckDBWarehouse
from tests.unify.environment import cli_env as unify_env


def _named(env: dict[str, str], vendor: str, name: str) -> dict[str, str]:
    """The vendor's key and address as workspace `name`'s own."""
    prefix = f"SOURCES__{vendor.upper()}__"
    key, url = env.pop(prefix + "API_KEY"), env.pop(prefix + "BASE_URL")
    return env | {f"{prefix}WORKSPACES__{name.upper()}__API_KEY": key,
                  f"{prefix}WORKSPACES__{name.upper()}__BASE_URL": url}  # fmt: skip


def test_workspaces_of_one_name_are_one_client_and_others_never_match(
    unify: Any, instantly: Any, tmp_path: Path
) -> None:
    shared = 40  # addresses every world has
    servers = {"unify": unify(enrollments=200, shared_people=shared),
               "instantly": instantly(leads=150, shared_people=shared)}  # fmt: skip
    env = _named(unify_env(servers["unify"].base_url, tmp_path), "unify", "acme")
    env = _named(instantly_env(servers["instantly"].base_url, tmp_path) | env, "instantly", "acme")
    env |= BUILDS_MODELS
    for vendor in ("unify", "instantly"):
        result = run_cli(tmp_path, env, vendor=vendor)
        assert result.returncode == 0, result.stderr
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    emails = {
        "unify": {e["person"]["email"].lower() for e in servers["unify"].state.all_enrollments()
                  if e["person"].get("email")},
        "instantly": {(lead.get("email") or "").lower() for lead in servers["instantly"].state.leads_now()
                      if lead.get("campaign") and lead.get("email")},
    }  # fmt: skip
    both = emails["unify"] & emails["instantly"]
    assert both, "the worlds share no address: nothing is tested"
    crossing = warehouse.rows(
        "select workspace, count(*) from funnel.people where tools = 2 group by 1"
    )
    assert crossing == [("acme", len(both))]
    # the same Unify world loaded again as another client: its people match no one in acme
    env = _named(unify_env(servers["unify"].base_url, tmp_path), "unify", "globex") | env
    assert run_cli(tmp_path, env, vendor="unify").returncode == 0
    crossing = warehouse.rows(
        "select workspace, count(*) from funnel.people where tools = 2 group by 1"
    )
    assert crossing == [("acme", len(both))]
    globex = warehouse.rows("select count(*) from funnel.people where workspace = 'globex'")
    assert globex == [(len(emails["unify"]) + _emailless(warehouse, "unify_globex"),)]


def _emailless(warehouse: DuckDBWarehouse, dataset: str) -> int:
    """People without an email: each a person of their own."""
    rows = warehouse.rows(
        f"select count(distinct e.person_id) from {dataset}.enrollments e left join"
        f" {dataset}.persons p on p.id = e.person_id where nullif(trim(p.email), '') is null"
    )
    return int(rows[0][0])
