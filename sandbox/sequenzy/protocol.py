"""What every Sequenzy endpoint shares: the `{success: false, error}` envelope and the
parameters most of them read."""

from __future__ import annotations

import orjson
from starlette.requests import Request

from sandbox.common.errors import ApiError
from sandbox.sequenzy.world import SequenzyWorld


def error_body(status: int, message: str) -> bytes:
    return orjson.dumps({"success": False, "error": message})


def int_param(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    return default if value is None else int(value)  # checked against the document already


def sequence_position(world: SequenzyWorld, request: Request) -> int:
    position = world.sequence_position(request.path_params["sequenceId"].lower())
    if position is None:
        raise ApiError(404, "Sequence not found")
    return position
