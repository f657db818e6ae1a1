"""The listener under load on loopback (500 deliveries a second for 30 s, a tenth of the events
delivered twice), killed with SIGKILL a third of the way and started again: every delivery it
acknowledged is stored, and no event is stored twice.

The deliveries are sent as a vendor's sender does, over keep-alive connections, each retried
(signed anew) until it is acknowledged; a raw HTTP/1.1 client keeps the sender's own cost
below the rate asked for on a small machine."""

from __future__ import annotations

import asyncio
import signal

from tests.listen.listener import Listener, sequenzy_delivery

RATE, SECONDS = 500, 30
TWICE = 10  # every tenth event is delivered a second time, as a vendor's duplicate
CONNECTIONS = 32


def _event(i: int) -> dict:
    return {"id": f"evt_{i:06d}", "type": "email.replied", "createdAt": "2026-12-07T10:00:00Z",
            "data": {"subscriberId": f"sub_{i}", "sequenceId": "seq_1"}}  # fmt: skip


async def _post(port: int, event: dict, connection: list) -> int | None:
    """One delivery on the worker's connection (opened again when it broke): its status, or
    None when the listener did not answer."""
    body, headers = sequenzy_delivery(event)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (f"POST /webhooks/sequenzy HTTP/1.1\r\nhost: 127.0.0.1\r\n"
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
        connection.clear()
        return None


async def _deliver_all(listener: Listener, kill_at: float) -> dict[str, object]:
    queue: asyncio.Queue[int | None] = asyncio.Queue()
    acked: set[int] = set()
    at_kill: set[int] = set()
    refused: list[int] = []
    total = RATE * SECONDS

    async def worker() -> None:
        connection: list = []
        while (i := await queue.get()) is not None:
            status = await _post(listener.port, _event(i), connection)
            if status == 200:
                acked.add(i)
                continue
            if status not in (None, 409):  # 409: a same-second copy, refused; sent again
                refused.append(status)
            await asyncio.sleep(0.2)
            queue.put_nowait(i)  # as the vendor does: until it is acknowledged

    async def kill_and_restart() -> None:
        await asyncio.sleep(kill_at)
        assert listener.process is not None
        listener.process.send_signal(signal.SIGKILL)
        listener.process.wait()
        at_kill.update(acked)
        await asyncio.to_thread(listener.start)

    loop = asyncio.get_running_loop()
    start = loop.time()
    workers = [asyncio.create_task(worker()) for _ in range(CONNECTIONS)]
    killer = asyncio.create_task(kill_and_restart())
    for n in range(total + total // TWICE):  # the twins come after every first delivery
        await asyncio.sleep(max(0.0, start + n / RATE - loop.time()))
        queue.put_nowait(n if n < total else (n - total) * TWICE)
    await killer
    while len(acked) < total or not queue.empty():
        await asyncio.sleep(0.1)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return {"acked": acked, "at_kill": at_kill, "refused": refused,
            "seconds": loop.time() - start}  # fmt: skip


def test_nothing_acknowledged_is_lost_through_a_kill_under_load_and_nothing_stored_twice(
    tmp_path,
):
    listener = Listener(tmp_path)
    listener.start()
    try:
        outcome = asyncio.run(_deliver_all(listener, kill_at=SECONDS / 3))
    finally:
        listener.stop()
    stored = listener.stored("sequenzy")
    total = RATE * SECONDS
    assert not outcome["refused"]
    assert 0 < len(outcome["at_kill"]) < total  # the kill came mid-way
    assert outcome["acked"] == set(range(total))
    assert len(stored) == len(set(stored)) == total  # each event once: the acknowledged too
    print(f"{total + total // TWICE} deliveries in {outcome['seconds']:.1f} s")
