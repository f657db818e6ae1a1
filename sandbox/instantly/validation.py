"""What Instantly's document says beyond the generic checks (sandbox.common.openapi)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).with_name("openapi.json")


def bad_path_status(document: Mapping[str, Any], path: str, method: str) -> int:
    """The status of a malformed path id. 400, except where the document's own 400 response is
    a 404 envelope (`POST /campaigns/{id}/pause`, `/activate`): there the API answers 404."""
    response = document["paths"][path][method].get("responses", {}).get("400", {})
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return 404 if schema.get("properties", {}).get("statusCode", {}).get("enum") == [404] else 400
