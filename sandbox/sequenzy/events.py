"""Email events of a sequence, derived from its enrollments' sends, and the metrics over them.

Every email an enrollment sent by time T gives a `send` event, then a `delivery` two seconds
later unless it bounces (3 %), and for some deliveries an `open`, a `click` after it, rarely an
`unsubscribe` or a `complaint`. Which ones happen, and when, is a hash of (enrollment, email), so
the events are the same on every read and agree with the enrollments they come from. Some
deliveries are replied to (4 %) and some replies convert (a quarter): the vendor counts replies
and conversions in its metrics but has no such event types, so these are never listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sandbox.common.clock import format_rfc3339
from sandbox.sequenzy.world import MINUTE, SequenzyWorld

TYPES = ("send", "delivery", "bounce", "complaint", "open", "click", "unsubscribe",
         "delivery_delay", "transport_failure")  # fmt: skip
UNLISTED = ("reply", "conversion")  # counted in the metrics, never in the event stream
DEFAULT_TYPES = ("delivery",)  # the vendor's default: only deliveries unless asked
MASK = (1 << 64) - 1


def _hash(values: np.ndarray, salt: int) -> np.ndarray:
    """Uniform floats in [0, 1) from integers (SplitMix64), vectorised."""
    x = (values.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(salt)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


@dataclass
class Events:
    kind: np.ndarray  # index into TYPES + UNLISTED
    at: np.ndarray  # int64 µs
    enrollment: np.ndarray  # int64 position
    email: np.ndarray  # int64 email index in its sequence
    sent: np.ndarray  # int64 µs: when the email the event belongs to was sent


def sequence_events(world: SequenzyWorld, seq: int, now: int) -> Events:
    """Every event of the sequence's sends up to `now`, oldest first."""
    e = world.enrollments
    ks = np.nonzero((e.sequence == seq) & (e.started <= now))[0]
    stop = np.minimum(np.minimum(now, e.outcome_at[ks]), e.paused_at[ks])
    sends = e.sends[ks]
    sent = sends <= stop[:, None]
    rows, cols = np.nonzero(sent)
    k, j, t = ks[rows], cols.astype(np.int64), sends[rows, cols]
    key = k * 8 + j
    parts = [(0, t)]
    bounced = _hash(key, 1) < 0.03
    parts.append((2, np.where(bounced, t + 5_000_000, -1)))
    delivered = np.where(bounced, -1, t + 2_000_000)
    parts.append((1, delivered))
    opens = ~bounced & (_hash(key, 2) < 0.45)
    opened_at = t + (MINUTE + (_hash(key, 3) * 2 * 86_400e6).astype(np.int64)) // 1000 * 1000
    parts.append((4, np.where(opens, opened_at, -1)))
    parts.append((5, np.where(opens & (_hash(key, 4) < 0.25), opened_at + 30_000_000, -1)))
    parts.append((6, np.where(opens & (_hash(key, 5) < 0.02), opened_at + 60_000_000, -1)))
    parts.append((3, np.where(~bounced & (_hash(key, 6) < 0.002), t + 3_600_000_000, -1)))
    replied = ~bounced & (_hash(key, 7) < 0.04)
    replied_at = t + (3_600e6 + _hash(key, 8) * 86_400e6).astype(np.int64) // 1000 * 1000
    parts.append((9, np.where(replied, replied_at, -1)))
    parts.append((10, np.where(replied & (_hash(key, 9) < 0.25), replied_at + 86_400_000_000, -1)))
    columns: list[list[np.ndarray]] = [[], [], [], [], []]
    for kind, when in parts:
        real = (when >= 0) & (when <= now)
        for column, values in zip(columns, (np.full(int(real.sum()), kind, np.int64), when[real],
                                            k[real], j[real], t[real]), strict=True):  # fmt: skip
            column.append(values)
    kind_, at, enrollment, email, sent = (np.concatenate(c) for c in columns)
    order = np.lexsort((kind_, email, enrollment, at))
    return Events(kind_[order], at[order], enrollment[order], email[order], sent[order])


@dataclass(frozen=True)
class Truth:
    """An event as the API lists it, with what it belongs to."""

    sequence_id: str
    enrollment_id: str
    event: dict[str, Any]


def listed(events: Events) -> Events:
    """Only the kinds the event stream lists."""
    return where(events, events.kind < len(TYPES))


def where(events: Events, mask: np.ndarray) -> Events:
    return Events(events.kind[mask], events.at[mask], events.enrollment[mask], events.email[mask],
                  events.sent[mask])  # fmt: skip


def render(world: SequenzyWorld, seq: int, events: Events, i: int) -> dict[str, Any]:
    k, j, kind = int(events.enrollment[i]), int(events.email[i]), int(events.kind[i])
    sequence = world.sequences[seq]
    email = sequence.emails[j]
    person = world.subscribers[int(world.enrollments.subscriber[k])]
    send_id = world.ids["email"].make((k * 8 + j) * 16 + 15)
    name = TYPES[kind]
    return {  # the SDK's EmailEvent: no sequence or enrollment id, the node as `campaignId`
        "id": world.ids["email"].make((k * 8 + j) * 16 + kind), "eventType": name,
        "eventTime": format_rfc3339(int(events.at[i])), "email": person["email"],
        "subscriberId": person["id"], "companyId": world.company, "campaignId": email["nodeId"],
        "emailType": "sequence", "emailName": email["name"], "emailSendId": send_id,
        "abTestId": None, "abTestVariantId": None,
        "bounceType": "Permanent" if name == "bounce" else None,
        "bounceSubType": "General" if name == "bounce" else None,
        "complaintType": "abuse" if name == "complaint" else None,
        "clickedUrl": "https://acme.example.com/pricing" if name == "click" else None,
        "outcome": "bounced" if name == "bounce" else None,
        "reason": "550 5.1.1 The email account does not exist" if name == "bounce" else None,
        "metadata": None, "transactionalEmailId": None,
    }  # fmt: skip


def stats(events: Events) -> dict[str, Any]:
    """EngagementStats of a selection of events (unique by send: one event per kind a send)."""
    counts = {name: int((events.kind == k).sum()) for k, name in enumerate(TYPES + UNLISTED)}
    sent, delivered = counts["send"], min(counts["delivery"], counts["send"])
    base = delivered or sent

    def rate(n: int, of: int) -> float:
        return round(100.0 * n / of, 2) if of else 0.0

    return {
        "sent": sent, "delivered": delivered, "deliveryRate": rate(delivered, sent),
        "bounced": counts["bounce"], "bounceRate": rate(counts["bounce"], sent),
        "opened": counts["open"], "openRate": rate(counts["open"], base),
        "clicked": counts["click"], "clickRate": rate(counts["click"], base),
        "unsubscribed": counts["unsubscribe"], "unsubscribeRate": rate(counts["unsubscribe"], base),
        "replies": counts["reply"], "replyRate": rate(counts["reply"], base),
        "conversions": counts["conversion"], "revenueCents": 4_900 * counts["conversion"],
        "rateDenominator": base,
        "rateDenominatorBasis": "delivered" if delivered else "sent",
    }  # fmt: skip
