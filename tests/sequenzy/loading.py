"""Loads of the Sequenzy source, as tests/support/loading.py makes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sources.sequenzy import sequenzy_source
from tests.sequenzy.environment import settings
from tests.support.loading import Loader


def sequenzy_loader(tmp_path: Path, base_url: str, warehouse: Any = None) -> Loader:
    return Loader(tmp_path, base_url, warehouse, name="sequenzy", source=sequenzy_source,
                  settings=settings)  # fmt: skip
