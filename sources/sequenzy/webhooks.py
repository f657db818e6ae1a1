"""Sequenzy's outbound webhooks, as the listener receives and registers them.

Deliveries are signed with HMAC-SHA256 over `v1:{timestamp}:{raw body}` under the endpoint's
signing secret, the timestamp (unix seconds) in `X-Sequenzy-Timestamp` and the signature in
`X-Sequenzy-Signature` (the vendor's webhook docs). While a secret is rotated the endpoint has
several, and "requests are signed once per active secret in the same signature header" (the
SDK's `webhooks.add_signing_secret`). The docs do not spell the header's list: it is read as
items split on commas and spaces, each `v1=<hex>` (Slack's form of the same scheme), a bare hex
digest or its base64; an item matching any configured secret passes. A timestamp further than
the tolerance from now is stale: an old delivery replayed. Each attempt is signed anew (a retry
days later must pass a receiver's tolerance), so a signature seen twice is a copy.

An event's key is its `id` (a delivery's `event_id` in `webhooks.list_deliveries`).

`POST /webhooks {name, url, events}` registers (the SDK's `webhooks.create`); the signing
secret is in that answer only. `GET /webhooks` lists them, `DELETE /webhooks/{id}` removes one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sources.common.http import ApiClient
from sources.common.webhooks import Registered, Webhooks, delete_each, text

TIMESTAMP, SIGNATURE = "x-sequenzy-timestamp", "x-sequenzy-signature"
NAME = "sequence-funnel"
# what the funnel reads: replies (which Sequenzy's event stream does not carry), bounces,
# unsubscribes, and a sequence's end for a person
EVENTS = ("email.sent", "email.delivered", "email.bounced", "email.complained", "email.opened",
          "email.clicked", "email.replied", "email.unsubscribed", "subscriber.unsubscribed",
          "sequence.finished", "sequence.failed")  # fmt: skip


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v1=<hex>`: one delivery's signature under one secret."""
    signed = b"v1:" + timestamp.encode() + b":" + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def refusal(headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: float,
            tolerance: float) -> str | None:  # fmt: skip
    """None for a delivery signed by one of `secrets` within `tolerance` of `now`; else why not:
    `unsigned`, `stale` or `bad signature`."""
    timestamp, given = headers.get(TIMESTAMP), headers.get(SIGNATURE)
    if not timestamp or not given:
        return "unsigned"
    try:
        at = float(timestamp)
    except ValueError:
        return "unsigned"
    if abs(now - at) > tolerance:
        return "stale"
    items = [item.removeprefix("v1=") for item in re.split(r"[,\s]+", given) if item]
    signed = b"v1:" + timestamp.encode() + b":" + body
    for secret in secrets:
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
        forms = (digest.hex(), base64.b64encode(digest).decode())
        if any(hmac.compare_digest(item, form) for item in items for form in forms):
            return None
    return "bad signature"


def key(event: dict[str, Any], body: bytes) -> tuple[str, str | None]:
    """Its `id`; one without (none is documented) by its body's digest."""
    found = text(event.get("id")) or "sha256:" + hashlib.sha256(body).hexdigest()
    return found, text(event.get("type"))


def _field(event: dict[str, Any], *names: str) -> str | None:
    data = event["data"] if isinstance(event.get("data"), dict) else {}
    return next((v for n in names for v in (text(event.get(n)), text(data.get(n))) if v), None)


def columns(event: dict[str, Any]) -> dict[str, Any]:
    email = _field(event, "email", "subscriberEmail")
    return {"email": email.lower() if email else None, "sequence_id": _field(event, "sequenceId"),
            "subscriber_id": _field(event, "subscriberId"),
            "occurred_at": _field(event, "createdAt", "timestamp")}  # fmt: skip


def _ours(client: ApiClient, url: str) -> list[dict[str, Any]]:
    listed = client.get("/webhooks", collection=True).body
    hooks = listed.get("webhooks", []) if isinstance(listed, dict) else []
    return [h for h in hooks if h.get("url") == url]


def register(client: ApiClient, url: str, secrets: Sequence[str]) -> Registered:
    """Ours if it is there (with a new signing secret when none is kept here), else made."""
    found = _ours(client, url)
    if found and secrets:
        return Registered(found[0]["id"], False)
    if found:
        made = client.write("POST", f"/webhooks/{found[0]['id']}/secrets")
        assert made is not None
        return Registered(found[0]["id"], False, _secret(made.body))
    made = client.write("POST", "/webhooks", json={"name": NAME, "url": url,
                                                   "events": list(EVENTS)})  # fmt: skip
    assert made is not None
    return Registered(made.body["webhook"]["id"], True, _secret(made.body))


def _secret(body: dict[str, Any]) -> str | None:
    """The signing secret an answer shows once (`{success, webhook: {signingSecret}}`)."""
    return text((body.get("webhook") or {}).get("signingSecret"))


def unregister(client: ApiClient, url: str) -> list[str]:
    return delete_each(client, _ours(client, url))


def heal(client: ApiClient, url: str, store: Callable[[bytes], None]) -> int:
    """Every recent delivery to `url` not acknowledged (`webhooks.list_deliveries`: failed, or
    pending after a failed attempt) replayed (`replay_delivery`): Sequenzy sends it again,
    signed, and the listener stores it once. The log shows the latest 100 deliveries (the SDK
    takes only a `limit`); what a longer downtime missed comes with Sequenzy's own retries,
    over 7 days."""
    healed = 0
    for hook in _ours(client, url):
        listed = client.get(f"/webhooks/{hook['id']}/deliveries", {"limit": 100}).body
        for delivery in listed.get("deliveries") or []:
            failed = delivery.get("status") == "failed" or (
                delivery.get("status") == "pending" and delivery.get("lastError")
            )
            if failed:
                client.write("POST", f"/webhooks/{hook['id']}/deliveries/{delivery['id']}/replay")
                healed += 1
    return healed


WEBHOOKS = Webhooks(
    secret_setting="listen.sequenzy.signing_secrets", secret_is_list=True, refusal=refusal,
    key=key, replay_key=lambda headers: headers.get(SIGNATURE), columns=columns,
    register=register, unregister=unregister, heal=heal,
)  # fmt: skip
