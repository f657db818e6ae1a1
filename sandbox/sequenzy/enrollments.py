"""Enrollment tokens at an instant: their status, node and times read from their plan, and the
`GET /sequences/{id}/enrollments` listing over them (filters, sorts, offset pages)."""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox.common.clock import format_rfc3339
from sandbox.sequenzy.world import CANCELLED, FAILED_REASONS, FAILS, NEVER, SequenzyWorld

# by code (the SDK's order is active, waiting, paused, completed, failed, cancelled)
STATUSES = ("active", "waiting", "completed", "failed", "cancelled", "paused")
DEFAULT_STATUSES = ("active", "waiting", "paused")  # the vendor's default: everyone still in it
ACTIVE, WAITING, COMPLETED, FAILED, CANCELLED_, PAUSED = range(6)
RUNNING = (ACTIVE, WAITING, PAUSED)
# One waiting enrollment in this many sits on a node the sequence's graph no longer has (the
# SDK's `currentNodeMissing`; its id stays, its type and label are null).
MISSING_EVERY = 53


def states(world: SequenzyWorld, ks: np.ndarray, now: int) -> dict[str, np.ndarray]:
    """Status, current node (email index, or -1 at a delay before `at`, or -2 at the end), the
    next wait and the last change of enrollments `ks` at `now`."""
    e = world.enrollments
    counts = np.array([len(s.emails) for s in world.sequences])[e.sequence[ks]]
    held = e.paused_at[ks] <= now  # paused: nothing more happens to it until resumed
    # sends after a failure, a cancellation or a pause never happen
    stop = np.minimum(np.minimum(now, e.outcome_at[ks]), e.paused_at[ks])
    sends = e.sends[ks]
    sent = (sends <= stop[:, None]).sum(axis=1)
    failed = (e.outcome[ks] == FAILS) & (e.outcome_at[ks] <= now) & ~held
    cancelled = (e.outcome[ks] == CANCELLED) & (e.outcome_at[ks] <= now) & ~held
    completed = (e.ends[ks] <= now) & ~held
    status = np.where(sent > 0, WAITING, ACTIVE)
    status = np.where(sent >= counts, ACTIVE, status)
    status = np.where(cancelled, CANCELLED_, np.where(failed, FAILED, status))
    status = np.where(completed, COMPLETED, np.where(held, PAUSED, status))
    rows = np.arange(len(ks))
    following = np.minimum(sent, sends.shape[1] - 1)
    wait = np.where(status == WAITING, sends[rows, following], NEVER)  # null while paused
    last_send = np.where(sent > 0, sends[rows, np.maximum(sent - 1, 0)], 0)
    changed = np.maximum(e.started[ks], last_send)
    changed = np.where(failed | cancelled, e.outcome_at[ks], changed)
    changed = np.where(completed, e.ends[ks], np.where(held, e.paused_at[ks], changed))
    return {"status": status, "sent": sent, "counts": counts, "wait": wait, "changed": changed}


def _node(
    world: SequenzyWorld, k: int, seq: int, status: int, sent: int, counts: int
) -> dict[str, Any]:
    """The node enrollment `k` is on: `{id, nodeType: None}` for one its graph lost."""
    if status == WAITING and k % MISSING_EVERY == 0:  # its delay node edited out of the graph
        return {"id": world.ids["node"].make(10**9 + k), "nodeType": None, "config": {}}
    nodes = world.sequences[seq].nodes
    if status == COMPLETED:
        return nodes[-1]
    if status in (WAITING, CANCELLED_, PAUSED) and sent > 0 and sent < counts:
        return nodes[2 * sent]  # the delay before email `sent`
    return nodes[2 * min(sent, counts - 1) + 1]  # the email it is at (or failed at, or last sent)


def render(world: SequenzyWorld, k: int, st: dict[str, np.ndarray], i: int) -> dict[str, Any]:
    e = world.enrollments
    seq = int(e.sequence[k])
    person = world.subscribers[int(e.subscriber[k])]
    status = int(st["status"][i])
    node = _node(world, k, seq, status, int(st["sent"][i]), int(st["counts"][i]))
    wait = int(st["wait"][i])
    kind = node["nodeType"]
    label = node["config"].get("subject") or (kind.replace("_", " ") if kind else None)
    return {
        "enrollmentId": world.enrollment_id(k), "sequenceId": world.sequences[seq].body["id"],
        "subscriberId": person["id"], "email": person["email"], "firstName": person["firstName"],
        "lastName": person["lastName"], "subscriberStatus": person["status"],
        "status": STATUSES[status], "currentNodeId": node["id"],
        "currentNodeType": node["nodeType"], "currentNodeLabel": label,
        "currentNodeMissing": kind is None, "enrollmentKey": f"subscriber:{person['id']}",
        "enrollmentStartedAt": format_rfc3339(int(e.started[k])),
        "waitUntil": None if wait == NEVER else format_rfc3339(wait),
        "lastUpdatedAt": format_rfc3339(int(st["changed"][i])),
        "failedReason": FAILED_REASONS[k % len(FAILED_REASONS)] if status == FAILED else None,
        "pausedAt": format_rfc3339(int(e.paused_at[k])) if status == PAUSED else None,
        "pauseReason": e.pause_reasons.get(k) if status == PAUSED else None,
        "movedFromNodeId": None, "movedAt": None, "moveReason": None,
        "stopConditionMatches": None, "stopConditionMatchReason": None,
    }  # fmt: skip


def listing(
    world: SequenzyWorld, seq: int, now: int, *, statuses: tuple[str, ...], sort: str,
    limit: int, offset: int, nodes: set[str], subscribers: set[str], email: str | None,
) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
    """One page of the sequence's enrollments at `now`, and how many match in all."""
    e = world.enrollments
    ks = np.nonzero((e.sequence == seq) & (e.started <= now))[0]
    st = states(world, ks, now)
    keep = np.isin(st["status"], [STATUSES.index(s) for s in statuses])
    if subscribers or email:
        people = world.subscribers
        wanted = np.array([(not subscribers or people[int(e.subscriber[k])]["id"] in subscribers)
                           and (not email or people[int(e.subscriber[k])]["email"] == email)
                           for k in ks], dtype=bool)  # fmt: skip
        keep &= wanted if len(ks) else keep
    ks, st = ks[keep], {name: v[keep] for name, v in st.items()}
    if nodes:
        where = zip(ks, st["status"], st["sent"], st["counts"], strict=True)
        ids = [_node(world, int(k), seq, int(a), int(b), int(c))["id"] for k, a, b, c in where]
        keep = np.array([i in nodes for i in ids], dtype=bool)
        ks, st = ks[keep], {name: v[keep] for name, v in st.items()}
    if sort.startswith("wait_until"):
        order = np.lexsort((ks, st["wait"]))  # nothing scheduled sorts last either way
        if sort.endswith("desc"):
            scheduled = order[st["wait"][order] != NEVER][::-1]
            order = np.concatenate([scheduled, order[st["wait"][order] == NEVER]])
    else:
        order = np.lexsort((ks, e.started[ks]))
        order = order[::-1] if sort.endswith("desc") else order
    page = order[offset : offset + limit]
    return [render(world, int(ks[i]), st, int(i)) for i in page], len(ks)
