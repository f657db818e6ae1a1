"""The listener under load on loopback (500 deliveries a second for 30 s, a tenth of the events
delivered twice), killed with SIGKILL a third of the way and started again: every delivery it
acknowledged is stored, and no event is stored twice (sandbox.common.burst sends them, each
retried until acknowledged, as a vendor does)."""

from __future__ import annotations

import asyncio
import signal

from sandbox.common.burst import Sent, deliver
from tests.listen.listener import Listener, sequenzy_delivery

RATE, SECONDS = 500, 30
TWICE = 10  # every tenth event is delivered a second time, as a vendor's duplicate


def _made(n: int) -> tuple[str, bytes, dict[str, str]]:
    event = {"id": f"evt_{n:06d}", "type": "email.replied", "createdAt": "2026-12-07T10:00:00Z",
             "data": {"subscriberId": f"sub_{n}", "sequenceId": "seq_1"}}  # fmt: skip
    body, headers = sequenzy_delivery(event)
    return "/webhooks/sequenzy", body, headers


async def _with_a_kill(listener: Listener, total: int, kill_at: float) -> tuple[Sent, float]:
    """The deliveries, and when (the loop's time) the listener was killed."""
    order = list(range(total)) + list(range(0, total, TWICE))  # the twins after the firsts
    sending = asyncio.create_task(deliver(listener.port, _made, order, RATE))
    await asyncio.sleep(kill_at)
    assert listener.process is not None
    listener.process.send_signal(signal.SIGKILL)
    killed = asyncio.get_running_loop().time()
    listener.process.wait()
    await asyncio.to_thread(listener.start)
    return await sending, killed


def test_nothing_acknowledged_is_lost_through_a_kill_under_load_and_nothing_stored_twice(
    tmp_path,
):
    listener = Listener(tmp_path)
    listener.start()
    total = RATE * SECONDS
    try:
        sent, killed = asyncio.run(_with_a_kill(listener, total, kill_at=SECONDS / 3))
    finally:
        listener.stop()
    stored = listener.stored("sequenzy")
    assert not sent.refused
    assert set(sent.acked) == set(range(total))
    before = [n for n, at in sent.acked.items() if at < killed]
    assert 0 < len(before) < total  # acknowledged before the kill, and after it
    assert len(stored) == len(set(stored)) == total  # each event once: those acknowledged too
