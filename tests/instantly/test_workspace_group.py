"""An agency's Instantly workspace group, loaded with the admin key alone: the admin workspace
and each accepted member, each as itself (`x-as-workspace`) into its own dataset; a member that
joins is loaded by the next run; a member named in the configuration keeps that name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.instantly import DEFAULT_API_KEY
from sandbox.instantly.group import InstantlyGroup
from tests.instantly.environment import cli_env
from tests.instantly.truth import assert_matches_truth
from tests.support.cli import BUILDS_MODELS, run_cli
from tests.support.served import ANCHOR_US
from tests.support.warehouses import DuckDBWarehouse


@pytest.fixture
def group() -> Iterator[tuple[InstantlyGroup, str]]:
    agency = InstantlyGroup.create({"Acme Corp.": 120, "Globex": 90, "Hooli": 60},
                                   admin_leads=60, anchor_us=ANCHOR_US, frozen_clock=True)  # fmt: skip
    agency.add_member("Initech", 40, status="pending")  # invited, not yet a member
    with agency.serve() as url:
        yield agency, InstantlyGroup.base_url(url)


def _env(base_url: str, tmp_path: Path) -> dict[str, str]:
    env = cli_env(base_url, tmp_path) | BUILDS_MODELS
    return env | {"SOURCES__INSTANTLY__WORKSPACE_GROUP": "true"}


def test_the_admin_and_each_accepted_member_load_exactly_each_into_its_own_dataset(
    group: tuple[InstantlyGroup, str], tmp_path: Path
) -> None:
    agency, base_url = group
    env = _env(base_url, tmp_path)
    result = run_cli(tmp_path, env, vendor="instantly")
    assert result.returncode == 0, result.stderr
    assert "4 of 4 workspaces loaded" in result.stdout  # the pending one is not a workspace
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    assert_matches_truth(warehouse, agency.admin.state)
    for name, dataset in (("Acme Corp.", "instantly_acme_corp"), ("Globex", "instantly_globex"),
                          ("Hooli", "instantly_hooli")):  # fmt: skip
        assert_matches_truth(warehouse, agency.members[name].state, dataset)
    # a member joins: the next run loads it, the others as incremental runs
    agency.add_member("Umbrella", 30)
    again = run_cli(tmp_path, env, vendor="instantly")
    assert again.returncode == 0, again.stderr
    assert "5 of 5 workspaces loaded" in again.stdout
    assert_matches_truth(warehouse, agency.members["Umbrella"].state, "instantly_umbrella")
    leads = warehouse.rows("select workspace, count(*) from funnel.enrollments group by 1")
    assert {w for w, _ in leads} == {"default", "acme_corp", "globex", "hooli", "umbrella"}


def test_a_member_named_in_the_configuration_keeps_its_name(
    group: tuple[InstantlyGroup, str], tmp_path: Path
) -> None:
    agency, base_url = group
    env = _env(base_url, tmp_path)
    env["SOURCES__INSTANTLY__WORKSPACES__ACME__AS_WORKSPACE"] = agency.workspace_id("Acme Corp.")
    result = run_cli(tmp_path, env, vendor="instantly")
    assert result.returncode == 0, result.stderr
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    assert_matches_truth(warehouse, agency.members["Acme Corp."].state, "instantly_acme")
    tables = warehouse.rows("select distinct table_schema from information_schema.tables")
    assert ("instantly_acme_corp",) not in tables  # the member is loaded once, by its name


def test_a_workspace_outside_the_group_is_refused_and_a_member_is_itself(
    group: tuple[InstantlyGroup, str],
) -> None:
    agency, base_url = group
    headers = {"authorization": f"Bearer {DEFAULT_API_KEY}"}
    with httpx.Client(base_url=base_url, headers=headers) as client:
        listed = client.get("/workspace-group-members", params={"limit": 2})
        assert listed.status_code == 200
        body: dict[str, Any] = listed.json()
        assert len(body["items"]) == 2 and body["next_starting_after"] == body["items"][-1]["id"]
        pending = agency.workspace_id("Initech")
        outside = client.get("/campaigns", headers={"x-as-workspace": pending})
        assert outside.status_code == 403 and outside.json()["statusCode"] == 403
        member = client.get("/campaigns", headers={"x-as-workspace": agency.workspace_id("Globex")})
        assert member.status_code == 200
        assert {c["organization"] for c in member.json()["items"]} == {
            agency.workspace_id("Globex")
        }
