"""Fault injection and rate limiting for a sandbox, as an outermost ASGI middleware.

Every fault is off by default and set per server. Faults are drawn from a seeded generator, so a
run with the same seed and the same request order sees the same faults.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# (status, message) -> JSON body in the vendor's error shape
ErrorBody = Callable[[int, str], bytes]

GATEWAY_BODY = b"<html><body><h1>%d %s</h1>The upstream server is unavailable.</body></html>"


@dataclass
class FaultConfig:
    """Shares are probabilities per API request, drawn in the order the fields are listed."""

    rate_limited: float = 0.0  # answered 429 with Retry-After
    server_error: float = 0.0  # answered 500 (vendor JSON), 502 or 503 (gateway HTML)
    drop: float = 0.0  # connection closed with no answer
    truncate: float = 0.0  # connection cut in the middle of the body
    bad_json: float = 0.0  # complete HTTP answer whose JSON body stops half-way
    slow: float = 0.0  # answered after `slow_seconds`
    slow_seconds: float = 5.0
    retry_after: int | None = 1  # Retry-After of injected 429s; None leaves the header out
    latency_ms: float = 0.0  # added to every API request (a fixed per-page latency)
    rps: float | None = None  # requests-per-second cap, excess answered 429
    writes_only: bool = False  # faults only for writes (not GET): a call made, its answer lost
    seed: int = 0

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FaultConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        config = cls(**values)
        config.validate()
        return config

    def validate(self) -> None:
        shares = [self.rate_limited, self.server_error, self.drop, self.truncate, self.bad_json]
        shares.append(self.slow)
        if any(not 0.0 <= s <= 1.0 for s in shares) or sum(shares) > 1.0:
            raise ValueError("fault shares must each be within 0..1 and add up to at most 1")
        if self.rps is not None and self.rps <= 0:
            raise ValueError("rps must be positive")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WindowLimit:
    """A documented limit: `requests` per `window_seconds` (fixed windows), on every API path
    or only on those starting with `path` (Instantly's 20 a minute on `GET /emails`)."""

    requests: int
    window_seconds: float
    path: str = ""


class _Limiter:
    def __init__(self, windows: Sequence[WindowLimit]) -> None:
        self._windows = list(windows)
        self._starts = [0.0] * len(self._windows)
        self._counts = [0] * len(self._windows)
        self._tokens: float | None = None  # the bucket starts full
        self._tokens_at = time.monotonic()

    def check(self, path: str, rps: float | None) -> int | None:
        """Seconds to wait when the request is over a limit, else None (and it is counted
        against every limit on its path)."""
        now = time.monotonic()
        mine = [k for k, w in enumerate(self._windows) if path.startswith(w.path)]
        waits = []
        for k in mine:
            window = self._windows[k]
            start = math.floor(now / window.window_seconds) * window.window_seconds
            if start != self._starts[k]:
                self._starts[k], self._counts[k] = start, 0
            if self._counts[k] >= window.requests:
                waits.append(max(1, math.ceil(start + window.window_seconds - now)))
        if waits:
            return max(waits)
        if rps is not None:
            capacity = max(1.0, rps)
            tokens = capacity if self._tokens is None else self._tokens
            self._tokens = min(capacity, tokens + (now - self._tokens_at) * rps)
            self._tokens_at = now
            if self._tokens < 1.0:
                return max(1, math.ceil((1.0 - self._tokens) / rps))
            self._tokens -= 1.0
        for k in mine:
            self._counts[k] += 1
        return None


class FaultInjector:
    """Wraps a vendor app; `is_api(path)` says which requests faults and limits apply to."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        is_api: Callable[[str], bool],
        error_body: ErrorBody,
        config: FaultConfig | None = None,
        limits: Sequence[WindowLimit] = (),
        limit_retry_after: bool = True,
    ) -> None:
        """`limits`: the vendor's documented ones; `limit_retry_after`: whether its 429s for
        them carry Retry-After (Instantly's do not)."""
        self.app = app
        self.is_api = is_api
        self.error_body = error_body
        self.limits = tuple(limits)
        self.limit_retry_after = limit_retry_after
        self.stats: Counter[str] = Counter()
        self.by_path: Counter[str] = Counter()  # "METHOD /path" -> requests
        self._lock = threading.Lock()
        self._limiter = _Limiter(self.limits)
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        config.validate()
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)
            self._limiter = _Limiter(self.limits)

    def _draw(self, path: str, method: str) -> tuple[str | None, int | None]:
        with self._lock:
            c = self.config
            self.stats["requests"] += 1
            wait = self._limiter.check(path, c.rps)
            if wait is not None:
                self.stats["limited"] += 1
                return "limited", wait
            if c.writes_only and method == "GET":
                return None, None
            u = self._rng.random()
            for name in ("rate_limited", "server_error", "drop", "truncate", "bad_json", "slow"):
                share = getattr(c, name)
                if u < share:
                    self.stats[name] += 1
                    return name, self._rng.choice((500, 502, 503))
                u -= share
            return None, None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.is_api(scope["path"]):
            await self.app(scope, receive, send)
            return
        config = self.config
        if config.latency_ms > 0:
            await asyncio.sleep(config.latency_ms / 1000)
        fault, detail = self._draw(scope["path"], scope["method"])
        with self._lock:  # per operation, for a benchmark's requests per table
            self.by_path[f"{scope['method']} {scope['path']}"] += 1
        if fault == "limited":
            await self._send_429(send, detail if self.limit_retry_after else None)
        elif fault == "rate_limited":
            await self._send_429(send, config.retry_after)
        elif fault == "server_error":
            await self._send_server_error(send, detail or 500)
        elif fault == "drop":
            await _abort(send)
        elif fault in ("truncate", "bad_json"):
            await self._send_cut(scope, receive, send, cut_connection=fault == "truncate")
        elif fault == "slow":  # the request is in; it is made, and answered, after a while
            received = await _whole_request(receive)
            await asyncio.sleep(config.slow_seconds)
            await self.app(scope, received, send)
        else:
            await self.app(scope, receive, send)

    async def _send_429(self, send: Send, retry_after: int | None) -> None:
        headers = [] if retry_after is None else [(b"retry-after", str(retry_after).encode())]
        hint = "" if retry_after is None else "; retry after the Retry-After interval."
        body = self.error_body(429, f"Rate limit exceeded{hint}")
        await _send_whole(send, 429, body, b"application/json", headers)

    async def _send_server_error(self, send: Send, status: int) -> None:
        if status == 500:
            body = self.error_body(500, "An unexpected error occurred.")
            await _send_whole(send, 500, body, b"application/json")
            return
        reason = b"Bad Gateway" if status == 502 else b"Service Unavailable"
        await _send_whole(send, status, GATEWAY_BODY % (status, reason), b"text/html")

    async def _send_cut(
        self, scope: Scope, receive: Receive, send: Send, cut_connection: bool
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        half = body[: len(body) // 2]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if cut_connection:  # promise the whole body, deliver half, hang up
            headers.append((b"content-length", str(len(body)).encode()))
            await send(
                {"type": "http.response.start", "status": start["status"], "headers": headers}
            )
            await send({"type": "http.response.body", "body": half, "more_body": True})
            await _abort(send)
            return
        headers.append((b"content-length", str(len(half)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": half})


async def _send_whole(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": status, "headers": headers + (extra or [])}
    )
    await send({"type": "http.response.body", "body": body})


async def _whole_request(receive: Receive) -> Receive:
    """The request's body read now, replayed later: a client that gives up in between does not
    stop the call, as it would not stop a real server that already has the request."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return replay


async def _abort(send: Send) -> None:
    """Reset the TCP connection without an answer (uvicorn's h11 cycle owns the transport)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if cycle is None or transport is None:  # not under uvicorn's h11: failing is the closest
        raise ConnectionAbortedError("sandbox fault: connection dropped")
    transport.abort()
    cycle.disconnected = True
