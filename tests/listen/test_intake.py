"""`sequence-funnel listen` receiving deliveries: what is the vendor's is stored once, what is
not is refused and counted (pipelines.listen)."""

from __future__ import annotations

import json
import time

import httpx

from pipelines.listen.intake import counts
from tests.listen.listener import (
    INSTANTLY_HEADER,
    SEQUENZY_SECRETS,
    instantly_delivery,
    listening,
    sequenzy_delivery,
)
from tests.support.warehouses import DuckDBWarehouse


def _post(url: str, delivery: tuple[bytes, dict]) -> int:
    body, headers = delivery
    return httpx.post(url, content=body, headers=headers, timeout=10).status_code


def _replied(n: int) -> dict:
    return {"id": f"evt_{n}", "type": "email.replied", "createdAt": "2026-12-07T10:00:00Z",
            "data": {"subscriberId": f"sub_{n}", "email": f"p{n}@example.com"}}  # fmt: skip


def test_signed_deliveries_are_stored_once_and_forged_stale_or_replayed_ones_refused(tmp_path):
    with listening(tmp_path) as listener:
        url = listener.url + "/webhooks/sequenzy"
        assert _post(url, sequenzy_delivery(_replied(1))) == 200
        # during a rotation Sequenzy signs with every active secret; either one is enough
        assert _post(url, sequenzy_delivery(_replied(2), SEQUENZY_SECRETS[1:])) == 200
        assert _post(url, sequenzy_delivery(_replied(3), SEQUENZY_SECRETS[:1])) == 200
        # the vendor's retry, a while later: the same event, signed anew
        again = sequenzy_delivery(_replied(1), at=time.time() + 2)
        assert _post(url, again) == 200
        assert _post(url, again) == 409  # the very same signed delivery again: a replay
        assert _post(url, sequenzy_delivery(_replied(4), ("whsec_someone_else",))) == 401
        assert _post(url, sequenzy_delivery(_replied(5), at=0)) == 401  # stale
        body, headers = sequenzy_delivery(_replied(6))
        assert _post(url, (body.replace(b"p6@", b"p7@"), headers)) == 401  # altered on the way
        assert _post(url, (body, {"content-type": "application/json"})) == 401  # unsigned
        assert _post(url, sequenzy_delivery([1, 2])) == 400  # type: ignore[arg-type]
        assert sorted(listener.stored("sequenzy")) == ["evt_1", "evt_2", "evt_3"]

        url = listener.url + "/webhooks/instantly"
        reply = {"event_type": "reply_received", "timestamp": "2026-12-07T10:00:01.000Z",
                 "workspace": "ws-1", "campaign_id": "c-1", "lead_email": "P1@example.com",
                 "email_account": "me@send.example.com", "step": 1, "variant": 1}  # fmt: skip
        assert _post(url, instantly_delivery(reply)) == 200
        assert _post(url, instantly_delivery(reply | {"lead_email": "p1@example.com"})) == 200
        assert _post(url, instantly_delivery(reply | {"step": 2})) == 200  # another event
        assert _post(url, instantly_delivery(reply, "a-guess")) == 401
        assert len(listener.stored("instantly")) == 2
    counted = counts(listener.pipelines / "listen" / "intake.sqlite")
    assert counted["sequenzy"] == {"stored": 3, "duplicate": 1, "replay": 1, "bad signature": 2,
                                   "stale": 1, "unsigned": 1, "not an event": 1}  # fmt: skip
    assert counted["instantly"] == {"stored": 2, "duplicate": 1, "bad signature": 1}
    log = listener.log.read_text()
    assert all(secret not in log for secret in (*SEQUENZY_SECRETS, INSTANTLY_HEADER))


def test_what_came_in_is_loaded_into_webhook_events_within_seconds_each_event_once(tmp_path):
    with listening(tmp_path) as listener:
        url = listener.url + "/webhooks/sequenzy"
        for n in range(40):
            assert _post(url, sequenzy_delivery(_replied(n), at=time.time() + n % 2)) == 200
        assert _post(url, sequenzy_delivery(_replied(3), at=time.time() + 3)) == 200  # again
        deadline = time.monotonic() + 60
        while listener.unloaded():
            assert time.monotonic() < deadline, "never loaded"
            time.sleep(0.1)
    rows = DuckDBWarehouse(listener.database).rows(
        "select event_key, event_type, email, subscriber_id, payload from sequenzy.webhook_events"
        " order by event_key"
    )
    assert [r[0] for r in rows] == sorted(f"evt_{n}" for n in range(40))
    assert rows[0][1:4] == ("email.replied", "p0@example.com", "sub_0")
    assert json.loads(rows[0][4])["data"]["subscriberId"] == "sub_0"
