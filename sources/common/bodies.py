"""What a vendor's answers hold, apart from the transport: how its error bodies read, and the
readers and checks a page goes through (sources.common.http applies them)."""

from __future__ import annotations

from collections.abc import Callable, Sized
from typing import Any

import httpx
import orjson

from sources.common.retries import TransientError


class ErrorFormat:
    """How a vendor's error bodies read. This default takes `message` (or a string `error`);
    a vendor with another envelope overrides what differs."""

    def message(self, body: Any) -> str:
        if isinstance(body, dict):
            for field in ("message", "error"):
                if isinstance(body.get(field), str) and body[field]:
                    return str(body[field])
        return "no details"

    def code(self, body: Any) -> str | None:
        """The body's machine-readable error code, when the vendor sends one."""
        return None

    def problems(self, body: Any) -> list[dict[str, Any]]:
        """The individual problems a 400 lists, when the vendor lists them."""
        return []

    def describe_problem(self, problem: dict[str, Any]) -> str:
        return str(problem)


# A page check: raises TransientError when a page is not consistent with itself (cut short).
PageCheck = Callable[[Sized, httpx.Headers], None]
# An NDJSON page's reader: the whole body (ending in a newline) in, its rows out (a list, or an
# Arrow table); it raises TransientError on a line that is not JSON.
NdjsonReader = Callable[[bytes], Sized]
# A JSON body's reader for a 2xx answer: the body as the caller wants it (Arrow, say), or None
# to have it parsed as JSON after all.
BodyReader = Callable[[bytes], Any]


def ndjson_rows(content: bytes) -> list[Any]:
    """An NDJSON body as a list of its objects (the default reader)."""
    try:
        return [orjson.loads(line) for line in content.splitlines() if line.strip()]
    except orjson.JSONDecodeError:
        raise TransientError("an NDJSON line that is not valid JSON") from None


def json_body(response: httpx.Response) -> Any:
    """The answer's JSON; a 2xx body that is not JSON was cut short (retried), an error page
    from a proxy is None (its status says enough)."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        if response.status_code < 300:
            raise TransientError("a body that is not valid JSON (cut short?)") from None
        return None


def ndjson_body(response: httpx.Response, read: NdjsonReader) -> Sized:
    """An NDJSON answer read by `read`; one without its final newline was cut short (retried)."""
    content = response.content
    if content and not content.endswith(b"\n"):
        raise TransientError("an NDJSON body cut short (no final newline)")
    return read(content)
