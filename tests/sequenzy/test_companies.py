"""A Sequenzy account key over several companies (`companies = "all"` or a list of ids): each
company a workspace, read with `x-company-id`, into its own dataset; the companies share the
key's rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sequenzy import Sequenzy

from sandbox.sequenzy import DEFAULT_API_KEY
from sandbox.sequenzy.account import SequenzyAccount
from sources.common.vendors import spec
from tests.sequenzy.environment import cli_env
from tests.sequenzy.truth import assert_matches_truth
from tests.support.cli import run_cli
from tests.support.served import ANCHOR_US
from tests.support.warehouses import DuckDBWarehouse


@pytest.fixture
def account() -> Iterator[tuple[SequenzyAccount, str]]:
    made = SequenzyAccount.create({"Northwind": 300, "Contoso EU": 200}, sequences=3,
                                  anchor_us=ANCHOR_US, frozen_clock=True)  # fmt: skip
    with made.serve() as url:
        yield made, SequenzyAccount.base_url(url)


def test_every_company_of_the_account_loads_exactly_into_its_own_dataset(
    account: tuple[SequenzyAccount, str], tmp_path: Path
) -> None:
    made, base_url = account
    env = cli_env(base_url, tmp_path) | {"SOURCES__SEQUENZY__COMPANIES": "all"}
    result = run_cli(tmp_path, env, "--parallel", "2", vendor="sequenzy")
    assert result.returncode == 0, result.stderr
    assert "2 of 2 workspaces loaded" in result.stdout  # the key's own is one of its companies
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    assert_matches_truth(warehouse, made.companies["Northwind"].state, "sequenzy_northwind")
    assert_matches_truth(warehouse, made.companies["Contoso EU"].state, "sequenzy_contoso_eu")
    # ids chosen: that company only
    chosen = made.company_id("Contoso EU")
    env["SOURCES__SEQUENZY__COMPANIES"] = chosen
    only = run_cli(tmp_path, env, "--json-summary", str(tmp_path / "s.json"), vendor="sequenzy")
    assert only.returncode == 0, only.stderr
    assert "Loaded into" in only.stdout and "workspaces loaded" not in only.stdout


def test_companies_share_the_keys_budget_and_the_sdk_lists_them(
    account: tuple[SequenzyAccount, str],
) -> None:
    from pipelines.workspaces import Workspace, shares

    made, base_url = account
    listed = Sequenzy(base_url=base_url, api_key=DEFAULT_API_KEY).companies.list()
    assert [c.name for c in listed.companies or []] == ["Northwind", "Contoso EU"]
    assert listed.current_company_id == made.company_id("Northwind")
    vendor = spec("sequenzy")
    spaces = [Workspace("sequenzy", n, {"company_id": made.company_id(c)})
              for n, c in (("northwind", "Northwind"), ("contoso_eu", "Contoso EU"))]  # fmt: skip
    assert shares(vendor, spaces, parallel=2) == {"northwind": 0.5, "contoso_eu": 0.5}
    with httpx.Client(base_url=base_url) as client:
        other = client.get("/sequences", headers={"authorization": f"Bearer {DEFAULT_API_KEY}",
                                                  "x-company-id": "not-a-company"})  # fmt: skip
    assert other.status_code == 403
