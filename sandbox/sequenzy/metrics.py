"""`GET /metrics/sequences/{id}` and its `/events`: a sequence's funnel and its event stream,
both read from the same events (sandbox.sequenzy.events), within windows of at most 90 days."""

from __future__ import annotations

from typing import Any

import numpy as np
from starlette.requests import Request

from sandbox.common.clock import parse_iso_us
from sandbox.common.errors import ApiError
from sandbox.sequenzy import enrollments, events
from sandbox.sequenzy.protocol import int_param, sequence_position
from sandbox.sequenzy.world import SequenzyWorld

PERIODS = {"1h": 3600, "24h": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400, "90d": 90 * 86_400}
MAX_RANGE_US = 90 * 86_400 * 1_000_000


def _instant(request: Request, name: str) -> int:
    try:
        return parse_iso_us(request.query_params[name])
    except ValueError:
        raise ApiError(400, f"{name} must be an ISO 8601 date-time") from None


def _window(request: Request, now: int, default: int | None) -> tuple[int, int] | None:
    """`start`+`end` (at most 90 days apart), else `period`, else `default` seconds back, else
    no window (all time)."""
    query = request.query_params
    if ("start" in query) != ("end" in query):
        raise ApiError(400, "start and end must be given together")
    if "start" in query:
        low, high = _instant(request, "start"), _instant(request, "end")
        if high < low or high - low > MAX_RANGE_US:
            raise ApiError(400, "The range from start to end must be positive and at most 90 days")
        return low, high
    if "period" in query:
        if query["period"] not in PERIODS:
            raise ApiError(400, f"period must be one of {', '.join(PERIODS)}")
        return now - PERIODS[query["period"]] * 1_000_000, now
    return None if default is None else (now - default * 1_000_000, now)


