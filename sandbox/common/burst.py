"""Deliveries at a steady rate, as a busy vendor sends webhooks: `total` of them, `rate` a second,
over `connections` keep-alive HTTP/1.1 connections, each retried until acknowledged (2xx) as a
vendor retries, made anew for each attempt (a fresh signature). A raw client: an HTTP library's
own cost would cap the rate on a small machine before the receiver does (httpx's async client
reached about 110 a second on two cores)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

# n -> (path, body, headers): the n-th delivery, made at each attempt
Made = Callable[[int], tuple[str, bytes, dict[str, str]]]


@dataclass
class Sent:
    acked: dict[int, float] = field(default_factory=dict)  # n -> when acknowledged (loop time)
    first_sent: dict[int, float] = field(default_factory=dict)  # n -> its first attempt
    refused: list[int] = field(default_factory=list)  # statuses other than 2xx, 409 and none
    seconds: float = 0.0


async def _post(port: int, path: str, body: bytes, headers: dict[str, str],
                connection: list) -> int | None:  # fmt: skip
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n"
               f"content-length: {len(body)}\r\n{head}\r\n").encode() + body  # fmt: skip
    try:
        if not connection:
            connection[:] = await asyncio.open_connection("127.0.0.1", port)
        reader, writer = connection
        writer.write(request)
        await writer.drain()
        status = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        return int(status.split()[1])
    except (OSError, asyncio.IncompleteReadError, IndexError, ValueError):
        connection.clear()  # the receiver went away: a new connection next time
        return None


async def deliver(port: int, made: Made, order: list[int], rate: float,
                  connections: int = 32) -> Sent:  # fmt: skip
    """Send the deliveries `order` names (one may come twice: a duplicate), `rate` a second,
    until each is acknowledged."""
    queue: asyncio.Queue[int | None] = asyncio.Queue()
    sent = Sent()
    loop = asyncio.get_running_loop()

    async def worker() -> None:
        connection: list = []
        while (n := await queue.get()) is not None:
            path, body, headers = made(n)
            sent.first_sent.setdefault(n, loop.time())
            status = await _post(port, path, body, headers, connection)
            if status is not None and 200 <= status < 300:
                sent.acked[n] = loop.time()
                continue
            if status not in (None, 409):  # 409: a copy refused as a replay; sent again
                sent.refused.append(status)
            await asyncio.sleep(0.2)
            queue.put_nowait(n)

    start = loop.time()
    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    for k, n in enumerate(order):
        await asyncio.sleep(max(0.0, start + k / rate - loop.time()))
        queue.put_nowait(n)
    while len(sent.acked) < len(set(order)) or not queue.empty():
        await asyncio.sleep(0.05)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    sent.seconds = loop.time() - start
    return sent
