"""The dbt child's environment: the destination's credentials as dlt's profiles read them,
without touching this process's environment (two workspaces' builds share a process)."""

from __future__ import annotations

import os

import dlt
import pytest
from dlt.common.configuration.utils import add_config_to_env

from pipelines.funnel.dbt_build import credentials_env


@pytest.mark.parametrize(
    "destination",
    [
        dlt.destinations.postgres("postgresql://loader:s3cr%40t@db.internal:6543/warehouse"),
        dlt.destinations.duckdb("/data/funnel.duckdb"),
    ],
    ids=["postgres", "duckdb"],
)
def test_the_childs_environment_is_what_dlt_would_write_and_ours_is_untouched(
    destination, tmp_path, monkeypatch
):
    pipeline = dlt.pipeline("env_check", destination=destination, dataset_name="funnel",
                            pipelines_dir=str(tmp_path))  # fmt: skip
    credentials = pipeline.destination_client().config.credentials
    monkeypatch.setenv("DLT__CREDENTIALS__QUERY", "left over")  # a None value removes it
    before = dict(os.environ)
    made = credentials_env(before, credentials, ("dlt",))
    assert dict(os.environ) == before

    try:
        add_config_to_env(credentials, ("dlt",))  # what dlt's own runner does, in place
        assert made == dict(os.environ)
    finally:  # no credentials left in the environment of the tests that follow
        os.environ.clear()
        os.environ.update(before)
    if destination.destination_name == "postgres":
        assert made["DLT__CREDENTIALS__PASSWORD"] == "s3cr@t"
        assert made["DLT__CREDENTIALS__PORT"] == "6543"
    else:
        assert made["DLT__CREDENTIALS__DATABASE"].endswith("funnel.duckdb")
