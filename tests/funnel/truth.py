"""The cross-vendor funnel computed from the sandboxes' worlds, independently of the dbt models:
each vendor's enrollments and touches from its own records, the documented status rules written
out again here, and every view's numbers aggregated in Python."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.unify.bulk_truth import expected_steps
from tests.unify.truth import instant as unify_instant


def _iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Enrollment:
    vendor: str
    key: str
    vendor_id: str
    sequence: str
    person: str
    enrolled_at: datetime | None
    state: str
    reached: bool
    opened: bool | None  # None: the vendor does not say
    replied: bool | None
    positive: bool | None
    bounced: bool
    unsubscribed: bool
    first_sent_at: datetime | None


@dataclass(frozen=True)
class Touch:
    vendor: str
    enrollment: str
    sequence: str
    step: int | None
    kind: str


def unify_state(e: dict[str, Any]) -> str:
    """Stop flags first (canceled, bounced, opted out, excluded), then a finished enrollment,
    then a paused or blocked one (docs/vendors/unify.md, Statuses)."""
    for flag, state in (("is_canceled", "canceled"), ("is_bounced", "bounced"),
                        ("is_opted_out", "unsubscribed"), ("is_excluded", "canceled")):  # fmt: skip
        if e[flag]:
            return state
    if e["status"] == "FINISHED":
        return "finished"
    return "paused" if e["is_paused"] or e["is_blocked"] else "active"


def unify(state: Any, with_steps: bool) -> tuple[list[Enrollment], list[Touch]]:
    steps = expected_steps(state) if with_steps else set()
    # STEP_COLUMNS: 0 id, 2 enrollment_id, 3 sequence_id, 5 step_number, 17 sent_at, 18 opens,
    # 19 clicks, 20 email_is_bounced, 21 email_is_opted_out, 22 reply_email_message_id
    sent: dict[str, list[datetime]] = defaultdict(list)
    opens: dict[str, int] = defaultdict(int)
    answered: dict[str, int] = {}
    touches = []
    for s in steps:
        if s[17] is not None:
            sent[s[2]].append(s[17])
            touches.append(Touch("unify", f"unify:{s[2]}", f"unify:{s[3]}", s[5], "send"))
        for kind, had in (("open", (s[18] or 0) > 0), ("click", (s[19] or 0) > 0),
                          ("bounce", bool(s[20])), ("unsubscribe", bool(s[21]))):  # fmt: skip
            if had:  # the step says so, with no time
                touches.append(Touch("unify", f"unify:{s[2]}", f"unify:{s[3]}", s[5], kind))
        opens[s[2]] = max(opens[s[2]], s[18] or 0)
        if s[22] is not None:
            answered[s[22]] = min(answered.get(s[22], s[5]), s[5])
    rows = []
    for e in state.all_enrollments():
        reply = e["reply_email_message"]
        positive = bool(reply) and any(
            c["category"] == "POSITIVE" for c in reply["classifications"]
        )
        started = unify_instant(e["started_at"])
        first = min(sent[e["id"]]) if sent[e["id"]] else None
        rows.append(Enrollment(
            "unify", f"unify:{e['id']}", e["id"], f"unify:{e['sequence']['id']}",
            e["person"]["email"].lower(), unify_instant(e["created_at"]) or started,
            unify_state(e), first is not None if with_steps else started is not None,
            opens[e["id"]] > 0 if with_steps else None, bool(e["is_replied"]), positive,
            bool(e["is_bounced"]), bool(e["is_opted_out"]), first if with_steps else started,
        ))  # fmt: skip
        if reply and reply["received_at"]:
            touches.append(Touch("unify", f"unify:{e['id']}", f"unify:{e['sequence']['id']}",
                                 answered.get(reply["id"]), "reply"))  # fmt: skip
    return rows, touches


INSTANTLY_STATES = {1: "active", 2: "paused", 3: "finished", -1: "bounced", -2: "unsubscribed",
                    -3: "canceled"}  # fmt: skip


def instantly(state: Any) -> tuple[list[Enrollment], list[Touch]]:
    emails = state.emails_now()
    sent: dict[str, list[datetime]] = defaultdict(list)
    for m in emails:
        if m["ue_type"] == 1 and m["lead_id"]:
            sent[m["lead_id"]].append(_iso(m["timestamp_email"]))
    blocked = {e["bl_value"].lower() for e in state.world.blocklist.entries}
    rows = []
    for lead in state.leads_now():
        if not lead["campaign"]:
            continue
        first = min(sent[lead["id"]]) if sent[lead["id"]] else None
        email = (lead["email"] or "").lower()
        held = lead["status"] == 1 and bool({email, email.rpartition("@")[2]} & blocked)
        rows.append(Enrollment(
            "instantly", f"instantly:{lead['id']}", lead["id"], f"instantly:{lead['campaign']}",
            lead["email"].lower() if lead["email"] else f"instantly-lead:{lead['id']}",
            _iso(lead["timestamp_created"]),
            "paused" if held else INSTANTLY_STATES[lead["status"]],
            bool(lead["timestamp_last_contact"]) or first is not None,
            lead["email_open_count"] > 0, lead["email_reply_count"] > 0,
            lead.get("lt_interest_status") in (1, 2, 3, 4), lead["status"] == -1,
            lead["status"] == -2, first,
        ))  # fmt: skip
    touches = [
        Touch("instantly", f"instantly:{m['lead_id']}", f"instantly:{m['campaign_id']}",
              int(m["step"]) + 1, "send" if m["ue_type"] == 1 else "reply")
        for m in emails
        if m["ue_type"] in (1, 2) and m["campaign_id"] and m["lead_id"]
    ]  # fmt: skip
    return rows, touches


SEQUENZY_STATES = {"active": "active", "waiting": "active", "paused": "paused",
                   "completed": "finished", "failed": "failed", "cancelled": "canceled"}  # fmt: skip
SEQUENZY_TOUCHES = {"send", "open", "click", "bounce", "unsubscribe"}


def sequenzy(state: Any) -> tuple[list[Enrollment], list[Touch]]:
    steps = {e["nodeId"]: e["stepNumber"] for s in state.world.sequences for e in s.emails}
    kinds: dict[str, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    touches = []
    for truth in state.events_now():
        ev = truth.event
        kinds[truth.enrollment_id][ev["eventType"]].append(_iso(ev["eventTime"]))
        if ev["eventType"] in SEQUENZY_TOUCHES:
            touches.append(Touch("sequenzy", f"sequenzy:{truth.enrollment_id}",
                                 f"sequenzy:{truth.sequence_id}",
                                 steps.get(ev["campaignId"]), ev["eventType"]))  # fmt: skip
    rows, replied = [], state.replied_now()
    for e in state.enrollments_now():
        seen = kinds[e["enrollmentId"]]
        rows.append(Enrollment(
            "sequenzy", f"sequenzy:{e['enrollmentId']}", e["enrollmentId"],
            f"sequenzy:{e['sequenceId']}",
            e["email"].lower() if e["email"] else f"sequenzy-subscriber:{e['subscriberId']}",
            _iso(e["enrollmentStartedAt"]),
            SEQUENZY_STATES[e["status"]], bool(seen["send"]), bool(seen["open"]),
            e["enrollmentId"] in replied, None,
            bool(seen["bounce"]), bool(seen["unsubscribe"]),
            min(seen["send"]) if seen["send"] else None,
        ))  # fmt: skip
    return rows, touches


@dataclass(frozen=True)
class PersonSequence:
    vendor: str
    sequence: str
    person: str
    first_enrolled_at: datetime | None
    state: str
    reached: bool
    opened: bool | None
    replied: bool | None
    positive: bool | None
    bounced: bool
    unsubscribed: bool


def _any(values: Iterable[bool | None]) -> bool | None:
    known = [v for v in values if v is not None]
    return any(known) if known else None


def person_sequences(enrollments: list[Enrollment]) -> list[PersonSequence]:
    groups: dict[tuple[str, str], list[Enrollment]] = defaultdict(list)
    for e in enrollments:
        groups[(e.sequence, e.person)].append(e)
    out = []
    for (sequence, person), rows in groups.items():
        dated = [r for r in rows if r.enrolled_at is not None]
        latest = max(dated, key=lambda r: (r.enrolled_at, r.vendor_id)) if dated else max(
            rows, key=lambda r: r.vendor_id)  # fmt: skip
        out.append(PersonSequence(
            rows[0].vendor, sequence, person,
            min((r.enrolled_at for r in dated), default=None), latest.state,
            any(r.reached for r in rows), _any(r.opened for r in rows),
            _any(r.replied for r in rows), _any(r.positive for r in rows),
            any(r.bounced for r in rows), any(r.unsubscribed for r in rows),
        ))  # fmt: skip
    return out


def _known(rows: list[PersonSequence], field: str) -> int | None:
    values = [getattr(r, field) for r in rows]
    return sum(bool(v) for v in values) if any(v is not None for v in values) else None


def _rate(rows: list[PersonSequence], field: str) -> float | None:
    """As SQL's round: halves away from zero (4 of 64 is 6.3, where Python's round says 6.2)."""
    base = [r for r in rows if r.reached and getattr(r, field) is not None]
    if not base:
        return None
    share = Decimal(100 * sum(bool(getattr(r, field)) for r in rows)) / len(base)
    return float(share.quantize(Decimal("0.1"), ROUND_HALF_UP))


# The columns of every funnel view, as dbt/macros/funnel_measures.sql names them, in its order
MEASURES = ("enrolled, reached, opened, replied, positive, bounced, unsubscribed, in_progress,"
            " finished, stopped, reply_rate_pct, positive_rate_pct, bounce_rate_pct")  # fmt: skip


def measures(rows: list[PersonSequence]) -> tuple:
    """As dbt/macros/funnel_measures.sql names them, in its order."""
    return (
        len(rows), sum(r.reached for r in rows), _known(rows, "opened"), _known(rows, "replied"),
        _known(rows, "positive"), sum(r.bounced for r in rows),
        sum(r.unsubscribed for r in rows),
        sum(r.state in ("active", "paused") for r in rows),
        sum(r.state == "finished" for r in rows),
        sum(r.state in ("canceled", "failed") for r in rows),
        _rate(rows, "replied"), _rate(rows, "positive"), _rate(rows, "bounced"),
    )  # fmt: skip


def _close(a: Any, b: Any) -> bool:
    """Equal, rates within the last digit's rounding (SQL rounds halves away from zero)."""
    if isinstance(a, float) or isinstance(b, float) or type(a).__name__ == "Decimal":
        return a is not None and b is not None and abs(float(a) - float(b)) <= 0.051
    return a == b


