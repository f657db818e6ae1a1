"""Instantly's webhooks (`/webhooks`, `/webhook-events`): subscriptions, deliveries as the
world's events happen, and the delivery log.

Choices where the vendor's documents are silent (sandbox/README.md):
- Payloads carry the documented fields (`timestamp`, `event_type`, `workspace`, `campaign_id`,
  `campaign_name`, `lead_email`, `email_account`, `step` and `variant` 1-based, `email_id`) and
  no id; each webhook's own `headers` are sent with them. Nothing is signed (the vendor signs
  nothing).
- A failed delivery (no 2xx within 10 s) is retried 30 s, 2 min and 10 min later on the
  sandbox's clock; a webhook whose deliveries failed, retries spent, five times in a row is
  disabled (`status` -1, `timestamp_error`) until `POST /webhooks/{id}/resume`.
- `GET /webhook-events` lists every attempt (newest first), a retry's with the first attempt's
  `retry_group_id`, its `payload` in full: the log a receiver heals a gap from.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from sandbox.common.clock import VirtualClock, format_rfc3339
from sandbox.common.errors import ApiError
from sandbox.common.ids import uuid7
from sandbox.common.webhooks import Attempt, Dispatcher
from sandbox.instantly import activity as ev

BACKOFF_S = (30.0, 120.0, 600.0)
TIMEOUT_S = 10.0
DISABLE_AFTER = 5


@dataclass
class InstantlyHooks:
    organization: str
    clock: VirtualClock
    lock: threading.RLock
    webhooks: list[dict[str, Any]] = field(default_factory=list)  # in id order
    log: list[dict[str, Any]] = field(default_factory=list)  # attempts, oldest first
    failed_in_a_row: dict[str, int] = field(default_factory=dict)
    made: int = 0
    dispatcher: Dispatcher = field(init=False)

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(self.clock, BACKOFF_S, TIMEOUT_S)

    def _id(self) -> str:
        """Time-ordered (UUIDv7): listed by id, in the order made."""
        self.made += 1
        return uuid7(self.clock.now_us() // 1000, self.made, 0x5EB)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        hook = {"id": self._id(), "organization": self.organization,
                "campaign": body.get("campaign"), "name": body.get("name"),
                "target_hook_url": body["target_hook_url"],
                "event_type": body.get("event_type", "all_events"),
                "custom_interest_value": body.get("custom_interest_value"),
                "headers": body.get("headers"),
                "timestamp_created": format_rfc3339(self.clock.now_us()), "status": 1,
                "timestamp_error": None}  # fmt: skip
        self.webhooks.append(hook)
        return hook

    def get(self, hook_id: str) -> dict[str, Any]:
        found = next((h for h in self.webhooks if h["id"] == hook_id.lower()), None)
        if found is None:
            raise ApiError(404, "Webhook not found")
        return found

    def delete(self, hook_id: str) -> dict[str, Any]:
        hook = self.get(hook_id)
        self.webhooks.remove(hook)
        return hook

    def resume(self, hook_id: str) -> dict[str, Any]:
        hook = self.get(hook_id)
        hook["status"], hook["timestamp_error"] = 1, None
        self.failed_in_a_row[hook["id"]] = 0
        return hook

    def listing(self, campaign: str | None, event_type: str | None) -> list[dict[str, Any]]:
        return [h for h in self.webhooks if (campaign is None or h["campaign"] == campaign)
                and (event_type is None or h["event_type"] == event_type)]  # fmt: skip

    def events(self, success: bool | None, start: str | None, end: str | None,
               search: str | None) -> list[dict[str, Any]]:  # fmt: skip
        """The delivery log, newest first, within the inclusive dates."""
        rows = [e for e in reversed(self.log)
                if (success is None or e["success"] == success)
                and (start is None or e["timestamp_created_date"] >= start)
                and (end is None or e["timestamp_created_date"] <= end)
                and (search is None or search in (e["webhook_url"], e["lead_email"]))]  # fmt: skip
        return rows

    def emit(self, payload: dict[str, Any]) -> int:
        """Deliver one event to every active webhook it matches; returns how many."""
        body = orjson.dumps(payload)
        sent = 0
        for hook in self.webhooks:
            wanted = hook["event_type"] in ("all_events", payload["event_type"])
            campaign = hook["campaign"] in (None, payload.get("campaign_id"))
            if hook["status"] != 1 or not wanted or not campaign:
                continue
            headers = {"content-type": "application/json", **(hook["headers"] or {})}
            attempt = Attempt(self._id(), hook["target_hook_url"], body,
                              lambda h=headers: dict(h), self._done,  # type: ignore[misc]
                              state={"hook": hook["id"], "payload": payload})  # fmt: skip
            self.dispatcher.send(attempt)
            sent += 1
        return sent

    def _done(self, attempt: Attempt, status: int | None, error: str | None,
              retry: int | None) -> None:  # fmt: skip
        with self.lock:
            now = self.clock.now_us()
            hook = next((h for h in self.webhooks if h["id"] == attempt.state["hook"]), None)
            self.log.append({
                "id": self._id(), "timestamp_created": format_rfc3339(now),
                "timestamp_created_date": format_rfc3339(now)[:10],
                "organization_id": self.organization, "payload": attempt.state["payload"],
                "success": error is None, "retry_count": attempt.attempts - 1,
                "will_retry": retry is not None, "webhook_url": attempt.url,
                "status_code": status, "error_message": error,
                "timestamp_next_retry": None if retry is None else format_rfc3339(retry),
                "retry_group_id": attempt.delivery_id,
                "retry_successful": (error is None) if attempt.attempts > 1 else None,
                "lead_email": attempt.state["payload"].get("lead_email"),
                "response_time_ms": None,
            })  # fmt: skip
            if hook is None:
                return
            if error is None:
                self.failed_in_a_row[hook["id"]] = 0
            elif retry is None:  # retries spent
                failed = self.failed_in_a_row.get(hook["id"], 0) + 1
                self.failed_in_a_row[hook["id"]] = failed
                if failed >= DISABLE_AFTER:
                    hook["status"], hook["timestamp_error"] = -1, format_rfc3339(now)


# The world's events a webhook is sent for, by the vendor's event names (its webhook docs)
EVENT_TYPES = {ev.SEND: "email_sent", ev.OPEN: "email_opened", ev.CLICK: "email_link_clicked",
               ev.REPLY: "reply_received", ev.AUTO_REPLY: "auto_reply_received",
               ev.BOUNCE: "email_bounced", ev.UNSUBSCRIBE: "lead_unsubscribed"}  # fmt: skip
INTEREST_TYPES = {0: "lead_out_of_office", 1: "lead_interested", 2: "lead_meeting_booked",
                  3: "lead_meeting_completed", 4: "lead_closed", -1: "lead_not_interested",
                  -2: "lead_wrong_person", -4: "lead_no_show"}  # fmt: skip


def happened(world: Any, before: int, after: int) -> list[dict[str, Any]]:
    """The payloads of the world's events in (before, after], in time order: what a workspace
    sends webhooks for while its clock moves from `before` to `after`."""
    log, leads = world.log, world.leads
    picked = np.nonzero((log.time > before) & (log.time <= after))[0]
    picked = picked[leads.unheld(log.lead[picked], log.time[picked])]
    payloads = []
    for e in picked[np.argsort(log.time[picked], kind="stable")].tolist():
        kind, k = int(log.kind[e]), int(log.lead[e])
        name = (INTEREST_TYPES.get(int(log.value[e])) if kind == ev.INTEREST
                else EVENT_TYPES.get(kind))  # fmt: skip
        email = leads.person(k)["email"]
        if name is None or not email or leads.campaign[k] < 0:
            continue
        campaign = world.campaigns[int(leads.campaign[k])]
        senders = campaign["email_list"] or ["outbound@send0.example.com"]
        step = int(log.step[e])
        payloads.append({
            "timestamp": format_rfc3339(int(log.time[e])), "event_type": name,
            "workspace": world.organization, "campaign_id": campaign["id"],
            "campaign_name": campaign["name"], "lead_email": email,
            "email_account": senders[k % len(senders)],
            **({"step": step + 1, "variant": int(log.variant[e]) + 1} if step >= 0 else {}),
        })  # fmt: skip
    return payloads
