"""A stored delivery as a row of `<vendor>.webhook_events`: pure, API JSON in, a row out.

Beside the whole payload (`payload`, JSON), the columns a funnel joins on: who (`email`, and
Sequenzy's `subscriber_id`), in what (`sequence_id`: Sequenzy's sequence, Instantly's
campaign), when it happened (`occurred_at`) and when it came in (`received_at`). A field a
payload lacks is null: the vendors' webhook docs list their fields, not which are always sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _first(payload: dict[str, Any], *names: str) -> str | None:
    data: dict[str, Any] = payload["data"] if isinstance(payload.get("data"), dict) else {}
    for name in names:
        for where in (payload, data):
            found = _text(where.get(name))
            if found:
                return found
    return None


def event_row(vendor: str, key: str, event_type: str | None, received_at: float,
              body: bytes) -> dict[str, Any]:  # fmt: skip
    payload = orjson.loads(body)
    if vendor == "instantly":
        email = _first(payload, "lead_email")
        sequence, subscriber = _first(payload, "campaign_id"), None
        occurred = _first(payload, "timestamp")
    else:
        email = _first(payload, "email", "subscriberEmail")
        sequence, subscriber = _first(payload, "sequenceId"), _first(payload, "subscriberId")
        occurred = _first(payload, "createdAt", "timestamp")
    return {
        "event_key": key, "event_type": event_type,
        "occurred_at": occurred, "received_at": datetime.fromtimestamp(received_at, UTC),
        "email": email.lower() if email else None, "sequence_id": sequence,
        "subscriber_id": subscriber, "payload": payload,
    }  # fmt: skip
