"""Every vendor the vendor-neutral tests run against (the `vendor` fixture's parameters)."""

from __future__ import annotations

from tests.instantly.harness import INSTANTLY
from tests.sequenzy.harness import SEQUENZY
from tests.support.harness import Harness, VendorUnderTest
from tests.unify.harness import UNIFY

HARNESSES: dict[str, Harness] = {h.name: h for h in (UNIFY, INSTANTLY, SEQUENZY)}

__all__ = ["HARNESSES", "Harness", "VendorUnderTest"]
