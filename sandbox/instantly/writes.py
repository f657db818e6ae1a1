"""The write endpoints the actions drive: pause and resume a subsequence, pause and activate a
campaign, move a lead into a subsequence and take it out (docs/vendors/instantly.md, Campaigns and
subsequences).

Each returns the entity as it now is, as the vendor's do. Pausing what is paused, or activating
what is active, changes nothing and still answers 200 with the entity (the document lists no
conflict for them). A move or a removal is an event of the lead at the current instant, so
the lead's `subsequence_id`, `timestamp_added_subsequence` and `timestamp_updated` and the
subsequence's `timestamp_leads_updated` show it.
"""

from __future__ import annotations

from typing import Any

from sandbox.common.clock import format_rfc3339
from sandbox.common.errors import ApiError
from sandbox.instantly import activity as ev
from sandbox.instantly import render
from sandbox.instantly.world import InstantlyWorld


def _subsequence(world: InstantlyWorld, subsequence_id: str) -> int:
    wanted = subsequence_id.lower()
    position = world.subsequence_position(wanted)
    if position is None:
        raise ApiError(404, "Subsequence not found")
    return position


def set_subsequence_status(
    world: InstantlyWorld, now: int, subsequence_id: str, status: int
) -> Any:
    position = _subsequence(world, subsequence_id)
    stored = world.subsequences[position]
    if status == 1 and stored["status"] != 2:
        return render.subsequence(world, position, now)  # only a paused one resumes
    stored["status"] = status
    return render.subsequence(world, position, now)


def set_campaign_status(world: InstantlyWorld, now: int, campaign_id: str, status: int) -> Any:
    campaign = world.campaign(campaign_id.lower())
    if campaign is None:
        raise ApiError(404, "Campaign not found")
    if campaign["status"] != status:
        campaign["status"], campaign["timestamp_updated"] = status, format_rfc3339(now)
    return campaign


def _lead(world: InstantlyWorld, now: int, lead_id: str) -> int:
    k = world.leads.position(lead_id)
    if k is None or not world.leads.exists(k, now):
        raise ApiError(404, "Lead not found")
    return k


def move_lead(world: InstantlyWorld, now: int, body: dict[str, Any]) -> Any:
    k = _lead(world, now, body["id"])
    position = _subsequence(world, body["subsequence_id"])
    if world.leads.campaign[k] < 0 or (
        world.subsequences[position]["parent_campaign"]
        != world.campaigns[int(world.leads.campaign[k])]["id"]
    ):
        raise ApiError(404, "Subsequence not found in the lead's campaign")
    stamp = now // 1000 * 1000
    world.leads.extra.setdefault(k, []).append((stamp, ev.SUB_ADD, -1, -1, position))
    return render.lead(world, k, now)


def remove_lead(world: InstantlyWorld, now: int, body: dict[str, Any]) -> Any:
    k = _lead(world, now, body["id"])
    stamp = now // 1000 * 1000
    world.leads.extra.setdefault(k, []).append((stamp, ev.SUB_REMOVE, -1, -1, 0))
    return render.lead(world, k, now)
