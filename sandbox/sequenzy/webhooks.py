"""Sequenzy's outbound webhooks (the SDK's `webhooks` client): endpoints, their signing secrets,
deliveries of the world's events as they happen, and the delivery log with replay.

Choices where the vendor's documents are silent (sandbox/README.md):
- A payload is `{id, type, createdAt, data}`; `data` names the subscriber (`subscriberId`,
  `email`), the sequence (`sequenceId`), its email step (`nodeId`) and the send
  (`emailSendId`). An event of the event stream keeps its id there; a reply, which the stream
  never lists, has an id of its own.
- Each attempt is signed anew, with the time it is made: `X-Sequenzy-Timestamp` (unix seconds)
  and `X-Sequenzy-Signature`, `v1=<hex>` per active secret, space-separated.
- An answer other than 2xx within 4 s is a failure; it is retried 30 s, 2 min, 10 min, 1 h,
  6 h, 24 h, 72 h and 72 h later on the sandbox's clock (7 days in all), then the delivery is
  `failed`. An endpoint whose every delivery failed for 7 days is disabled (`autoDisabledAt`).
- `duplicate_share` of the deliveries are sent twice (the same event, two deliveries), as an
  at-least-once sender does.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from sandbox.common.clock import US, VirtualClock, format_rfc3339
from sandbox.common.errors import ApiError
from sandbox.common.ids import uuid7
from sandbox.common.webhooks import Attempt, Dispatcher
from sandbox.sequenzy import events

BACKOFF_S = (30.0, 120.0, 600.0, 3_600.0, 21_600.0, 86_400.0, 259_200.0, 259_200.0)
TIMEOUT_S = 4.0
DISABLE_AFTER_US = 7 * 86_400 * US
TYPES = {"send": "email.sent", "delivery": "email.delivered", "bounce": "email.bounced",
         "complaint": "email.complained", "open": "email.opened", "click": "email.clicked",
         "unsubscribe": "email.unsubscribed", "reply": "email.replied"}  # fmt: skip
DEFAULT_EVENTS = (
    "email.sent",
    "email.delivered",
    "email.delivery_delayed",
    "email.bounced",
    "email.failed",
    "email.complained",
    "email.unsubscribed",
    "sms.sent",
    "sms.delivered",
    "sms.failed",
    "sms.opted_out",
    "subscriber.invalid",
    "subscriber.created",
    "subscriber.unsubscribed",
)  # the SDK's defaults


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), b"v1:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


@dataclass
class SequenzyHooks:
    company: str
    clock: VirtualClock
    lock: threading.RLock
    duplicate_share: float = 0.0
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # endpoint -> secrets
    deliveries: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    bodies: dict[str, bytes] = field(default_factory=dict)  # delivery -> what it sends
    failing_since: dict[str, int] = field(default_factory=dict)  # endpoint -> µs
    made: int = 0
    dispatcher: Dispatcher = field(init=False)

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(self.clock, BACKOFF_S, TIMEOUT_S)
        self._rng = random.Random(7)

    def _id(self, prefix: str) -> str:
        self.made += 1
        return f"{prefix}_{uuid7(self.clock.now_us() // 1000, self.made, 0x5E9).replace('-', '')}"

    def _shown(self, endpoint: dict[str, Any], secret: str | None = None) -> dict[str, Any]:
        shown = [{"id": k["id"], "prefix": k["secret"][:10], "createdAt": k["createdAt"]}
                 for k in self.keys[endpoint["id"]]]  # fmt: skip
        return {
            **endpoint,
            "signingSecrets": shown,
            **({"signingSecret": secret} if secret else {}),
        }

    def _secret(self, endpoint_id: str) -> str:
        secret = "whsec_" + secrets.token_hex(16)
        self.keys.setdefault(endpoint_id, []).append(
            {
                "id": self._id("whsk"),
                "secret": secret,
                "createdAt": format_rfc3339(self.clock.now_us()),
            }
        )
        return secret

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        now = format_rfc3339(self.clock.now_us())
        endpoint = {"id": self._id("wh"), "name": body["name"], "url": body["url"],
                    "events": list(body.get("events") or DEFAULT_EVENTS), "status": "enabled",
                    "createdAt": now, "updatedAt": now, "consecutiveFailures": 0,
                    "failingSince": None, "lastSuccessAt": None, "lastFailureAt": None,
                    "autoDisabledAt": None, "circuitOpenedAt": None,
                    "circuitOpenUntil": None}  # fmt: skip
        self.endpoints.append(endpoint)
        return {"webhook": self._shown(endpoint, self._secret(endpoint["id"]))}

    def get(self, endpoint_id: str) -> dict[str, Any]:
        found = next((e for e in self.endpoints if e["id"] == endpoint_id), None)
        if found is None:
            raise ApiError(404, "Webhook not found")
        return found

    def listing(self) -> dict[str, Any]:
        return {"webhooks": [self._shown(e) for e in self.endpoints]}

    def delete(self, endpoint_id: str) -> dict[str, Any]:
        endpoint = self.get(endpoint_id)
        self.endpoints.remove(endpoint)
        return {"webhook": self._shown(endpoint)}

    def add_secret(self, endpoint_id: str) -> dict[str, Any]:
        endpoint = self.get(endpoint_id)
        return {"webhook": self._shown(endpoint, self._secret(endpoint_id))}

    def remove_secret(self, endpoint_id: str, secret_id: str) -> dict[str, Any]:
        endpoint = self.get(endpoint_id)
        kept = [k for k in self.keys[endpoint_id] if k["id"] != secret_id]
        if len(kept) == len(self.keys[endpoint_id]):
            raise ApiError(404, "Signing secret not found")
        if not kept:
            raise ApiError(400, "A webhook must keep at least one signing secret")
        self.keys[endpoint_id] = kept
        return {"webhook": self._shown(endpoint)}

    def list_deliveries(self, endpoint_id: str, limit: int) -> dict[str, Any]:
        self.get(endpoint_id)
        mine = [d for d in reversed(self.deliveries) if d["endpointId"] == endpoint_id]
        return {"deliveries": [{k: v for k, v in d.items() if k != "endpointId"}
                               for d in mine[:limit]]}  # fmt: skip

    def replay(self, endpoint_id: str, delivery_id: str) -> dict[str, Any]:
        endpoint = self.get(endpoint_id)
        found = next((d for d in self.deliveries if d["id"] == delivery_id
                      and d["endpointId"] == endpoint_id), None)  # fmt: skip
        if found is None:
            raise ApiError(404, "Delivery not found")
        endpoint["consecutiveFailures"], endpoint["failingSince"] = 0, None
        found["status"], found["queuedAt"] = "pending", format_rfc3339(self.clock.now_us())
        self._send(endpoint, found)
        return {"delivery": {k: v for k, v in found.items() if k != "endpointId"}}

    def emit(self, payload: dict[str, Any]) -> int:
        """Deliver one event to every enabled endpoint subscribed to its type."""
        body, sent = orjson.dumps(payload), 0
        for endpoint in self.endpoints:
            if endpoint["status"] != "enabled" or payload["type"] not in endpoint["events"]:
                continue
            copies = 2 if self._rng.random() < self.duplicate_share else 1
            for _ in range(copies):
                now = format_rfc3339(self.clock.now_us())
                delivery = {"id": self._id("whd"), "endpointId": endpoint["id"],
                            "eventId": payload["id"], "eventType": payload["type"],
                            "status": "pending", "attempts": 0, "createdAt": now,
                            "queuedAt": now, "updatedAt": now, "lastAttemptAt": None,
                            "nextAttemptAt": now, "lastStatusCode": None, "lastError": None,
                            "lastResponseBody": None}  # fmt: skip
                self.deliveries.append(delivery)
                self.bodies[delivery["id"]] = body
                self._send(endpoint, delivery)
                sent += 1
        return sent

    def _send(self, endpoint: dict[str, Any], delivery: dict[str, Any]) -> None:
        body, endpoint_id = self.bodies[delivery["id"]], endpoint["id"]

        def headers() -> dict[str, str]:
            stamp = str(int(time.time()))
            with self.lock:
                signed = " ".join(sign(k["secret"], stamp, body) for k in self.keys[endpoint_id])
            return {"content-type": "application/json", "x-sequenzy-timestamp": stamp,
                    "x-sequenzy-signature": signed}  # fmt: skip

        attempt = Attempt(delivery["id"], endpoint["url"], body, headers, self._done,
                          state={"delivery": delivery, "endpoint": endpoint})  # fmt: skip
        self.dispatcher.send(attempt)

    def _done(self, attempt: Attempt, status: int | None, error: str | None,
              retry: int | None) -> None:  # fmt: skip
        with self.lock:
            now_us = self.clock.now_us()
            now = format_rfc3339(now_us)
            delivery, endpoint = attempt.state["delivery"], attempt.state["endpoint"]
            delivery.update({"attempts": delivery["attempts"] + 1, "lastAttemptAt": now,
                             "updatedAt": now, "lastStatusCode": status, "lastError": error,
                             "nextAttemptAt": None if retry is None else format_rfc3339(retry),
                             "status": "succeeded" if error is None
                             else "pending" if retry is not None else "failed"})  # fmt: skip
            if error is None:
                endpoint.update({"consecutiveFailures": 0, "failingSince": None,
                                 "lastSuccessAt": now})  # fmt: skip
                return
            endpoint["consecutiveFailures"] += 1
            endpoint["lastFailureAt"] = now
            if endpoint["failingSince"] is None:
                endpoint["failingSince"] = now
                self.failing_since[endpoint["id"]] = now_us
            since = self.failing_since.get(endpoint["id"], now_us)
            if now_us - since >= DISABLE_AFTER_US and endpoint["status"] == "enabled":
                endpoint.update({"status": "disabled", "autoDisabledAt": now})


def happened(world: Any, before: int, after: int) -> list[dict[str, Any]]:
    """The payloads of the world's email events in (before, after], in time order."""
    out = []
    for seq, sequence in enumerate(world.sequences):
        found = events.sequence_events(world, seq, after)
        found = events.where(found, found.at > before)
        names = events.TYPES + events.UNLISTED
        for i in np.argsort(found.at, kind="stable").tolist():
            kind = TYPES.get(names[int(found.kind[i])])
            if kind is None:
                continue
            k, j = int(found.enrollment[i]), int(found.email[i])
            person = world.subscribers[int(world.enrollments.subscriber[k])]
            email = sequence.emails[j]
            out.append({
                "id": world.ids["email"].make((k * 8 + j) * 16 + int(found.kind[i])),
                "type": kind, "createdAt": format_rfc3339(int(found.at[i])),
                "data": {"subscriberId": person["id"], "email": person["email"],
                         "sequenceId": sequence.body["id"], "nodeId": email["nodeId"],
                         "emailSendId": world.ids["email"].make((k * 8 + j) * 16 + 15)},
            })  # fmt: skip
    out.sort(key=lambda p: p["createdAt"])
    return out


