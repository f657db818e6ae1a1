"""What a vendor's webhooks are to the listener (pipelines.listen), one `Webhooks` per vendor in
`sources/<vendor>/webhooks.py`: how a delivery is checked, what names its event, the row it
becomes, and how the webhook is registered with the vendor's API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sources.common.http import ApiClient

# (headers, raw body, configured secrets, now in unix seconds, tolerance) -> why refused, or None
Refusal = Callable[[Mapping[str, str], bytes, Sequence[str], float, float], str | None]


@dataclass(frozen=True)
class Registered:
    """What registering did: the webhook's id, whether it was made now, and a secret the vendor
    gave that the listener must keep (Sequenzy shows a signing secret once)."""

    webhook_id: str
    made: bool
    new_secret: str | None = None


@dataclass(frozen=True)
class Webhooks:
    secret_setting: str  # `listen.<vendor>.<name>`: what deliveries are checked with
    secret_is_list: bool  # several at once (a rotation), or one value
    refusal: Refusal
    # (parsed event, raw body) -> (its key: one per event, whatever the delivery; its type)
    key: Callable[[dict[str, Any], bytes], tuple[str, str | None]]
    # headers -> what makes this very delivery unique (its signature), to refuse a copy of it;
    # None for a vendor that signs nothing
    replay_key: Callable[[Mapping[str, str]], str | None]
    # the parsed event -> the columns a funnel joins on (email, sequence_id, subscriber_id,
    # occurred_at)
    columns: Callable[[dict[str, Any]], dict[str, Any]]
    # (client, url to deliver to, its secrets) -> what registering did; looked up first, so a
    # second registration makes nothing
    register: Callable[[ApiClient, str, Sequence[str]], Registered]
    unregister: Callable[[ApiClient, str], list[str]]  # (client, url) -> the ids removed
    # (client, url, store) -> how many deliveries the vendor's log shows failed to `url` were
    # healed: stored through `store(raw body)` from the log (Instantly keeps the payload), or
    # sent again by the vendor (Sequenzy's replay); after the listener was down
    heal: Callable[[ApiClient, str, Callable[[bytes], None]], int]


def text(value: Any) -> str | None:
    """A payload's text field, stripped; None for anything else or an empty one."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def delete_each(client: ApiClient, hooks: list[dict[str, Any]]) -> list[str]:
    """`DELETE /webhooks/{id}` for each webhook (both vendors' path); the ids removed."""
    for hook in hooks:
        client.write("DELETE", f"/webhooks/{hook['id']}")
    return [hook["id"] for hook in hooks]
