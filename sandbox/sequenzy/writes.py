"""The write endpoints the actions drive: cancel enrollments (with the vendor's dry run), enroll
subscribers, pause and resume contacts' enrollments, and a sequence's disable, enable,
pause-enrollments and resume-enrollments (answered flat, as the SDK's SequenceActionResponse).

Cancel follows the vendor's document to the letter (docs/vendors/sequenzy.md, Enrollments): exactly
one target; a single `subscriberId` cancels at once, while `subscriberIds` (at most 500),
`fieldValues` and `cancelAll` are a dry run unless `dryRun` is false; at most 1,000 enrollments a
request, and `remainingCount` says how many still match, so a client repeats while it is above zero.
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


def _running(
    world: SequenzyWorld, seq: int, now: int, statuses: tuple[int, ...] = listing.RUNNING
) -> np.ndarray:
    """The sequence's enrollments still in it (active, waiting or paused) at `now`."""
    e = world.enrollments
    ks = np.nonzero((e.sequence == seq) & (e.started <= now))[0]
    status = listing.states(world, ks, now)["status"]
    return ks[np.isin(status, statuses)]


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
        e.paused_at[chosen] = NEVER
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
    by_email = {p["email"]: k for k, p in enumerate(world.subscribers) if p["email"]}
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
            np.concatenate([e.paused_at, np.full(len(fresh), NEVER)]), e.pause_reasons,
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
    done = (body["status"], body["enrollmentPaused"]) == (status, paused)
    if not done:
        effective = "paused" if status == "paused" else ("enrollment_paused" if paused else "live")
        body.update(status=status, enrollmentPaused=paused, effectiveStatus=effective,
                    acceptsNewEnrollments=effective == "live",
                    processesExistingEnrollments=effective != "paused",
                    effectiveStatusSummary=f"The sequence is {effective.replace('_', ' ')}.",
                    pausedAt=format_rfc3339(now) if status == "paused" else None,
                    updatedAt=format_rfc3339(now))  # fmt: skip
    # the SDK's SequenceActionResponse: flat, not the sequence
    keys = ("status", "enrollmentPaused", "effectiveStatus", "effectiveStatusSummary",
            "acceptsNewEnrollments", "processesExistingEnrollments")  # fmt: skip
    return {"sequenceId": body["id"], **{k: body[k] for k in keys},
            "message": f"Sequence is already {body['effectiveStatus']}" if done
            else f"Sequence is now {body['effectiveStatus']}", "warnings": []}  # fmt: skip


def _contacts(world: SequenzyWorld, body: dict[str, Any]) -> tuple[list[int], dict[str, Any]]:
    """The contacts `subscriberIds` and `emails` name, and those that name no contact."""
    ids, emails = body.get("subscriberIds") or [], [x.lower() for x in body.get("emails") or []]
    by_id = {p["id"]: k for k, p in enumerate(world.subscribers)}
    by_email = {p["email"]: k for k, p in enumerate(world.subscribers) if p["email"]}
    found = sorted({by_id[x] for x in ids if x in by_id} | {by_email[x] for x in emails
                                                           if x in by_email})  # fmt: skip
    missing = {"subscriberIds": [x for x in ids if x not in by_id],
               "emails": [x for x in emails if x not in by_email]}  # fmt: skip
    return found, missing


def hold(world: SequenzyWorld, seq: int, now: int, pause: bool, body: dict[str, Any]) -> Any:
    """`POST /sequences/{id}/enrollments/pause` and `/resume`: hold contacts on the step they
    are on, or let them go on from it (their later steps move by the time they were held)."""
    if not (body.get("subscriberIds") or body.get("emails")):
        raise ApiError(400, "Provide subscriberIds or emails")
    e, people = world.enrollments, world.subscribers
    contacts, missing = _contacts(world, body)
    running = _running(world, seq, now)
    by_person = {int(e.subscriber[k]): int(k) for k in running}
    items, outcomes = [], {"paused": 0, "already_paused": 0, "resumed": 0, "not_paused": 0}
    for person in contacts:
        k = by_person.get(person)
        if k is None:
            continue
        held = e.paused_at[k] <= now
        if pause and not held:
            e.paused_at[k], outcome = now, "paused"
            if body.get("reason"):
                e.pause_reasons[k] = body["reason"]
        elif not pause and held:
            _release(e, k, now)
            outcome = "resumed"
        else:
            outcome = "already_paused" if pause else "not_paused"
        outcomes[outcome] += 1
        st = listing.states(world, np.array([k]), now)
        row = listing.render(world, k, st, 0)
        items.append({"enrollmentId": row["enrollmentId"], "subscriberId": row["subscriberId"],
                      "subscriberEmail": row["email"], "currentNodeId": row["currentNodeId"],
                      "status": row["status"], "outcome": outcome, "pausedAt": row["pausedAt"],
                      "waitUntil": row["waitUntil"]})  # fmt: skip
    enrolled = set(by_person)
    answer = {
        "sequenceId": world.sequences[seq].body["id"], "enrollments": items,
        "notFound": missing,
        "notEnrolled": [{"subscriberId": people[p]["id"], "email": people[p]["email"]}
                        for p in contacts if p not in enrolled],
    }  # fmt: skip
    if pause:
        return answer | {
            "message": f"{outcomes['paused']} enrollments paused",
            "pausedCount": outcomes["paused"],
            "alreadyPausedCount": outcomes["already_paused"],
            "inProgressCount": 0,
        }
    running_now = world.sequences[seq].body["status"] == "active"
    return answer | {"message": f"{outcomes['resumed']} enrollments resumed",
                     "resumedCount": outcomes["resumed"], "notPausedCount": outcomes["not_paused"],
                     "enqueuedCount": outcomes["resumed"], "enqueueErrors": [],
                     "sequenceRunning": running_now}  # fmt: skip


def _release(e: Any, k: int, now: int) -> None:
    """Resume enrollment `k`: what was still to come moves on by the time it was held."""
    held = now - int(e.paused_at[k])
    later = e.sends[k] > e.paused_at[k]
    e.sends[k] = np.where(later & (e.sends[k] != NEVER), e.sends[k] + held, e.sends[k])
    for column in (e.ends, e.outcome_at):
        if column[k] != NEVER:
            column[k] += held
    e.paused_at[k] = NEVER
    e.pause_reasons.pop(k, None)
