"""One `dbt build` of the funnel's project against a pipeline's destination, in a child that
cannot outlive this process (pipelines.dbt_child); its test results told apart: a failure on
what the project guarantees stops the build, a warning on what a vendor sent is reported."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt

from sources.common.errors import ConnectorError

# the profiles in dbt/profiles.yml; dlt's own serve any other destination
OWN_PROFILES = ("duckdb", "postgres")


class ModelsFailedError(ConnectorError):
    """The load was committed; the funnel models did not build (or a dbt test failed)."""


@dataclass(frozen=True)
class Outcome:
    nodes: int  # seeds, models and tests dbt ran
    warnings: tuple[str, ...]  # one line per test that warned, naming it and its count


def target_dir(pipeline: dlt.Pipeline) -> Path:
    """dbt's target (its manifest and partial parse), kept under the pipelines dir."""
    return Path(pipeline.working_dir).resolve() / "dbt" / "target"


def run(
    pipeline: dlt.Pipeline,
    project: Path,
    variables: Mapping[str, Any],
    select: list[str] | None = None,
) -> Outcome:
    """`dbt build` (seed, models and tests in one dbt start-up), of `select` (dbt selectors)
    when given. dlt resolves the profile and the pipeline's credentials, handed to dbt in
    DLT__CREDENTIALS__*; dbt's target (its partial parse among it) and logs are kept under the
    pipelines dir, where the next build finds them."""
    from pipelines import dbt_child

    scratch = target_dir(pipeline).parent
    profiles_dir, profile, env = _profile(pipeline, project)
    dataset = pipeline.dataset_name
    package_vars = {"source_dataset_name": dataset, "destination_dataset_name": dataset}
    dbt_args = [
        "build", "--fail-fast", "--project-dir", str(project),
        "--profiles-dir", profiles_dir, "--profile", profile,
        "--target-path", str(scratch / "target"), "--log-path", str(scratch / "logs"),
        "--vars", json.dumps(package_vars | dict(variables)),
    ]  # fmt: skip
    if select:
        dbt_args += ["--select", *select]
    answer = dbt_child.run(dbt_args, env=env, cwd=project, scratch=scratch)
    nodes = answer["nodes"]
    failed = [n for n in nodes if n["status"] in ("error", "fail")]
    if failed or answer["error"]:
        raise ModelsFailedError(_failure(failed, answer["error"]))
    return Outcome(len(nodes), tuple(_warning(n) for n in nodes if n["status"] == "warn"))


def _profile(pipeline: dlt.Pipeline, project: Path) -> tuple[str, str, dict[str, str]]:
    """The profiles dir, the profile's name and the child's environment with the destination's
    credentials, named as dlt's profiles read them (DLT__CREDENTIALS__*)."""
    config = {}
    if pipeline.destination.destination_name in OWN_PROFILES:
        config["dbt_package_runner.package_profiles_dir"] = str(project)
    with dlt.config.values(config):
        runner = dlt.dbt.package(pipeline, str(project))
    env = credentials_env(dict(os.environ), runner.credentials, ("dlt",))
    env |= {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false"}
    return str(runner.config.package_profiles_dir), str(runner.config.package_profile_name), env


def credentials_env(env: dict[str, str], config: Any, sections: tuple[str, ...]) -> dict[str, str]:
    """`env` with `config` written into it as dlt's `add_config_to_env` writes it into this
    process's environment (its names, its serialisation; a None value removes the name), but
    into a copy: the child gets it, and this process's environment is never touched (two builds
    in two threads of one process, #31's workspaces, each keep their own credentials)."""
    from dlt.common.configuration.providers import EnvironProvider
    from dlt.common.configuration.specs import BaseConfiguration
    from dlt.common.configuration.utils import serialize_value

    out = dict(env)
    if isinstance(config, BaseConfiguration) and config.__section__:
        sections += (config.__section__,)
    for key, value in dict(config).items():
        if isinstance(value, BaseConfiguration):
            out = credentials_env(out, value, sections if value.__section__ else (*sections, key))
        elif isinstance(value, dict):
            out = credentials_env(out, value, (*sections, key))
        elif value is None:
            out.pop(EnvironProvider.get_key_name(key, *sections), None)
        else:
            with contextlib.suppress(TypeError):  # as dlt: a value it cannot write is left out
                out[EnvironProvider.get_key_name(key, *sections)] = serialize_value(value)
    return out


def _warning(node: dict) -> str:
    return f"{node['name']}: {node['failures']} rows ({' '.join(str(node['message']).split())})"


def _failure(failed: list[dict], error: str | None) -> str:
    """The first node that failed and dbt's own words for it, on one line (the caller scrubs
    secrets from it; dbt's whole output is in its log, under the pipelines dir)."""
    for node in failed:
        message = " ".join(str(node["message"]).split())[:300]
        return f"the funnel models did not build: {node['name']} {node['status']}: {message}"
    return f"the funnel models did not build: {' '.join(str(error).split())[:300]}"
