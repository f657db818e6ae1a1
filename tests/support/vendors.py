"""Every vendor the vendor-neutral tests run against (the `vendor` fixture's parameters): the
`HARNESS` of each vendor's `tests/<vendor>/harness.py`."""

from __future__ import annotations

import importlib

from sources.common.vendors import specs
from tests.support.harness import Harness, VendorUnderTest


def harnesses() -> dict[str, Harness]:
    return {name: importlib.import_module(f"tests.{name}.harness").HARNESS for name in specs()}


def fixture_modules() -> list[str]:
    """Each vendor's fixtures (its sandbox servers), for `pytest_plugins`."""
    return [f"tests.{name}.fixtures" for name in specs()]


HARNESSES = harnesses()

__all__ = ["HARNESSES", "Harness", "VendorUnderTest", "fixture_modules"]