def list_sequence_events(world: SequenzyWorld, now: int, request: Request) -> Any:
    """Oldest first within the window (the last 30 days unless asked); only deliveries unless
    `eventType`/`eventTypes` ask for more (the vendor's default)."""
    position = sequence_position(world, request)
    query = request.query_params
    asked = [t.strip() for t in (query.get("eventTypes") or query.get("eventType") or "").split(",")
             if t.strip()]  # fmt: skip
    bad = [t for t in asked if t not in events.TYPES]
    if bad:
        raise ApiError(400, f"Invalid event type: {bad[0]}")
    kinds = [events.TYPES.index(t) for t in (asked or events.DEFAULT_TYPES)]
    low, high = _window(request, now, 30 * 86_400) or (0, now)
    found = events.sequence_events(world, position, now)
    mask = np.isin(found.kind, kinds) & (found.at >= low) & (found.at <= high)
    node = query.get("automationNodeId")
    if node is not None:
        nodes = [e["nodeId"] for e in world.sequences[position].emails]
        if node not in nodes:
            raise ApiError(400, "automationNodeId is not an email step of this sequence")
        mask &= found.email == nodes.index(node)
    selected = events.where(found, mask)
    page, limit = int_param(request, "page", 1), int_param(request, "limit", 100)
    total = len(selected.kind)
    rows = [events.render(world, position, selected, i)
            for i in range((page - 1) * limit, min(total, page * limit))]  # fmt: skip
    pagination = {"page": page, "limit": limit, "total": total,
                  "totalPages": -(-total // limit)}  # fmt: skip
    return {"sequenceId": world.sequences[position].body["id"],
            "eventTypes": [events.TYPES[k] for k in kinds],
            "automationNodeIds": [node] if node is not None else [],
            "events": rows, "pagination": pagination}  # fmt: skip


def sequence_metrics(world: SequenzyWorld, now: int, request: Request) -> Any:
    """The funnel of the sends made in the window (all time unless asked), in all and per email
    step, and live counts of active and waiting enrollments, and of paused ones, by current
    node (the SDK's GetSequenceMetricsResponse)."""
    position = sequence_position(world, request)
    sequence = world.sequences[position]
    found = events.sequence_events(world, position, now)
    window = _window(request, now, None)
    if window is not None:
        found = events.where(found, (found.sent >= window[0]) & (found.sent <= window[1]))
    steps = [{"step": e["stepNumber"], "nodeId": e["nodeId"], "subject": e["subject"],
              "stats": events.stats(events.where(found, found.email == j)),
              "failedCount": 0, "failedSubscribers": []}
             for j, e in enumerate(sequence.emails)]  # fmt: skip
    live, _ = enrollments.listing(
        world, position, now, statuses=enrollments.DEFAULT_STATUSES, sort="enrolled_at_asc",
        limit=len(world.enrollments.started), offset=0, nodes=set(), subscribers=set(), email=None,
    )  # fmt: skip
    by_node: dict[str, dict[str, Any]] = {}
    for row in live:
        node = by_node.setdefault(row["currentNodeId"], {
            "currentNodeId": row["currentNodeId"], "currentNodeMissing": row["currentNodeMissing"],
            "currentNodeLabel": row["currentNodeLabel"], "currentNodeType": row["currentNodeType"],
            "active": 0, "waiting": 0, "total": 0, "paused": 0})  # fmt: skip
        node[row["status"]] += 1
        node["total"] += row["status"] != "paused"
    counts = {"active": sum(r["status"] == "active" for r in live),
              "waiting": sum(r["status"] == "waiting" for r in live),
              "byCurrentNode": [{k: v for k, v in n.items() if k != "paused"}
                                for n in by_node.values() if n["total"]]}  # fmt: skip
    counts["total"] = counts["active"] + counts["waiting"]
    paused = {"total": sum(r["status"] == "paused" for r in live),
              "byCurrentNode": [{"currentNodeId": n["currentNodeId"], "count": n["paused"],
                                 "currentNodeMissing": n["currentNodeMissing"]}
                                for n in by_node.values() if n["paused"]]}  # fmt: skip
    answer = {
        "sequenceId": sequence.body["id"],
        "stats": events.stats(found),
        "steps": steps,
        "enrollmentCounts": counts,
        "pausedEnrollments": paused,
        "enrollmentSkipped": {"count": 0, "byReason": {"unsubscribed": 0, "bounced": 0}},
    }
    if "period" in request.query_params:  # "echoed back when period is provided"
        answer["period"] = request.query_params["period"]
    return answer


SORTS = ("sent", "delivered", "opened", "clicked", "openRate", "clickRate", "unsubscribed",
         "conversions", "revenue", "step", "name")  # fmt: skip
_SORT_KEYS = {"revenue": "revenueCents", "conversions": "conversions"}


def list_email_metrics(world: SequenzyWorld, now: int, request: Request) -> Any:
    """One row per email: each sequence's email steps (this world sends no campaigns), each with
    the funnel of its sends in the window (all time unless asked), as the steps of
    `sequence_metrics` count them (the SDK's ListEmailMetricsResponse). Sorted by `sort`
    (`sent` unless asked), `order` (`desc` unless asked), then by sequence and step."""
    query = request.query_params
    if query.get("campaignId") and (query.get("sequenceId") or "step" in query):
        raise ApiError(400, "campaignId cannot be combined with sequenceId or step")
    wanted = {s.strip().lower() for s in (query.get("sequenceId") or "").split(",") if s.strip()}
    step = int_param(request, "step", 0) or None
    window = _window(request, now, None)
    found = []
    if query.get("emailType") != "campaign" and not query.get("campaignId"):
        for position, sequence in enumerate(world.sequences):
            if wanted and sequence.body["id"] not in wanted:
                continue
            sent = events.sequence_events(world, position, now)
            if window is not None:
                sent = events.where(sent, (sent.sent >= window[0]) & (sent.sent <= window[1]))
            for j, email in enumerate(sequence.emails):
                if step is not None and email["stepNumber"] != step:
                    continue
                stats = events.stats(events.where(sent, sent.email == j))
                found.append({
                    "emailId": email["emailId"], "emailType": "sequence", "name": email["name"],
                    "sequenceId": sequence.body["id"], "sequenceName": sequence.body["name"],
                    "automationNodeId": email["nodeId"], "campaignId": None,
                    "step": email["stepNumber"], "stats": stats,
                    "conversions": stats["conversions"], "revenueCents": stats["revenueCents"],
                })  # fmt: skip
    sort, descending = query.get("sort") or "sent", (query.get("order") or "desc") == "desc"
    key = _SORT_KEYS.get(sort, sort)
    found.sort(key=lambda r: (r["sequenceId"], r["step"]))
    found.sort(key=lambda r: r[key] if key in r else r["stats"].get(key, 0), reverse=descending)
    page, limit = int_param(request, "page", 1), int_param(request, "limit", 50)
    total = len(found)
    totals: dict[str, Any] = {"emails": total}
    for name in ("sent", "delivered", "bounced", "opened", "clicked", "unsubscribed", "replies",
                 "conversions", "revenueCents"):  # fmt: skip
        totals[name] = sum(r["stats"][name] for r in found)
    answer = {
        "success": True, "emailType": query.get("emailType") or "all",
        "sequenceIds": sorted(wanted), "sort": sort, "order": "desc" if descending else "asc",
        "emails": found[(page - 1) * limit : page * limit], "totals": totals,
        "pagination": {"page": page, "limit": limit, "total": total,
                       "totalPages": -(-total // limit)},
    }  # fmt: skip
    if step is not None:
        answer["step"] = step
    if "period" in query:
        answer["period"] = query["period"]
    return answer
