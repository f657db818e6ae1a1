"""The activity of a seeded Instantly workspace as one event log.

Every lead's life is planned when the world is made: the campaign's steps sent one after the
other, opens, clicks, then one outcome (completes without reply, a reply, an automatic reply, a
bounce, an unsubscribe, a pause, a skip), an interest change after a reply, and a subsequence for
the leads whose interest or completion matches one's conditions. Each event has its instant; what
the API shows at time T is the reduction of the events at or before T. Leads, emails and analytics
all read this one log, so they agree with each other by construction, and moving the clock moves
the world on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

MINUTE = 60_000_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
MAX_STEPS = 5
MAX_SUB_STEPS = 3
(
    SEND,
    OPEN,
    CLICK,
    REPLY,
    AUTO_REPLY,
    BOUNCE,
    UNSUBSCRIBE,
    INTEREST,
    COMPLETE,
    SKIP,
    PAUSE,
    SUB_ADD,
    SUB_SEND,
    SUB_OPEN,
    SUB_REMOVE,
) = range(1, 16)
EMAIL_KINDS = (SEND, REPLY, AUTO_REPLY, SUB_SEND)
SUB_KINDS = (SUB_ADD, SUB_SEND, SUB_OPEN, SUB_REMOVE)
# Outcomes of a lead's campaign, and how often each is planned.
DONE, REPLIED, AUTO, BOUNCED, UNSUBSCRIBED, PAUSED, SKIPPED = range(7)
OUTCOME_P = (0.58, 0.13, 0.05, 0.09, 0.07, 0.04, 0.04)
# Interest after a real reply (docs/vendors/instantly.md: 1 Interested, 2 Meeting Booked, ...).
REPLY_INTEREST = np.array([1, 1, 1, 2, 3, 4, -1, -1, -1, -2, -3, -4], dtype=np.int16)
INTEREST_CODES = (0, 1, 2, 3, 4, -1, -2, -3, -4)


def ms(values: np.ndarray) -> np.ndarray:
    """Instants rounded down to whole milliseconds, as the vendor stores them."""
    return values // 1000 * 1000


@dataclass(frozen=True)
class CampaignShape:
    """What the plan needs of the campaigns and subsequences, as arrays indexed by position."""

    n_steps: np.ndarray  # (C,)
    offsets: np.ndarray  # (C, MAX_STEPS) µs from a lead's start to each step: earlier delays
    n_variants: np.ndarray  # (C, MAX_STEPS)
    last_delay: np.ndarray  # (C,) µs: the final step's delay, after which a lead completes
    stop_on_auto_reply: np.ndarray  # (C,) bool
    sub_for_interest: np.ndarray  # (C, 9) subsequence index per INTEREST_CODES, or -1
    sub_for_completed: np.ndarray  # (C,) subsequence for "completed without reply", or -1
    sub_steps: np.ndarray  # (S,)
    sub_offsets: np.ndarray  # (S, MAX_SUB_STEPS) µs from joining (pre_delay included)
    sub_variants: np.ndarray  # (S, MAX_SUB_STEPS)

    @classmethod
    def of(cls, campaigns: list[dict[str, Any]], subsequences: list[dict[str, Any]]) -> Any:
        n = max(1, len(campaigns))
        shape = {
            "n_steps": np.zeros(n, np.int64),
            "offsets": np.zeros((n, MAX_STEPS), np.int64),
            "n_variants": np.ones((n, MAX_STEPS), np.int64),
            "last_delay": np.zeros(n, np.int64),
            "stop_on_auto_reply": np.zeros(n, bool),
            "sub_for_interest": np.full((n, len(INTEREST_CODES)), -1, np.int64),
            "sub_for_completed": np.full(n, -1, np.int64),
        }
        for c, campaign in enumerate(campaigns):
            steps = campaign["sequences"][0]["steps"]
            delays = [_delay(s["delay"], s.get("delay_unit", "days")) for s in steps]
            shape["n_steps"][c] = len(steps)
            shape["offsets"][c, : len(steps)] = np.cumsum([0, *delays[:-1]])
            shape["n_variants"][c, : len(steps)] = [len(s["variants"]) for s in steps]
            shape["last_delay"][c] = delays[-1]
            shape["stop_on_auto_reply"][c] = campaign["stop_on_auto_reply"]
        by_id = {campaign["id"]: c for c, campaign in enumerate(campaigns)}
        sub = {
            "sub_steps": np.zeros(max(1, len(subsequences)), np.int64),
            "sub_offsets": np.zeros((max(1, len(subsequences)), MAX_SUB_STEPS), np.int64),
            "sub_variants": np.ones((max(1, len(subsequences)), MAX_SUB_STEPS), np.int64),
        }
        for k, subsequence in enumerate(subsequences):
            c = by_id[subsequence["parent_campaign"]]
            for code in subsequence["conditions"].get("crm_status", []):
                column = INTEREST_CODES.index(code)
                if shape["sub_for_interest"][c, column] < 0:
                    shape["sub_for_interest"][c, column] = k
            if 91 in subsequence["conditions"].get("lead_activity", []):
                shape["sub_for_completed"][c] = k
            steps = subsequence["sequences"][0]["steps"]
            first = _delay(steps[0].get("pre_delay", 0), steps[0].get("pre_delay_unit", "days"))
            delays = [_delay(s["delay"], s.get("delay_unit", "days")) for s in steps]
            sub["sub_steps"][k] = len(steps)
            sub["sub_offsets"][k, : len(steps)] = first + np.cumsum([0, *delays[:-1]])
            sub["sub_variants"][k, : len(steps)] = [len(s["variants"]) for s in steps]
        return cls(**shape, **sub)


def _delay(value: float, unit: str) -> int:
    return int(value * {"minutes": MINUTE, "hours": HOUR, "days": DAY}[unit])


@dataclass
class EventLog:
    """Every planned event, sorted by (lead, time): lead k's are `[offsets[k], offsets[k+1])`."""

    time: np.ndarray  # int64 µs, whole milliseconds
    lead: np.ndarray  # int64
    kind: np.ndarray  # int8
    step: np.ndarray  # int8, -1 when the event has no step
    variant: np.ndarray  # int8
    value: np.ndarray  # int16: the interest for INTEREST, the subsequence for SUB_*
    offsets: np.ndarray  # int64, n_leads + 1


