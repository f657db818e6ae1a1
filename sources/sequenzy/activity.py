"""Which sequences may have changed since their last read, told by one request for all of them.

Sequenzy has no updated-since filter on a sequence's enrollments or its event stream, so
finding a change means reading each sequence's live tail and events: two requests a sequence,
from a key that has 100 a minute (docs/vendors/sequenzy.md). `GET /metrics/emails` (the SDK's
`list_email_metrics`) counts every sequence email step's sends, deliveries, bounces, opens,
clicks, unsubscribes and replies in one answer: "cross-sequence questions ... are one request
instead of one per sequence", and its counts "match the steps array of the sequence metrics
endpoint". A sequence's activity is a digest of those counts and of its row in the listing
(status, `updatedAt`, a graph edit); a run reads a sequence whose activity moved since its
last complete read, and skips one whose activity stands.

The counts cannot show every change. Unseen by them: an enrollment entering at a delay, a
token moving between delays, finishing after a final delay, or paused, moved or cancelled by
hand; an open or a click of a send that already had one, a delivery delay, a transport
failure. So a quiet sequence is still read every `quiet_refresh_minutes` (15; 0 reads every
sequence every run). Skipping never loses a row: a skipped read leaves its marks (the settled
enrollments, the events' mark) where they were, and the next read starts from them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import orjson

ACTIVITY = "activity"  # the digest a sequence's last complete read saw
READ_AT = "read_at"  # when that read completed


def digests(
    sequences: Sequence[dict[str, Any]], emails: Sequence[dict[str, Any]] | None
) -> dict[str, str] | None:
    """Each listed sequence's activity: a digest of its listing row and its email steps' counts
    (None throughout when the counts could not be read whole)."""
    if emails is None:
        return None
    steps: dict[str, list[Any]] = {s["id"]: [] for s in sequences}
    for row in emails:
        found = steps.get(row.get("sequenceId"))  # type: ignore[arg-type]
        if found is not None:
            found.append([row.get("automationNodeId"), row.get("emailId"), row.get("stats")])
    out = {}
    for summary in sequences:
        rows = sorted(steps[summary["id"]], key=lambda r: (str(r[0]), str(r[1])))
        seen = orjson.dumps([summary, rows], option=orjson.OPT_SORT_KEYS)
        out[summary["id"]] = hashlib.sha256(seen).hexdigest()[:32]
    return out


def whole(emails: Sequence[dict[str, Any]], total: Any) -> bool:
    """Whether pages of counts hold each email step once and all `total` of them: counts that
    move while the pages are read may reorder them, and a step read twice or not at all would
    make a digest wrong."""
    keys = {(r.get("sequenceId"), r.get("automationNodeId"), r.get("emailId")) for r in emails}
    return len(keys) == len(emails) == total
