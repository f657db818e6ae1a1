"""The listener under load on loopback (500 deliveries a second for 30 s, a tenth of the events
delivered twice), killed with SIGKILL mid-way and started again: every delivery it
acknowledged is stored, and no event is stored twice."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx

from tests.listen.listener import Listener, sequenzy_delivery

RATE, SECONDS = 500, 30
TWICE = 10  # every tenth event is delivered a second time, as a vendor's duplicate


def _event(i: int) -> dict:
    return {"id": f"evt_{i:06d}", "type": "email.replied", "createdAt": "2026-12-07T10:00:00Z",
            "data": {"subscriberId": f"sub_{i}", "sequenceId": "seq_1"}}  # fmt: skip


async def _deliver_all(listener: Listener, kill_at: float) -> dict[str, object]:
    url = listener.url + "/webhooks/sequenzy"
    acked: set[int] = set()
    at_kill: set[int] = set()
    refused: list[int] = []
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def deliver(i: int) -> None:
            while True:  # as the vendor does: until it is acknowledged
                body, headers = sequenzy_delivery(_event(i))
                try:
                    answer = await client.post(url, content=body, headers=headers)
                except httpx.TransportError:
                    answer = None
                if answer is not None and answer.status_code == 200:
                    acked.add(i)
                    return
                if answer is not None and answer.status_code not in (409, 503):
                    refused.append(answer.status_code)
                await asyncio.sleep(0.2)

        async def kill_and_restart() -> None:
            await asyncio.sleep(kill_at)
            assert listener.process is not None
            listener.process.send_signal(signal.SIGKILL)
            listener.process.wait()
            at_kill.update(acked)
            await asyncio.to_thread(listener.start)

        loop = asyncio.get_running_loop()
        start = loop.time()
        killer = asyncio.create_task(kill_and_restart())
        tasks = []
        total = RATE * SECONDS
        for n in range(total + total // TWICE):
            i = n if n < total else (n - total) * TWICE
            await asyncio.sleep(max(0.0, start + n / RATE - loop.time()))
            tasks.append(asyncio.create_task(deliver(i)))
        await asyncio.gather(*tasks, killer)
        return {"acked": acked, "at_kill": at_kill, "refused": refused,
                "seconds": loop.time() - start}  # fmt: skip


def test_nothing_acknowledged_is_lost_through_a_kill_under_load_and_nothing_stored_twice(
    tmp_path,
):
    listener = Listener(tmp_path)
    listener.start()
    started = time.monotonic()
    try:
        outcome = asyncio.run(_deliver_all(listener, kill_at=SECONDS / 3))
    finally:
        listener.stop()
    stored = listener.stored("sequenzy")
    total = RATE * SECONDS
    assert not outcome["refused"]
    assert outcome["at_kill"]  # the kill came after some were acknowledged...
    assert len(outcome["at_kill"]) < total  # ...and before all of them
    assert outcome["acked"] == set(range(total))
    assert len(stored) == len(set(stored)) == total  # each event once: the acknowledged too
    print(f"{total + total // TWICE} deliveries in {outcome['seconds']:.1f} s"
          f" ({time.monotonic() - started:.1f} s with the restart)")  # fmt: skip
