"""Whether a webhook delivery comes from the vendor: pure checks of its headers and raw body.

- **Sequenzy** signs each delivery with HMAC-SHA256 over `v1:{timestamp}:{raw body}` under the
  endpoint's signing secret, the timestamp (unix seconds) in `X-Sequenzy-Timestamp` and the
  signature in `X-Sequenzy-Signature` (the vendor's webhook docs). While a secret is rotated the
  endpoint has several, and "requests are signed once per active secret in the same signature
  header" (the SDK's `webhooks.add_signing_secret`). The docs do not spell the header's list:
  it is read as items split on commas and spaces, each `v1=<hex>` (Slack's form of the same
  scheme), a bare hex digest or its base64; any item matching any configured secret passes.
  A timestamp further than `tolerance` from now is stale: a replayed old delivery.
- **Instantly** signs nothing. A webhook is registered with a header of our own (the API's
  `headers` on `POST /webhooks`), `X-Sequenzy-Funnel-Secret`, whose value is checked here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence

SEQUENZY_TIMESTAMP = "x-sequenzy-timestamp"
SEQUENZY_SIGNATURE = "x-sequenzy-signature"
INSTANTLY_SECRET = "x-sequenzy-funnel-secret"
TOLERANCE_SECONDS = 300.0  # five minutes either way, as the signing schemes of its kind allow


def sequenzy_signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v1=<hex>`: the signature of one delivery under one secret."""
    signed = b"v1:" + timestamp.encode() + b":" + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sequenzy_refusal(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    now: float,
    tolerance: float = TOLERANCE_SECONDS,
) -> str | None:
    """None for a delivery signed by one of `secrets` at a time within `tolerance` of `now`;
    else why it is refused: `unsigned`, `stale` or `bad signature`."""
    timestamp, given = headers.get(SEQUENZY_TIMESTAMP), headers.get(SEQUENZY_SIGNATURE)
    if not timestamp or not given:
        return "unsigned"
    try:
        at = float(timestamp)
    except ValueError:
        return "unsigned"
    if abs(now - at) > tolerance:
        return "stale"
    items = [item.removeprefix("v1=") for item in re.split(r"[,\s]+", given) if item]
    for secret in secrets:
        digest = hmac.new(secret.encode(), b"v1:" + timestamp.encode() + b":" + body,
                          hashlib.sha256).digest()  # fmt: skip
        forms = (digest.hex(), base64.b64encode(digest).decode())
        if any(hmac.compare_digest(item, form) for item in items for form in forms):
            return None
    return "bad signature"


def instantly_refusal(headers: Mapping[str, str], secret: str) -> str | None:
    """None when the delivery carries the header registered with the webhook."""
    given = headers.get(INSTANTLY_SECRET)
    if not given:
        return "unsigned"
    return None if hmac.compare_digest(given, secret) else "bad signature"
