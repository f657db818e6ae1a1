"""The leads of a seeded Instantly workspace: columns for who each lead is, and their state at any
instant reduced from the event log (sandbox.instantly.activity).

Ids follow the vendor's note on `POST /leads/list` (docs/vendors/instantly.md, Leads): leads are
listed by id, ascending; ids of leads created on or after 2025-10-15 are time-ordered (UUIDv7), so
they list chronologically, and older leads have random ids (UUIDv4) that list out of sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sandbox.common.people import shared_address
from sandbox.common.text import ascii_fold
from sandbox.instantly import activity as ev

V7_SINCE_US = 1_760_486_400 * 1_000_000  # 2025-10-15T00:00:00Z
NEVER = np.iinfo(np.int64).max
_MASK62 = (1 << 62) - 1
FIRST = (
    "Amara",
    "Bruno",
    "Céline",
    "Diego",
    "Elif",
    "Farid",
    "Grace",
    "Hana",
    "Ivan",
    "Jun",
    "Kofi",
    "Léa",
    "Mateo",
    "Nadia",
    "Olu",
    "Priya",
    "Quinn",
    "Rafael",
    "Sofía",
    "Tomás",
)
LAST = (
    "Ahn",
    "Baker",
    "Costa",
    "Diallo",
    "Eriksen",
    "Fontaine",
    "García",
    "Hughes",
    "Ito",
    "Jovanović",
    "Kim",
    "López",
    "Müller",
    "Nakamura",
    "Okafor",
    "Petrov",
)
COMPANIES = (
    "Acme Robotics",
    "Bluefin Data",
    "Cobalt Health",
    "Dune Logistics",
    "Ember Labs",
    "Fjord Capital",
    "Granite Works",
    "Helix Bio",
    "Iris Media",
    "Juniper Cloud",
)
TITLES = ("CEO", "CTO", "VP Sales", "Head of Growth", "RevOps Manager", "Founder", "CFO")
VERIFICATION = np.array([1, 1, 1, 1, 1, -2, -3, 11])
ESP = np.array([1, 1, 2, 2, 3, 999, 9])


def without_email(k: Any) -> Any:
    """Whether lead `k` (a position, or an array of them) came without an address: 2 %, as
    imports without one do (the vendor's `Lead.email` is nullable). Such a lead is skipped by
    its campaign: nothing can be sent to it."""
    return (k * 2_654_435_761) % 4_294_967_296 % 1000 < 20


def without_name(k: Any) -> Any:
    """Whether lead `k` came without first and last names: 5 % (both nullable)."""
    return (k * 40_503) % 65_536 % 100 < 5


def _hex_id(hi: int, lo: int) -> str:
    h = f"{hi:016x}{lo:016x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class Leads:
    """Lead columns (one position per lead) and the ids' listing order."""

    created: np.ndarray  # int64 µs
    campaign: np.ndarray  # int64 campaign position, -1 for a lead only in a list
    id_hi: np.ndarray  # uint64
    id_lo: np.ndarray  # uint64
    traits: np.ndarray  # (n, 6) int64: first, last, company, title, verification, esp
    deleted: np.ndarray  # int64 µs when deleted, NEVER while it exists
    order: np.ndarray = field(init=False)  # positions in id order
    # the leads with addresses other worlds share (sandbox.common.people): the latest ones the
    # world starts with, as a team enrolls its best prospects in its newest campaigns
    shared: range = range(0)
    # Events the API's writes and the sandbox's controls add after generation, per lead.
    extra: dict[int, list[tuple[int, int, int, int, int]]] = field(default_factory=dict)
    # Per lead, the spans (from, until] its email or domain was on the block list: its planned
    # events in them never happen (sandbox.instantly.blocklist)
    held: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.order = np.lexsort((self.id_lo, self.id_hi))

    @classmethod
    def generate(cls, rng: np.random.Generator, created: np.ndarray, campaign: np.ndarray) -> Leads:
        n = len(created)
        rand_hi = rng.integers(0, 1 << 63, n, dtype=np.int64).astype(np.uint64)
        lo = (np.uint64(0b10) << np.uint64(62)) | (
            rng.integers(0, 1 << 62, n, dtype=np.int64).astype(np.uint64) & np.uint64(_MASK62)
        )
        v7 = (
            ((created // 1000).astype(np.uint64) << np.uint64(16))
            | np.uint64(0x7000)
            | (rand_hi & np.uint64(0xFFF))
        )
        v4 = (rand_hi & ~np.uint64(0xF000)) | np.uint64(0x4000)
        hi = np.where(created >= V7_SINCE_US, v7, v4)
        sizes = (len(FIRST), len(LAST), len(COMPANIES), len(TITLES), len(VERIFICATION), len(ESP))
        traits = np.stack([rng.integers(0, k, n) for k in sizes], axis=1)
        return cls(created, campaign, hi, lo, traits, np.full(n, NEVER, np.int64))

    def __len__(self) -> int:
        return len(self.created)

    def unheld(self, lead: np.ndarray, time: np.ndarray) -> np.ndarray:
        """Which planned events (by their leads and instants) a block did not hold back."""
        keep = np.ones(len(lead), bool)
        for k, spans in self.held.items():
            mine = lead == k
            for start, end in spans:
                keep &= ~(mine & (time > start) & (time <= end))
        return keep

    def is_held(self, k: int, time: int) -> bool:
        return any(start < time <= end for start, end in self.held.get(k, ()))

    def id_of(self, k: int) -> str:
        return _hex_id(int(self.id_hi[k]), int(self.id_lo[k]))

    def position(self, lead_id: str) -> int | None:
        """The lead with this id, or None."""
        try:
            value = int(lead_id.replace("-", ""), 16)
        except ValueError:
            return None
        hi, lo = np.uint64(value >> 64), np.uint64(value & ((1 << 64) - 1))
        sorted_hi = self.id_hi[self.order]
        at = int(np.searchsorted(sorted_hi, hi))
        while at < len(self.order) and sorted_hi[at] == hi:
            if self.id_lo[self.order[at]] == lo:
                return int(self.order[at])
            at += 1
        return None

    def after(self, lead_id: str | None) -> int:
        """Where listing resumes after `lead_id` (any UUID, listed or not): its rank in id order."""
        if lead_id is None:
            return 0
        value = int(lead_id.replace("-", ""), 16)
        hi, lo = np.uint64(value >> 64), np.uint64(value & ((1 << 64) - 1))
        sorted_hi = self.id_hi[self.order]
        at = int(np.searchsorted(sorted_hi, hi, side="left"))
        while at < len(self.order) and sorted_hi[at] == hi and self.id_lo[self.order[at]] <= lo:
            at += 1
        return at

    def exists(self, k: np.ndarray | int, now: int) -> Any:
        return (self.created[k] <= now) & (self.deleted[k] > now)

    def person(self, k: int) -> dict[str, str | None]:
        first, last, company, title = (int(v) for v in self.traits[k, :4])
        domain = ascii_fold(COMPANIES[company]).replace(" ", "") + ".example.com"
        email: str | None = f"{ascii_fold(FIRST[first])}.{ascii_fold(LAST[last])}.{k}@{domain}"
        if k in self.shared:
            email = shared_address(k - self.shared.start)
        elif without_email(k):
            email = None
        named = k in self.shared or not without_name(k)
        return {
            "first_name": FIRST[first] if named else None,
            "last_name": LAST[last] if named else None,
            "email": email,
            "company_name": COMPANIES[company],
            "company_domain": domain,
            "job_title": TITLES[title],
        }


@dataclass
class LeadState:
    """One lead's state at an instant: the reduction of its events up to then."""

    status: int = 1
    updated: int = 0
    opens: int = 0
    replies: int = 0
    clicks: int = 0
    opened: tuple[int, int] | None = None  # (step, variant) of the latest open
    replied: tuple[int, int] | None = None
    clicked: tuple[int, int] | None = None
    interest: int | None = None
    interest_at: int | None = None
    subsequence: int | None = None
    added_at: int | None = None
    last_send: tuple[str, int, int, int] | None = None  # (from, owner position, step, time)
    last_sub_send: tuple[int, int, int] | None = None  # (subsequence, step, time)
    last_contact: int | None = None
    last_open: int | None = None
    last_reply: int | None = None
    last_click: int | None = None
    events: int = 0


STATUS_OF = {ev.BOUNCE: -1, ev.UNSUBSCRIBE: -2, ev.PAUSE: 2, ev.SKIP: -3, ev.COMPLETE: 3}


def lead_events(leads: Leads, log: ev.EventLog, k: int, now: int) -> list[tuple[int, ...]]:
    """Lead k's events at or before `now`, in time order: (time, kind, step, variant, value)."""
    lo, hi = int(log.offsets[k]), int(log.offsets[k + 1])
    times = log.time[lo:hi]
    end = lo + int(np.searchsorted(times, now, side="right"))
    rows: list[tuple[int, ...]] = list(
        zip(
            log.time[lo:end].tolist(),
            log.kind[lo:end].tolist(),
            log.step[lo:end].tolist(),
            log.variant[lo:end].tolist(),
            log.value[lo:end].tolist(),
            strict=True,
        )
    )
    if k in leads.held:
        rows = [r for r in rows if not leads.is_held(k, r[0])]
    extra: list[tuple[int, ...]] = [e for e in leads.extra.get(k, ()) if e[0] <= now]
    return sorted(rows + extra) if extra else rows


def reduce(leads: Leads, log: ev.EventLog, k: int, now: int) -> LeadState:
    state = LeadState(updated=int(leads.created[k]))
    campaign = int(leads.campaign[k])
    for time, kind, step, variant, value in lead_events(leads, log, k, now):
        state.updated = max(state.updated, time)
        state.events += 1
        if kind in STATUS_OF:
            state.status = STATUS_OF[kind]
        elif kind == ev.SEND:
            state.last_send = ("campaign", campaign, step, time)
            state.last_contact = time
        elif kind in (ev.OPEN, ev.SUB_OPEN):
            state.opens += 1
            state.last_open = time
            if kind == ev.OPEN:
                state.opened = (step, variant)
        elif kind == ev.CLICK:
            state.clicks, state.last_click, state.clicked = state.clicks + 1, time, (step, variant)
        elif kind in (ev.REPLY, ev.AUTO_REPLY):
            state.replies, state.last_reply, state.replied = (
                state.replies + 1,
                time,
                (step, variant),
            )
        elif kind == ev.INTEREST:
            state.interest, state.interest_at = value, time
        elif kind == ev.SUB_ADD:
            state.subsequence, state.added_at, state.last_sub_send = value, time, None
        elif kind == ev.SUB_REMOVE:
            state.subsequence, state.added_at, state.last_sub_send = None, None, None
        elif kind == ev.SUB_SEND and state.subsequence == value:
            state.last_sub_send = (value, step, time)
            state.last_send = ("subsequence", value, step, time)
            state.last_contact = time
    return state
