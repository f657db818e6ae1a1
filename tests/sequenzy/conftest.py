"""Fixtures for Sequenzy source tests: loads into a temporary DuckDB file (or a warehouse)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sequenzy.loading import sequenzy_loader
from tests.support.loading import Loader


@pytest.fixture
def loader(tmp_path: Path) -> Iterator[Callable[..., Loader]]:
    """`loader(base_url)` loads into a DuckDB file; `loader(base_url, warehouse)` elsewhere."""
    yield lambda base_url, warehouse=None: sequenzy_loader(tmp_path, base_url, warehouse)
