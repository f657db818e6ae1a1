"""Instantly's webhooks, as the listener receives and registers them.

Instantly signs nothing (the vendor's webhook docs). A webhook is registered with a header of
ours (`headers` on `POST /webhooks`), `X-Sequence-Funnel-Secret`, whose value each delivery must
carry: the secret is the listener's `listen.instantly.secret`.

Payloads carry no id. An event's key is the documented fields that together name one
occurrence: `event_type`, `timestamp`, `workspace`, `campaign_id`, `lead_email` (lower-cased),
`email_account`, `step`, `variant` and `email_id`, absent ones empty. The vendor's retries send
the same payload, so a retry has the same key; two events differing in any of them are two.

`POST /webhooks {target_hook_url, event_type: all_events, headers}` registers, `GET /webhooks`
lists, `DELETE /webhooks/{id}` removes (the vendor's OpenAPI document).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import orjson

from sources.common.http import ApiClient
from sources.common.instants import server_time
from sources.common.webhooks import Registered, Webhooks, delete_each, text
from sources.instantly.helpers import pages

SECRET_HEADER = "x-sequence-funnel-secret"
HEAL_DAYS = 7  # how far back the log is read for failed deliveries
NAME = "sequence-funnel"
KEY_FIELDS = ("event_type", "timestamp", "workspace", "campaign_id", "lead_email",
              "email_account", "step", "variant", "email_id")  # fmt: skip


def refusal(headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: float,
            tolerance: float) -> str | None:  # fmt: skip
    """None when the delivery carries the header registered with the webhook."""
    given = headers.get(SECRET_HEADER)
    if not given:
        return "unsigned"
    return None if any(hmac.compare_digest(given, s) for s in secrets) else "bad signature"


def key(event: dict[str, Any], body: bytes) -> tuple[str, str | None]:
    parts = ["" if event.get(f) is None else str(event[f]) for f in KEY_FIELDS]
    parts[KEY_FIELDS.index("lead_email")] = parts[KEY_FIELDS.index("lead_email")].strip().lower()
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest(), text(event.get("event_type"))


def columns(event: dict[str, Any]) -> dict[str, Any]:
    email = text(event.get("lead_email"))
    return {"email": email.lower() if email else None,
            "sequence_id": text(event.get("campaign_id")), "subscriber_id": None,
            "occurred_at": text(event.get("timestamp"))}  # fmt: skip


def _ours(client: ApiClient, url: str) -> list[dict[str, Any]]:
    return [h for page, _ in pages(client, "/webhooks") for h in page
            if h.get("target_hook_url") == url]  # fmt: skip


def register(client: ApiClient, url: str, secrets: Sequence[str]) -> Registered:
    """Ours if it is there and carries the secret, else made (one with another secret is
    removed: the listener could not check its deliveries)."""
    for hook in _ours(client, url):
        if (hook.get("headers") or {}).get(SECRET_HEADER) in secrets:
            return Registered(hook["id"], False)
        client.write("DELETE", f"/webhooks/{hook['id']}")
    body = {"target_hook_url": url, "event_type": "all_events", "name": NAME,
            "headers": {SECRET_HEADER: secrets[0]}}  # fmt: skip
    made = client.write("POST", "/webhooks", json=body)
    assert made is not None
    return Registered(made.body["id"], True)


def unregister(client: ApiClient, url: str) -> list[str]:
    return delete_each(client, _ours(client, url))


def heal(client: ApiClient, url: str, store: Callable[[bytes], None]) -> int:
    """Every delivery to `url` the log shows failed in the last 7 days by the API's clock (`GET
    /webhook-events?success=false&search=<url>&from=`), its payload stored from the log: a retry
    that succeeds later is the same event, stored once."""
    now = server_time(client.get("/webhooks", {"limit": 1}).headers, timedelta(0))  # its clock
    since = (now - timedelta(days=HEAL_DAYS)).date().isoformat()
    params = {"success": "false", "search": url, "from": since}
    failed = [e for page, _ in pages(client, "/webhook-events", params) for e in page
              if e.get("webhook_url") == url and isinstance(e.get("payload"), dict)]  # fmt: skip
    for event in failed:
        store(orjson.dumps(event["payload"]))
    return len(failed)


WEBHOOKS = Webhooks(
    secret_setting="listen.instantly.secret", secret_is_list=False, refusal=refusal, key=key,
    replay_key=lambda headers: None, columns=columns, register=register, unregister=unregister,
    heal=heal,
)  # fmt: skip
