"""The analytics endpoints, computed from the same event log as the leads and emails, so that a
client's loaded analytics can be checked against its loaded rows.

Choices where the vendor's documents are silent (sandbox/README.md): campaign analytics count the
campaign's own steps and leave subsequence activity to `/subsequences/analytics`; `reply_count`
counts human replies and `reply_count_automatic` the automatic ones; an opportunity is a lead
whose interest became positive (1 Interested .. 4 Won), worth the campaign's `pl_value`; a day
is a UTC date, and days without activity are not listed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from sandbox.instantly import activity as ev
from sandbox.instantly.world import InstantlyWorld

POSITIVE = (1, 2, 3, 4)
DAY = ev.DAY
# A campaign's counts of these kinds come three ways: all, unique leads, and unique by step
# ("open_count", "open_count_unique", "open_count_unique_by_step"), from its metric and kind.
COUNTED_BY_STEP = (
    ("open_count", "opened", ev.OPEN), ("reply_count", "replies", ev.REPLY),
    ("reply_count_automatic", "replies_automatic", ev.AUTO_REPLY),
    ("link_click_count", "clicks", ev.CLICK),
)  # fmt: skip


@dataclass(frozen=True)
class Window:
    """Events at or before `now`, within [start, end) when given (µs)."""

    now: int
    start: int | None = None
    end: int | None = None


@dataclass
class Events:
    time: np.ndarray
    lead: np.ndarray
    kind: np.ndarray
    step: np.ndarray
    variant: np.ndarray
    value: np.ndarray
    campaign: np.ndarray

    def where(self, mask: np.ndarray) -> Events:
        return Events(*(getattr(self, f.name)[mask] for f in dataclasses.fields(self)))

    def of(self, *kinds: int) -> Events:
        return self.where(np.isin(self.kind, kinds))


def events(world: InstantlyWorld, window: Window) -> Events:
    log, leads = world.log, world.leads
    extra = [(t, k, kind, s, v, x) for k, rows in leads.extra.items() for t, kind, s, v, x in rows]
    columns = [log.time, log.lead, log.kind, log.step, log.variant, log.value]
    if leads.held:
        planned = leads.unheld(log.lead, log.time)
        columns = [c[planned] for c in columns]
    if extra:
        added = np.array(extra, dtype=np.int64).T
        columns = [np.concatenate([c.astype(np.int64), added[i]]) for i, c in enumerate(columns)]
    mask = (columns[0] <= window.now) & (leads.deleted[columns[1]] > window.now)
    if window.start is not None:
        mask &= columns[0] >= window.start
    if window.end is not None:
        mask &= columns[0] < window.end
    picked = [c[mask] for c in columns]
    time, lead, kind, step, variant, value = picked
    return Events(time, lead, kind, step, variant, value, leads.campaign[lead])


def _unique(values: np.ndarray) -> int:
    return len(np.unique(values))


def _metrics(e: Events) -> dict[str, int]:
    """The counts every analytics endpoint shares, over one selection of campaign events."""
    sent, opened, clicked = e.of(ev.SEND), e.of(ev.OPEN), e.of(ev.CLICK)
    replies, auto = e.of(ev.REPLY), e.of(ev.AUTO_REPLY)
    positive = e.where((e.kind == ev.INTEREST) & np.isin(e.value, POSITIVE))
    return {
        "sent": len(sent.time),
        "contacted": _unique(sent.lead),
        "new_leads_contacted": int((sent.step == 0).sum()),
        "opened": len(opened.time),
        "unique_opened": _unique(opened.lead),
        "replies": len(replies.time),
        "unique_replies": _unique(replies.lead),
        "replies_automatic": len(auto.time),
        "unique_replies_automatic": _unique(auto.lead),
        "clicks": len(clicked.time),
        "unique_clicks": _unique(clicked.lead),
        "opportunities": len(positive.time),
        "unique_opportunities": _unique(positive.lead),
    }


def _campaign_events(world: InstantlyWorld, window: Window, campaigns: list[int]) -> Events:
    e = events(world, window)
    return e.where(np.isin(e.campaign, campaigns) & ~np.isin(e.kind, ev.SUB_KINDS))


def totals(world: InstantlyWorld, window: Window, campaigns: list[int]) -> list[dict[str, Any]]:
    """`GET /campaigns/analytics`: one row per campaign."""
    everything = events(world, window)
    leads = world.leads
    rows = []
    for c in campaigns:
        campaign = world.campaigns[c]
        e = everything.where((everything.campaign == c) & ~np.isin(everything.kind, ev.SUB_KINDS))
        m = _metrics(e)
        opportunities = m["unique_opportunities"]
        members = np.nonzero(leads.campaign == c)[0]
        row = {
            "campaign_name": campaign["name"],
            "campaign_id": campaign["id"],
            "campaign_status": campaign["status"],
            "campaign_is_evergreen": campaign["is_evergreen"],
            "leads_count": int(leads.exists(members, window.now).sum()),
            "contacted_count": m["contacted"],
            "emails_sent_count": m["sent"],
            "new_leads_contacted_count": m["new_leads_contacted"],
        }
        for name, metric, kind in COUNTED_BY_STEP:
            row[name] = m[metric]
            row[f"{name}_unique"] = m[f"unique_{metric}"]
            row[f"{name}_unique_by_step"] = _unique(e.of(kind).lead * 8 + e.of(kind).step)
        rows.append(row | {
            "bounced_count": len(e.of(ev.BOUNCE).time),
            "unsubscribed_count": len(e.of(ev.UNSUBSCRIBE).time),
            "completed_count": len(e.of(ev.COMPLETE).time),
            "total_opportunities": opportunities,
            "total_opportunity_value": opportunities * (campaign.get("pl_value") or 0),
        })  # fmt: skip
    return rows


def daily(world: InstantlyWorld, window: Window, campaigns: list[int]) -> list[dict[str, Any]]:
    """`GET /campaigns/analytics/daily`: one row per UTC date with activity, summed over
    `campaigns` (every campaign when the client names none)."""
    e = _campaign_events(world, window, campaigns)
    days = e.time // DAY
    rows = []
    for day in np.unique(days).tolist():
        date = str(np.datetime64(int(day), "D"))
        rows.append({"date": date, **_metrics(e.where(days == day))})
    return rows


def steps(
    world: InstantlyWorld, window: Window, campaigns: list[int], opportunities: bool
) -> list[dict[str, Any]]:
    """`GET /campaigns/analytics/steps`: one row per (step, variant), zero-based strings."""
    counted = (ev.SEND, ev.OPEN, ev.CLICK, ev.REPLY, ev.AUTO_REPLY)
    e = _campaign_events(world, window, campaigns).of(*counted, *(ev.INTEREST,) * opportunities)
    rows = []
    pairs = sorted(
        {(int(s), int(v)) for s, v in zip(e.step.tolist(), e.variant.tolist(), strict=True)}
    )
    for s, v in pairs:
        part = e.where((e.step == s) & (e.variant == v))
        m = _metrics(part)
        row: dict[str, Any] = {
            "step": str(s) if s >= 0 else None,
            "variant": str(v) if s >= 0 else None,
        }
        row.update(
            {
                k: m[k]
                for k in (
                    "sent",
                    "opened",
                    "unique_opened",
                    "replies",
                    "unique_replies",
                    "replies_automatic",
                    "unique_replies_automatic",
                    "clicks",
                    "unique_clicks",
                )
            }
        )
        if opportunities:
            interest = part.of(ev.INTEREST)
            row.update(
                opportunities=m["opportunities"],
                unique_opportunities=m["unique_opportunities"],
                meetings_booked=int((interest.value == 2).sum()),
                won=int((interest.value == 4).sum()),
            )
        rows.append(row)
    return rows


def subsequences(world: InstantlyWorld, window: Window, campaign: int) -> list[dict[str, Any]]:
    """`GET /subsequences/analytics`: the campaign's subsequences, each with its own sends and
    unique opens (no lead replies to a subsequence in this world)."""
    subs = events(world, window).of(ev.SUB_SEND, ev.SUB_OPEN)
    parent = world.campaigns[campaign]["id"]
    rows = []
    for k, sub in enumerate(world.subsequences):
        if sub["parent_campaign"] != parent:
            continue
        own = subs.where(subs.value == k)
        rows.append(
            {
                "subsequence_id": sub["id"],
                "emails_sent": len(own.of(ev.SUB_SEND).time),
                "unique_opens": _unique(own.of(ev.SUB_OPEN).lead),
                "unique_replies": 0,
            }
        )
    return rows
