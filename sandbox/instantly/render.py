"""Leads, emails and subsequences as the vendor's JSON (its `Lead`, `Email` and
`CampaignSubsequence` schemas, which allow no other fields), at an instant of the world.

Step and variant numbers are zero-based everywhere, as the vendor's analytics number them
(`/campaigns/analytics/steps`: "zero-based strings"); a lead's `email_*_step` and an email's
`step` use the same numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox.common.clock import format_rfc3339
from sandbox.instantly import activity as ev
from sandbox.instantly.emails import RECEIVED
from sandbox.instantly.leads import ESP, VERIFICATION, LeadState, reduce
from sandbox.instantly.world import InstantlyWorld

UPLOAD_METHODS = ("manual", "api", "api", "website-visitor")


def _at(us: int | None) -> str | None:
    return None if us is None else format_rfc3339(us)


def step_id(world: InstantlyWorld, owner: str, position: int, step: int) -> str:
    """The id of a campaign's or a subsequence's step (the vendor's steps carry none)."""
    return world.ids["step"].make((position * 64 + step) * 2 + (owner == "subsequence"))


def lead(world: InstantlyWorld, k: int, now: int) -> dict[str, Any]:
    return lead_from(world, k, reduce(world.leads, world.log, k, now))


def lead_from(world: InstantlyWorld, k: int, state: LeadState) -> dict[str, Any]:
    leads = world.leads
    person = leads.person(k)
    campaign = int(leads.campaign[k])
    verification = int(VERIFICATION[leads.traits[k, 4]])
    esp = int(ESP[leads.traits[k, 5]])
    last = state.last_send
    summary: dict[str, Any] = {}
    if last is not None:
        summary = {
            "lastStep": {
                "from": last[0],
                "stepID": step_id(world, *last[:3]),
                "timestamp_executed": _at(last[3]),
            },
            "domain_complete": False,
        }
    sub = state.last_sub_send
    sub_summary: dict[str, Any] = {}
    if sub is not None:
        sub_summary = {
            "from": "subsequence",
            "stepID": step_id(world, "subsequence", sub[0], sub[1]),
            "timestampExecuted": _at(sub[2]),
        }
    body: dict[str, Any] = {
        "id": leads.id_of(k),
        "timestamp_created": _at(int(leads.created[k])),
        "timestamp_updated": _at(state.updated),
        "organization": world.organization,
        "campaign": world.campaigns[campaign]["id"] if campaign >= 0 else None,
        "status": state.status,
        **person,
        "personalization": None,
        "website": f"https://{person['company_domain']}",
        "phone": None,
        "email_open_count": state.opens,
        "email_reply_count": state.replies,
        "email_click_count": state.clicks,
        "status_summary": summary,
        "payload": {  # its names are strings in the document: absent when the lead has none
            **({"firstName": person["first_name"]} if person["first_name"] else {}),
            **({"lastName": person["last_name"]} if person["last_name"] else {}),
            "companyName": person["company_name"],
            "jobTitle": person["job_title"],
            "seniority": ("junior", "senior", "executive")[k % 3],
        },
        "status_summary_subseq": sub_summary,
        "last_step_from": last[0] if last else None,
        "last_step_id": step_id(world, *last[:3]) if last else None,
        "last_step_timestamp_executed": _at(last[3]) if last else None,
        "email_opened_step": state.opened[0] if state.opened else None,
        "email_opened_variant": state.opened[1] if state.opened else None,
        "email_replied_step": state.replied[0] if state.replied else None,
        "email_replied_variant": state.replied[1] if state.replied else None,
        "email_clicked_step": state.clicked[0] if state.clicked else None,
        "email_clicked_variant": state.clicked[1] if state.clicked else None,
        "subsequence_id": world.subsequences[state.subsequence]["id"]
        if state.subsequence is not None
        else None,
        "verification_status": verification,
        "pl_value_lead": None,
        "timestamp_added_subsequence": _at(state.added_at),
        "timestamp_last_contact": _at(state.last_contact),
        "timestamp_last_open": _at(state.last_open),
        "timestamp_last_reply": _at(state.last_reply),
        "timestamp_last_interest_change": _at(state.interest_at),
        "timestamp_last_click": _at(state.last_click),
        "enrichment_status": 1,
        "list_id": world.ids["list"].make(k % 3) if campaign < 0 else None,
        "last_contacted_from": "email" if state.last_contact else None,
        "uploaded_by_user": world.ids["user"].make(k % 3),
        "upload_method": UPLOAD_METHODS[k % len(UPLOAD_METHODS)],
        "assigned_to": None,
        "is_website_visitor": k % len(UPLOAD_METHODS) == 3,
        "timestamp_last_touch": _at(
            max(filter(None, (state.last_contact, state.last_reply)), default=None)
        ),
        "esp_code": esp,
        "esg_code": 0,
    }
    if state.interest is not None:
        body["lt_interest_status"] = state.interest
    return body


def email(world: InstantlyWorld, j: int, preview_only: bool) -> dict[str, Any]:
    """Email j of the index (in id order)."""
    index, log, leads = world.emails, world.log, world.leads
    e = int(index.event[j])
    k, kind = int(log.lead[e]), int(log.kind[e])
    step, variant, value = int(log.step[e]), int(log.variant[e]), int(log.value[e])
    campaign = world.campaigns[int(leads.campaign[k])]
    owner = world.subsequences[value] if kind == ev.SUB_SEND else campaign
    person = leads.person(k)
    senders = campaign["email_list"] or ["outbound@send0.example.com"]
    account = senders[k % len(senders)]
    copy = _copy(owner, step, variant)
    greeting = person["first_name"] or "there"
    subject = copy["subject"].replace("{{firstName}}", greeting)
    html = copy["body"].replace("{{firstName}}", greeting)
    received = kind in RECEIVED
    if received:
        subject = f"Re: {subject}"
        html = (
            "<p>Thanks for reaching out, I am out of the office until Monday.</p>"
            if kind == ev.AUTO_REPLY
            else "<p>Thanks, happy to talk next week.</p>"
        )
    text = html.replace("<p>", "").replace("</p>", "")
    email_id = index.id_of(j)
    created = int(index.created[j])
    address = str(person["email"])  # a lead without one is skipped: nothing is sent to it
    sender, recipient = (address, account) if received else (account, address)
    return {
        "id": email_id,
        "timestamp_created": _at(created),
        "timestamp_email": _at(created - int(index.sender_skew[j])),
        "message_id": f"<{email_id}@mail.{sender.split('@')[1]}>",
        "subject": subject,
        "from_address_email": sender,
        "to_address_email_list": recipient,
        "cc_address_email_list": None,
        "bcc_address_email_list": None,
        "reply_to": None,
        "body": {} if preview_only else {"text": text, "html": html},
        "organization_id": world.organization,
        "campaign_id": campaign["id"],
        "subsequence_id": owner["id"] if kind == ev.SUB_SEND else None,
        "list_id": None,
        "lead": person["email"],
        "lead_id": leads.id_of(k),
        "eaccount": account,
        "ue_type": 2 if received else 1,
        "step": str(step),
        "is_unread": (e % 3 == 0) * 1 if received else 0,
        "is_auto_reply": int(kind == ev.AUTO_REPLY),
        "reminder_ts": None,
        "ai_interest_value": None,
        "ai_assisted": 0,
        "is_focused": 1,
        "i_status": None,
        "thread_id": world.ids["thread"].make(k * 8 + (value if kind == ev.SUB_SEND else 7)),
        "content_preview": text[:100],
        "attachment_json": None,
        "from_address_json": [{"address": sender, "name": ""}],
        "to_address_json": [{"address": recipient, "name": ""}],
        "cc_address_json": None,
        "ai_agent_id": None,
    }


def _copy(owner: dict[str, Any], step: int, variant: int) -> dict[str, Any]:
    """The copy an email was sent with; a step or variant edited away since keeps a generic one."""
    steps = owner["sequences"][0]["steps"]
    variants = steps[step]["variants"] if step < len(steps) else []
    if variant < len(variants):
        return dict(variants[variant])
    return {"subject": f"Step {step + 1}", "body": "<p>Hello {{firstName}}.</p>"}


def subsequence(world: InstantlyWorld, position: int, now: int) -> dict[str, Any]:
    """The stored subsequence, with `timestamp_leads_updated`: its latest lead added by `now`."""
    stored = world.subsequences[position]
    planned = world.joins[position]
    done = int(np.searchsorted(planned, now, side="right"))
    moved = [
        e[0]
        for extra in world.leads.extra.values()
        for e in extra
        if e[1] == ev.SUB_ADD and e[4] == position and e[0] <= now
    ]
    latest = max(([int(planned[done - 1])] if done else []) + moved, default=None)
    leads_updated = _at(latest) or stored["timestamp_created"]
    return {**stored, "timestamp_leads_updated": leads_updated}