def _on(method: str, *params: str, body: bool = False, limit: bool = False) -> Any:
    """A handler calling the company's hooks' `method` with the path's `params`."""

    def handler(world: Any, now: int, request: Any) -> Any:
        args: list[Any] = [request.path_params[p] for p in params]
        if body:
            args.append(request.state.body)
        if limit:
            args.append(min(int(request.query_params.get("limit") or 50), 100))
        return getattr(world.hooks, method)(*args)

    return handler


# (method, path) -> (scope, handler): the SDK's `webhooks` client, its scopes the sandbox's own
# choice (the vendor's docs name none)
SERVED: dict[tuple[str, str], tuple[str, Any]] = {
    ("get", "/webhooks"): ("webhooks:read", _on("listing")),
    ("post", "/webhooks"): ("webhooks:write", _on("create", body=True)),
    ("delete", "/webhooks/{id}"): ("webhooks:write", _on("delete", "id")),
    ("post", "/webhooks/{id}/secrets"): ("webhooks:write", _on("add_secret", "id")),
    ("delete", "/webhooks/{id}/secrets/{secretId}"): ("webhooks:write",
                                                      _on("remove_secret", "id", "secretId")),
    ("get", "/webhooks/{id}/deliveries"): ("webhooks:read",
                                          _on("list_deliveries", "id", limit=True)),
    ("post", "/webhooks/{id}/deliveries/{deliveryId}/replay"): ("webhooks:write",
                                                                _on("replay", "id", "deliveryId")),
}  # fmt: skip
