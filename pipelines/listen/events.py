"""What identifies a delivered event, per vendor: pure functions of its parsed body.

- Sequenzy's events carry an `id` (a delivery's `event_id` in `webhooks.list_deliveries`): the
  key. One without (none is documented) is keyed by its body's digest.
- Instantly's payloads carry no id (the vendor's webhook docs). The key is the documented
  fields that together name one occurrence: `event_type`, `timestamp`, `workspace`,
  `campaign_id`, `lead_email`, `email_account`, `step`, `variant` and `email_id`, absent ones as
  empty. The vendor's retries send the same payload, so a retry has the same key; two events
  differing in any of them are two events.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

INSTANTLY_KEY_FIELDS = ("event_type", "timestamp", "workspace", "campaign_id", "lead_email",
                        "email_account", "step", "variant", "email_id")  # fmt: skip


class NotAnEvent(ValueError):
    """The body is no JSON object."""


def parsed(body: bytes) -> dict[str, Any]:
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise NotAnEvent("not JSON") from None
    if not isinstance(event, dict):
        raise NotAnEvent("not a JSON object")
    return event


def sequenzy_key(event: dict[str, Any], body: bytes) -> tuple[str, str | None]:
    """(key, event type)."""
    key = event.get("id")
    kind = event.get("type")
    if not isinstance(key, str) or not key:
        key = "sha256:" + hashlib.sha256(body).hexdigest()
    return key, kind if isinstance(kind, str) else None


def instantly_key(event: dict[str, Any]) -> tuple[str, str | None]:
    parts = ["" if event.get(f) is None else str(event[f]) for f in INSTANTLY_KEY_FIELDS]
    if isinstance(event.get("lead_email"), str):
        parts[4] = parts[4].strip().lower()
    key = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    kind = event.get("event_type")
    return key, kind if isinstance(kind, str) else None
