"""Loads of the Instantly source, as tests/support/loading.py makes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sources.instantly import instantly_source
from tests.instantly.environment import settings
from tests.support.loading import Loader


def instantly_loader(tmp_path: Path, base_url: str, warehouse: Any = None) -> Loader:
    return Loader(tmp_path, base_url, warehouse, name="instantly", source=instantly_source,
                  settings=settings)  # fmt: skip
