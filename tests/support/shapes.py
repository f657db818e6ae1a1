"""API objects varied for tests of shape: one field changed, added or removed at any depth."""

from __future__ import annotations

import copy
from typing import Any


def variant(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of `base` with fields replaced or added, at depth as `path__to__field=value`;
    `...` removes the field."""
    row = copy.deepcopy(base)
    for key, value in changes.items():
        *parents, name = key.split("__")
        target = row
        for parent in parents:
            target = target[parent]
        if value is ...:
            del target[name]
        else:
            target[name] = value
    return row
