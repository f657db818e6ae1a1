"""Every vendor the vendor-neutral tests run against (the `vendor` fixture's parameters), each
driven by what its folders hold: its spec, `tests/<vendor>/environment.py` (`cli_env`: the
command line's environment against a sandbox) and `tests/<vendor>/truth.py`
(`assert_matches_truth`: every table against the sandbox's world)."""

from __future__ import annotations

import importlib

from sources.common.vendors import VendorSpec, specs
from tests.support.harness import Harness, VendorUnderTest


def harness(spec: VendorSpec) -> Harness:
    environment = importlib.import_module(f"tests.{spec.name}.environment")
    truth = importlib.import_module(f"tests.{spec.name}.truth")
    return Harness(
        name=spec.name, fixture=spec.name, counted=spec.report.base_table, tables=spec.tables,
        source=spec.source,
        env=environment.cli_env, assert_matches_truth=truth.assert_matches_truth,
    )  # fmt: skip


def fixture_modules() -> list[str]:
    """Each vendor's fixtures (its sandbox servers), for `pytest_plugins`."""
    return [f"tests.{name}.fixtures" for name in specs()]


HARNESSES = {name: harness(spec) for name, spec in specs().items()}

__all__ = ["HARNESSES", "Harness", "VendorUnderTest", "fixture_modules"]