def assert_same(loaded: dict, expected: dict, what: str) -> None:
    """Rows keyed alike, equal row by row (rates as `_close`)."""
    assert set(loaded) == set(expected), (
        f"{what}: keys differ: {sorted(set(loaded) ^ set(expected), key=str)[:3]}"
    )
    for key, row in expected.items():
        got = loaded[key]
        assert len(got) == len(row) and all(map(_close, got, row)), (
            f"{what} {key}: {list(got)} != {list(row)}"
        )


def grouped(rows: list[PersonSequence], key: Any) -> dict[Any, list[PersonSequence]]:
    out: dict[Any, list[PersonSequence]] = defaultdict(list)
    for r in rows:
        out[key(r)].append(r)
    return out


def week(at: datetime) -> Any:
    return (at - timedelta(days=at.weekday())).date()


# What each vendor says of an email step (docs/funnel.md's per-step rule): None elsewhere
STEP_KINDS = {
    "unify": {"send", "open", "click", "reply", "bounce", "unsubscribe"},
    "instantly": {"send", "reply"},
    "sequenzy": {"send", "open", "click", "bounce", "unsubscribe"},
}


def by_step(touches: list[Touch], people: dict[str, str]) -> dict[tuple, tuple]:
    """(vendor, sequence, step) -> sends and the people sent, opened, clicked, replied, bounced
    and unsubscribed (None where the vendor does not say it of a step); only touches of loaded
    enrollments (`people`: enrollment -> person)."""
    groups: dict[tuple, list[Touch]] = defaultdict(list)
    for t in touches:
        if t.step is not None and t.enrollment in people:
            groups[(t.vendor, t.sequence, t.step)].append(t)
    out = {}
    for key, rows in groups.items():

        def who(kind: str, rows: list[Touch] = rows, vendor: str = key[0]) -> int | None:
            if kind not in STEP_KINDS[vendor]:
                return None
            return len({people[t.enrollment] for t in rows if t.kind == kind})

        out[key] = (sum(t.kind == "send" for t in rows), who("send"), who("open"), who("click"),
                    who("reply"), who("bounce"), who("unsubscribe"))  # fmt: skip
    return out