class _Builder:
    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(
        self,
        leads: np.ndarray,
        time: np.ndarray,
        kind: int,
        step: Any = -1,
        variant: Any = -1,
        value: Any = 0,
    ) -> None:
        k = len(leads)
        if k:
            self.parts.append(
                (
                    leads,
                    ms(time),
                    np.full(k, kind),
                    np.broadcast_to(step, k),
                    np.broadcast_to(variant, k),
                    np.broadcast_to(value, k),
                )
            )

    def build(self, n_leads: int) -> EventLog:
        cols = [
            np.concatenate([p[i] for p in self.parts]) if self.parts else np.zeros(0)
            for i in range(6)
        ]
        lead, time = cols[0].astype(np.int64), cols[1].astype(np.int64)
        order = np.lexsort((cols[2], time, lead))
        lead = lead[order]
        return EventLog(
            time[order],
            lead,
            cols[2][order].astype(np.int8),
            cols[3][order].astype(np.int8),
            cols[4][order].astype(np.int8),
            cols[5][order].astype(np.int16),
            np.searchsorted(lead, np.arange(n_leads + 1)).astype(np.int64),
        )


def plan(
    rng: np.random.Generator,
    shape: CampaignShape,
    created: np.ndarray,
    campaign: np.ndarray,
    unreachable: np.ndarray | None = None,
) -> EventLog:
    """Every lead's planned events (leads without a campaign have none; `unreachable` ones,
    without an address, are skipped by their campaign)."""
    n = len(created)
    out = _Builder()
    every = np.arange(n)
    c = np.where(campaign >= 0, campaign, 0)
    steps = np.where(campaign >= 0, shape.n_steps[c], 0)
    outcome = rng.choice(len(OUTCOME_P), n, p=OUTCOME_P)
    if unreachable is not None:
        outcome = np.where(unreachable, SKIPPED, outcome)
    at = (rng.random(n) * steps).astype(np.int64)  # the step of the outcome
    runs_on = (outcome == DONE) | ((outcome == AUTO) & ~shape.stop_on_auto_reply[c])
    last = np.where(runs_on, steps - 1, at)
    last = np.where((outcome == SKIPPED) | (campaign < 0), -1, last)
    start = created + rng.integers(HOUR, 2 * DAY, n)
    sent = np.zeros((n, MAX_STEPS), np.int64)
    variant = rng.integers(0, 1 << 20, (n, MAX_STEPS)) % shape.n_variants[c]
    for s in range(MAX_STEPS):
        sent[:, s] = ms(start + shape.offsets[c, s] + rng.integers(0, 3 * HOUR, n))
        m = every[s <= last]
        out.add(m, sent[m, s], SEND, s, variant[m, s])
    opener = (rng.random(n) < 0.45) & (last >= 0)
    open_from = (rng.random(n) * (last + 1)).astype(np.int64)
    open_delay = rng.integers(5 * MINUTE, DAY, n)
    clicker = opener & (rng.random(n) < 0.3)
    click_from = open_from + (rng.random(n) * (last - open_from + 1)).astype(np.int64)
    for s in range(MAX_STEPS):
        m = every[opener & (s >= open_from) & (s <= last)]
        out.add(m, sent[m, s] + open_delay[m], OPEN, s, variant[m, s])
        m = every[clicker & (s >= click_from) & (s <= last)]
        out.add(m, sent[m, s] + open_delay[m] + 10 * MINUTE, CLICK, s, variant[m, s])
    replied = every[((outcome == REPLIED) | (outcome == AUTO)) & (last >= 0)]
    reply_at = sent[replied, at[replied]] + rng.integers(HOUR, 3 * DAY, len(replied))
    auto = outcome[replied] == AUTO
    for kind, m in ((REPLY, ~auto), (AUTO_REPLY, auto)):
        out.add(replied[m], reply_at[m], kind, at[replied[m]], variant[replied[m], at[replied[m]]])
    interest = np.where(auto, 0, rng.choice(REPLY_INTEREST, len(replied)))
    interest_at = np.where(
        auto, reply_at + MINUTE, reply_at + rng.integers(10 * MINUTE, 2 * DAY, len(replied))
    )
    out.add(replied, interest_at, INTEREST, at[replied], variant[replied, at[replied]], interest)
    stops = ~runs_on[replied]
    out.add(replied[stops], reply_at[stops] + 1000, COMPLETE)
    for kind, outcome_kind, delay in (
        (BOUNCE, BOUNCED, 5 * MINUTE),
        (PAUSE, PAUSED, HOUR),
        (UNSUBSCRIBE, UNSUBSCRIBED, 26 * HOUR),
    ):
        m = every[(outcome == outcome_kind) & (last >= 0)]
        out.add(m, sent[m, at[m]] + delay, kind)
    m = every[(outcome == SKIPPED) & (campaign >= 0)]
    out.add(m, created[m] + 10 * MINUTE, SKIP)
    finished = every[runs_on & (last >= 0)]
    done_at = sent[finished, last[finished]] + shape.last_delay[c[finished]]
    out.add(finished, done_at, COMPLETE)
    # Subsequences: an interest matching a subsequence's crm_status, or a campaign completed
    # without a reply (lead_activity 91), moves the lead into it half an hour later.
    column = np.array([INTEREST_CODES.index(v) for v in range(-4, 5)])[interest + 4]
    joins = [(replied, shape.sub_for_interest[c[replied], column], interest_at)]
    no_reply = outcome[finished] == DONE
    joins.append(
        (finished[no_reply], shape.sub_for_completed[c[finished[no_reply]]], done_at[no_reply])
    )
    for leads, sub, since in joins:
        keep = sub >= 0
        _subsequence(rng, out, shape, leads[keep], sub[keep], since[keep] + 30 * MINUTE)
    return out.build(n)


def _subsequence(
    rng: np.random.Generator,
    out: _Builder,
    shape: CampaignShape,
    leads: np.ndarray,
    sub: np.ndarray,
    joined: np.ndarray,
) -> None:
    out.add(leads, joined, SUB_ADD, value=sub)
    opens = rng.random(len(leads)) < 0.35
    for s in range(MAX_SUB_STEPS):
        m = s < shape.sub_steps[sub]
        t = joined[m] + shape.sub_offsets[sub[m], s] + rng.integers(0, 2 * HOUR, int(m.sum()))
        v = rng.integers(0, 1 << 20, int(m.sum())) % shape.sub_variants[sub[m], s]
        out.add(leads[m], t, SUB_SEND, s, v, sub[m])
        o = opens[m]
        out.add(leads[m][o], t[o] + 2 * HOUR, SUB_OPEN, s, v[o], sub[m][o])
