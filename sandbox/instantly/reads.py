"""The read endpoints beyond campaigns and accounts: subsequences, leads, emails, analytics.

Each handler takes the API (world, clock) and the request, already authorised and checked
against the document's parameter and body schemas, and returns the body to send.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
from starlette.requests import Request

from sandbox.common.clock import parse_iso_us
from sandbox.common.errors import ApiError
from sandbox.instantly import analytics, render
from sandbox.instantly.emails import RECEIVED
from sandbox.instantly.leads import VERIFICATION, LeadState, reduce
from sandbox.instantly.protocol import DEFAULT_LIMIT, MAX_LIMIT, page, paging
from sandbox.instantly.world import InstantlyWorld

CHUNK = 2048
NO_CAMPAIGN = -2  # no lead's campaign: -1 is "in a list only"


def _has_interest(code: int, state: LeadState, verification: int) -> bool:
    return state.interest == code


# `POST /leads/list` filters the world can answer, as a predicate on (state, verification).
INTEREST_FILTERS = {
    "INTERESTED": 1,
    "NOT_INTERESTED": -1,
    "MEETING_BOOKED": 2,
    "MEETING_COMPLETED": 3,
    "CLOSED": 4,
    "OUT_OF_OFFICE": 0,
    "WRONG_PERSON": -2,
    "LOST": -3,
    "NO_SHOW": -4,
}
LEAD_FILTERS: dict[str, Callable[[LeadState, int], bool]] = {
    "FILTER_VAL_CONTACTED": lambda s, v: s.last_contact is not None,
    "FILTER_VAL_NOT_CONTACTED": lambda s, v: s.last_contact is None,
    "FILTER_VAL_COMPLETED": lambda s, v: s.status == 3,
    "FILTER_VAL_UNSUBSCRIBED": lambda s, v: s.status == -2,
    "FILTER_VAL_ACTIVE": lambda s, v: s.status == 1,
    "FILTER_VAL_BOUNCED": lambda s, v: s.status == -1,
    "FILTER_VAL_SKIPPED": lambda s, v: s.status == -3,
    "FILTER_VAL_RISKY": lambda s, v: v == -2,
    "FILTER_VAL_INVALID": lambda s, v: v == -1,
    "FILTER_VAL_VALID": lambda s, v: v == 1,
    "FILTER_VAL_IN_SUBSEQUENCE": lambda s, v: s.subsequence is not None,
    "FILTER_VAL_OPENED_NO_REPLY": lambda s, v: s.opens > 0 and s.replies == 0,
    "FILTER_VAL_COMPLETED_NO_REPLY": lambda s, v: s.status == 3 and s.replies == 0,
    "FILTER_VAL_NO_OPENS": lambda s, v: s.opens == 0,
    "FILTER_VAL_REPLIED": lambda s, v: s.replies > 0,
    "FILTER_VAL_LINK_CLICKED": lambda s, v: s.clicks > 0,
    "FILTER_LEAD_CUSTOM_LABEL_POSITIVE": lambda s, v: False,  # no custom labels in this world
    "FILTER_LEAD_CUSTOM_LABEL_NEGATIVE": lambda s, v: False,
    **{
        f"FILTER_LEAD_{name}": functools.partial(_has_interest, code)
        for name, code in INTEREST_FILTERS.items()
    },
}
NONE_IN_WORLD = ("scheduled_only", "has_reminder", "marked_as_done")
UNSUPPORTED_BODY = ("queries", "smart_view_id", "distinct_contacts")


def _campaign(world: InstantlyWorld, campaign_id: str) -> int:
    """The campaign a filter names; NO_CAMPAIGN (matching nothing) when there is none, as a
    filter on an unknown id selects nothing rather than failing."""
    position = world.campaign_position(campaign_id.lower())
    return NO_CAMPAIGN if position is None else position


def list_subsequences(world: InstantlyWorld, now: int, request: Request) -> Any:
    limit, after = paging(request)
    query = request.query_params
    search = (query.get("search") or "").lower()
    parent, other = query.get("parent_campaign"), query.get("parent_campaign_not")
    rows = [
        render.subsequence(world, k, now)
        for k, s in enumerate(world.subsequences)
        if world.live(s)
        if search in s["name"].lower()
        and (parent is None or s["parent_campaign"] == parent.lower())
        and (other is None or s["parent_campaign"] != other.lower())
    ]
    return page(rows, "id", limit, after)


def get_subsequence(world: InstantlyWorld, now: int, request: Request) -> Any:
    wanted = request.path_params["id"].lower()
    position = world.subsequence_position(wanted)
    if position is None:
        raise ApiError(404, "Subsequence not found")
    return render.subsequence(world, position, now)


def list_leads(world: InstantlyWorld, now: int, body: dict[str, Any]) -> Any:
    for name in UNSUPPORTED_BODY:
        if body.get(name):
            raise ApiError(400, f"body/{name} is not supported by this sandbox")
    leads = world.leads
    limit = min(int(body.get("limit") or DEFAULT_LIMIT), MAX_LIMIT)
    try:
        start = leads.after(body.get("starting_after"))
    except ValueError:
        raise ApiError(400, "body/starting_after must be a lead id") from None
    campaign = _campaign(world, body["campaign"]) if body.get("campaign") else None
    wanted = _lead_predicate(world, body)
    items: list[dict[str, Any]] = []
    for at in range(start, len(leads.order), CHUNK):
        chunk = leads.order[at : at + CHUNK]
        chunk = chunk[leads.exists(chunk, now)]
        if campaign is not None:
            chunk = chunk[leads.campaign[chunk] == campaign]
        for k in chunk.tolist():
            state = reduce(leads, world.log, k, now)
            if wanted(k, state):
                items.append(render.lead_from(world, k, state))
                if len(items) == limit:
                    return {"items": items, "next_starting_after": items[-1]["id"]}
    return {"items": items}


def get_lead(world: InstantlyWorld, now: int, request: Request) -> Any:
    k = world.leads.position(request.path_params["id"].lower())
    if k is None or not world.leads.exists(k, now):
        raise ApiError(404, "Lead not found")
    return render.lead(world, k, now)


def get_email(world: InstantlyWorld, now: int, request: Request) -> Any:
    try:
        j, found = world.emails.rank(request.path_params["id"].lower())
    except ValueError:
        found = False
    if not found or world.emails.listed[j] > now or not world.sent(j):
        raise ApiError(404, "Email not found")
    return render.email(world, j, False)


def _lead_predicate(world: InstantlyWorld, body: dict[str, Any]) -> Callable[[int, Any], bool]:
    leads = world.leads
    ids = {i.lower() for i in body.get("ids") or []}
    excluded = {i.lower() for i in body.get("excluded_ids") or []}
    contacts = {c.lower() for c in body.get("contacts") or []}
    search = (body.get("search") or "").lower()
    status_filter = LEAD_FILTERS.get(body.get("filter") or "", lambda s, v: True)
    list_id = (body.get("list_id") or "").lower()
    users = {u.lower() for u in body.get("organization_user_ids") or []}

    def wanted(k: int, state: LeadState) -> bool:
        in_campaign = bool(leads.campaign[k] >= 0)
        if body.get("in_campaign") is not None and body["in_campaign"] != in_campaign:
            return False
        if body.get("in_list") is not None and body["in_list"] == in_campaign:
            return False
        if (ids and leads.id_of(k) not in ids) or (excluded and leads.id_of(k) in excluded):
            return False
        person = leads.person(k)
        if contacts and person["email"] not in contacts:
            return False
        name = " ".join(str(person[k] or "") for k in ("first_name", "last_name", "email")).lower()
        if search and search not in name:
            return False
        if list_id and (in_campaign or world.ids["list"].make(k % 3) != list_id):
            return False
        if users and world.ids["user"].make(k % 3) not in users:
            return False
        if body.get("is_website_visitor") is not None and body["is_website_visitor"] != (
            k % 4 == 3
        ):
            return False
        if body.get("enrichment_status") not in (None, 1) or body.get("esg_code") not in (
            None,
            "0",
            "all",
        ):
            return False
        return status_filter(state, int(VERIFICATION[leads.traits[k, 4]]))

    return wanted


def _instant(request: Request, name: str) -> int | None:
    text = request.query_params.get(name)
    if text is None:
        return None
    try:
        return parse_iso_us(text)
    except ValueError:
        raise ApiError(400, f"querystring/{name} must be a date or an ISO 8601 instant") from None


def list_emails(world: InstantlyWorld, now: int, request: Request) -> Any:
    limit, after = paging(request)
    query = request.query_params
    index, log, leads = world.emails, world.log, world.leads
    low, high = (
        _instant(request, "min_timestamp_created"),
        _instant(request, "max_timestamp_created"),
    )
    ascending = query.get("sort_order", "desc") == "asc"
    try:
        positions = index.window(after, ascending, low or 0, min(high or now, now))
    except ValueError:
        raise ApiError(400, "querystring/starting_after must be an email id") from None
    campaign = _campaign(world, query["campaign_id"]) if "campaign_id" in query else None
    kinds = {"received": RECEIVED, "sent": (1, 13), "manual": ()}.get(query.get("email_type", ""))
    lead = (query.get("lead") or "").lower()
    accounts = {a.strip() for a in (query.get("eaccount") or "").split(",") if a.strip()}
    nothing = any(
        query.get(f) == "true" for f in ("scheduled_only", "has_reminder", "marked_as_done")
    )
    preview = query.get("preview_only") == "true"
    items: list[dict[str, Any]] = []
    for at in range(0, 0 if nothing else len(positions), CHUNK):
        js = np.asarray(positions[at : at + CHUNK], dtype=np.int64)
        js = js[index.listed[js] <= now]
        js = js[leads.unheld(log.lead[index.event[js]], log.time[index.event[js]])]
        if campaign is not None:
            js = js[leads.campaign[log.lead[index.event[js]]] == campaign]
        if kinds is not None:
            js = js[np.isin(log.kind[index.event[js]], kinds)]
        for j in js.tolist():
            email = render.email(world, j, preview)
            if (lead and email["lead"] != lead) or (accounts and email["eaccount"] not in accounts):
                continue
            unread = query.get("is_unread")
            if unread is not None and email["is_unread"] != (unread == "true"):
                continue
            items.append(email)
            if len(items) == limit:
                return {"items": items, "next_starting_after": email["id"]}
    return {"items": items}


def _dates(request: Request, now: int) -> analytics.Window:
    """`start_date`/`end_date`, inclusive UTC dates (an ISO instant counts as its UTC date)."""
    start, end = _instant(request, "start_date"), _instant(request, "end_date")
    day = analytics.DAY
    start = None if start is None else start // day * day
    end = None if end is None else end // day * day + day
    if start is not None and end is not None and start >= end:
        raise ApiError(400, "Start Date must be earlier than End Date")
    return analytics.Window(now, start, end)


def campaign_totals(world: InstantlyWorld, now: int, request: Request) -> Any:
    query = request.query_params
    wanted = [*query.getlist("ids"), *([query["id"]] if "id" in query else [])]
    live = [k for k, c in enumerate(world.campaigns) if world.live(c)]
    found = [_campaign(world, c) for c in wanted] if wanted else live
    campaigns = [c for c in found if c != NO_CAMPAIGN]
    rows = analytics.totals(world, _dates(request, now), campaigns)
    if query.get("exclude_total_leads_count") == "true":
        rows = [{**r, "leads_count": 0} for r in rows]
    return rows


def _selected(world: InstantlyWorld, request: Request) -> list[int]:
    """The campaign asked for, or every campaign (of `campaign_status`, when given): a call
    without `campaign_id` sums them all, as the vendor's does."""
    query = request.query_params
    if "campaign_id" in query:
        return [_campaign(world, query["campaign_id"])]
    status = query.get("campaign_status")
    return [
        k
        for k, c in enumerate(world.campaigns)
        if world.live(c) and (status is None or c["status"] == float(status))
    ]


def campaign_daily(world: InstantlyWorld, now: int, request: Request) -> Any:
    return analytics.daily(world, _dates(request, now), _selected(world, request))


def campaign_steps(world: InstantlyWorld, now: int, request: Request) -> Any:
    opportunities = request.query_params.get("include_opportunities_count") == "true"
    return analytics.steps(world, _dates(request, now), _selected(world, request), opportunities)


def subsequence_totals(world: InstantlyWorld, now: int, request: Request) -> Any:
    campaign = _campaign(world, request.query_params["campaign_id"])
    if campaign == NO_CAMPAIGN:
        return []
    return analytics.subsequences(world, analytics.Window(now), campaign)