def people(enrollments: list[Enrollment]) -> dict[str, tuple]:
    """person -> (vendors, tools, tools that reached them, sequences, enrollments, reached,
    replied anywhere, positive anywhere, emailed after positive)."""
    mine: dict[str, list[Enrollment]] = defaultdict(list)
    for e in enrollments:
        mine[e.person].append(e)
    out = {}
    for person, rows in mine.items():
        vendors = sorted({r.vendor for r in rows})
        reached_by = {r.vendor for r in rows if r.reached}
        still = any(
            p.positive and o.sequence != p.sequence and o.state == "active"
            for p in rows for o in rows
        )  # fmt: skip
        out[person] = (
            ",".join(vendors), len(vendors), len(reached_by), len({r.sequence for r in rows}),
            len(rows), any(r.reached for r in rows), _any(r.replied for r in rows),
            _any(r.positive for r in rows), still,
        )  # fmt: skip
    return out


def stopped_after_answer(enrollments: list[Enrollment]) -> dict[str, str]:
    """The built-in guard's targets (guard_stop_after_answer): enrollment key -> person, for each
    active enrollment of a person who replied positively, unsubscribed or bounced in another
    sequence."""
    answered: dict[str, set[str]] = defaultdict(set)
    for e in enrollments:
        if e.positive or e.unsubscribed or e.bounced:
            answered[e.person].add(e.sequence)
    return {e.key: e.person for e in enrollments
            if e.state == "active" and answered[e.person] - {e.sequence}}  # fmt: skip
