"""What the vendor-neutral tests (loads, deploy recipes, warehouses) need to know of one vendor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sources.common.tables import Tables


@dataclass(frozen=True)
class Harness:
    name: str  # the command-line word, and the default pipeline and dataset name
    fixture: str  # its server factory: `fixture(n)` starts a sandbox of n records (`.base_url`)
    counted: str  # the table a first load of n records fills with n rows
    tables: Tables  # the source's table contracts and merge keys
    source: Callable[..., Any]  # its @dlt.source
    env: Callable[[str, Path], dict[str, str]]  # the CLI's environment for a sandbox's base URL
    assert_matches_truth: Callable[[Any, Any], None]  # (warehouse, sandbox state): every table

    @property
    def key_variable(self) -> str:
        return f"SOURCES__{self.name.upper()}__API_KEY"


@dataclass(frozen=True)
class VendorUnderTest:
    """A harness and its server factory, as the `vendor` fixture gives them to a test."""

    harness: Harness
    start: Callable[[int], Any]

    @property
    def name(self) -> str:
        return self.harness.name

    def env(self, server: Any, tmp_path: Path) -> dict[str, str]:
        return self.harness.env(server.base_url, tmp_path)

    def assert_loaded(self, warehouse: Any, server: Any) -> None:
        self.harness.assert_matches_truth(warehouse, server.state)

    def advance(self, server: Any, seconds: float) -> None:
        """The world moves on (every sandbox's state has `advance`)."""
        server.state.advance(seconds)
