"""Serve a sandbox app with uvicorn on loopback, in a background thread or in the foreground."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

import uvicorn


def bind_loopback(port: int = 0, host: str = "127.0.0.1") -> socket.socket:
    """A listening socket; port 0 picks a free one, so the port is known before serving."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on such sockets, and without it
    # small answers wait ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _config(app: Any, log_level: str) -> uvicorn.Config:
    # h11 explicitly: the drop/truncate faults rely on its per-request cycle owning the transport.
    # date_header off: the sandbox sends its own Date from its virtual clock.
    return uvicorn.Config(
        app,
        http="h11",
        lifespan="off",
        log_level=log_level,
        access_log=False,
        date_header=False,
        server_header=False,
        timeout_keep_alive=30,
    )


class ServerThread:
    """An in-process server on a free loopback port; `with ServerThread(app) as url: ...`."""

    def __init__(self, app: Any, *, port: int = 0, log_level: str = "warning") -> None:
        self._sock = bind_loopback(port)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(_config(app, log_level))
        self._thread = threading.Thread(
            target=self._serve, name=f"sandbox:{self.port}", daemon=True
        )

    def _serve(self) -> None:
        self._server.run(sockets=[self._sock])

    def start(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.005)
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Served:
    """What every vendor's sandbox object offers: its ASGI `app` served on loopback, and the
    base URL a client configures (the server's URL and the vendor's `PREFIX`)."""

    app: Any
    PREFIX: ClassVar[str]

    def serve(self, port: int = 0) -> ServerThread:
        return ServerThread(self.app, port=port)

    @classmethod
    def base_url(cls, server_url: str) -> str:
        return server_url + cls.PREFIX


def serve_forever(app: Any, sock: socket.socket, log_level: str = "info") -> None:
    """Serve in the foreground until interrupted (the `python -m sandbox` path)."""
    uvicorn.Server(_config(app, log_level)).run(sockets=[sock])


async def by_header(
    scope: dict[str, Any], receive: Any, send: Any, header: bytes, default: Any,
    chosen: Callable[[str], Any], refused: Callable[[str], bytes],
) -> None:  # fmt: skip
    """An ASGI app over several sandboxes (an Instantly group, a Sequenzy account): the request
    goes to `default` without `header`, else to the app `chosen(value)` gives, or is a 403 with
    body `refused(value)` when it gives none."""
    value = dict(scope.get("headers") or []).get(header) if scope["type"] == "http" else None
    if value is None:
        return await default(scope, receive, send)
    text = value.decode("latin-1").strip()
    app = chosen(text)
    if app is not None:
        return await app(scope, receive, send)
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json")]})  # fmt: skip
    await send({"type": "http.response.body", "body": refused(text)})
