"""The write endpoints the actions drive: cancel enrollments (with the vendor's dry run), enroll
subscribers, and a sequence's disable, enable, pause-enrollments and resume-enrollments.

Cancel follows the vendor's document to the letter (vendor-apis.md §3.4): exactly one target;
a single `subscriberId` cancels at once, while `subscriberIds` (at most 500), `fieldValues` and
`cancelAll` are a dry run unless `dryRun` is false; at most 1,000 enrollments a request, and
`remainingCount` says how many still match, so a client repeats while it is above zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox.common.clock import format_rfc3339
from sandbox.common.errors import ApiError
from sandbox.sequenzy import enrollments as listing
from sandbox.sequenzy.world import CANCELLED, COMPLETES, MINUTE, NEVER, SequenzyWorld

CANCEL_CAP = 1_000
TARGETS = ("subscriberId", "subscriberIds", "fieldValues", "cancelAll")


def _running(world: SequenzyWorld, seq: int, now: int) -> np.ndarray:
    e = world.enrollments
    ks = np.nonzero((e.sequence == seq) & (e.started <= now))[0]
    status = listing.states(world, ks, now)["status"]
    return ks[np.isin(status, (listing.ACTIVE, listing.WAITING))]


def cancel(world: SequenzyWorld, seq: int, now: int, body: dict[str, Any]) -> Any:
    given = [t for t in TARGETS if body.get(t) not in (None, False, [])]
    if len(given) != 1:
        raise ApiError(400, "Provide exactly one of subscriberId, subscriberIds, fieldValues,"
                            " cancelAll")  # fmt: skip
    target = given[0]
    dry = body.get("dryRun", target != "subscriberId")
    e, people = world.enrollments, world.subscribers
    running = _running(world, seq, now)
    ids = (
        {body["subscriberId"]} if target == "subscriberId" else set(body.get("subscriberIds") or [])
    )
    known = {p["id"] for p in people}
    if target in ("subscriberId", "subscriberIds"):
        running = running[[people[int(e.subscriber[k])]["id"] in ids for k in running]]
    elif target == "fieldValues":
        running = running[:0]  # no enrollment here stored entry event properties to match
    chosen = running[:CANCEL_CAP]
    if not dry:
        e.outcome[chosen], e.outcome_at[chosen], e.ends[chosen] = CANCELLED, now, NEVER
    done = 0 if dry else len(chosen)
    rows = [{"tokenId": world.enrollment_id(int(k)),
             "subscriberId": people[int(e.subscriber[k])]["id"],
             "subscriberEmail": people[int(e.subscriber[k])]["email"],
             "status": "active" if dry else "cancelled",
             "enrollmentKey": f"subscriber:{people[int(e.subscriber[k])]['id']}"}
            for k in chosen]  # fmt: skip
    remaining = len(running) - done
    verb = "would be cancelled (dry run)" if dry else "cancelled"
    return {"sequenceId": world.sequences[seq].body["id"], "dryRun": dry,
            "matchedCount": len(running), "cancelledCount": done, "enrollments": rows,
            "hasMore": remaining > 0 if not dry else len(running) > CANCEL_CAP,
            "remainingCount": remaining, "message": f"{len(chosen)} enrollments {verb}",
            "target": {"notFoundSubscriberIds": sorted(ids - known)}}  # fmt: skip


def enroll(world: SequenzyWorld, seq: int, now: int, body: dict[str, Any]) -> Any:
    sequence = world.sequences[seq]
    if not sequence.body["acceptsNewEnrollments"]:
        raise ApiError(409, f"Sequence is not accepting new enrollments"
                            f" ({sequence.body['effectiveStatus']})")  # fmt: skip
    emails = [x.lower() for x in body.get("emails") or []]
    wanted = set(body.get("subscriberIds") or [])
    if len(emails) + len(wanted) > 500:
        raise ApiError(400, "At most 500 emails and subscriberIds together")
    by_email = {p["email"]: k for k, p in enumerate(world.subscribers)}
    found = {by_email[x] for x in emails if x in by_email}
    found |= {k for k, p in enumerate(world.subscribers) if p["id"] in wanted}
    e = world.enrollments
    busy = {int(e.subscriber[k]) for k in _running(world, seq, now)}
    fresh = sorted(k for k in found if k not in busy and world.subscribers[k]["status"] == "active")
    if fresh:
        start = now // 1000 * 1000
        offsets = np.cumsum(sequence.delays_us) + MINUTE
        sends = np.full((len(fresh), e.sends.shape[1]), NEVER, np.int64)
        sends[:, : len(offsets)] = start + offsets
        world.enrollments = type(e)(
            np.concatenate([e.sequence, np.full(len(fresh), seq)]),
            np.concatenate([e.subscriber, np.array(fresh, np.int64)]),
            np.concatenate([e.started, np.full(len(fresh), start)]),
            np.concatenate([e.sends, sends]),
            np.concatenate([e.outcome, np.full(len(fresh), COMPLETES, np.int8)]),
            np.concatenate([e.outcome_at, np.full(len(fresh), NEVER)]),
            np.concatenate([e.ends, np.full(len(fresh), start + offsets[-1] + MINUTE)]),
        )  # fmt: skip
    first = next(n for n in sequence.nodes if n["nodeType"] == "action_email")
    return {"enrolled": len(fresh), "skipped": len(found) - len(fresh),
            "notFound": [x for x in emails if x not in by_email],
            "targetNodeId": body.get("targetNodeId") or first["id"],
            "scheduledFor": format_rfc3339(now + MINUTE)}  # fmt: skip


STATES = {  # action -> (status, enrollmentPaused), when the sequence is not a draft or archived
    "disable": ("paused", False),
    "enable": ("active", False),
    "pause-enrollments": ("active", True),
    "resume-enrollments": ("active", False),
}


def act(world: SequenzyWorld, seq: int, now: int, action: str) -> Any:
    """Set a sequence's run state; doing what is done already changes nothing and answers the
    same (the sandbox's choice: the sources name no conflict for these)."""
    body = world.sequences[seq].body
    if body["status"] in ("draft", "archived"):
        raise ApiError(409, f"Sequence is {body['status']}: {action} does not apply")
    if action in ("pause-enrollments", "resume-enrollments") and body["status"] != "active":
        raise ApiError(409, "Sequence is paused: enable it first")
    status, paused = STATES[action]
    if (body["status"], body["enrollmentPaused"]) != (status, paused):
        effective = "paused" if status == "paused" else ("enrollment_paused" if paused else "live")
        body.update(status=status, enrollmentPaused=paused, effectiveStatus=effective,
                    acceptsNewEnrollments=effective == "live",
                    processesExistingEnrollments=effective != "paused",
                    effectiveStatusSummary=f"The sequence is {effective.replace('_', ' ')}.",
                    pausedAt=format_rfc3339(now) if status == "paused" else None,
                    updatedAt=format_rfc3339(now))  # fmt: skip
    return {"sequence": body}
