"""Rows of the Bulk API (query jobs): `SequenceEnrollment` and `SequenceEnrollmentStep`.

Enrollment steps are not stored: they follow from an enrollment's columns and the clock. Step 1
runs when the enrollment starts, step j after the TIMER waits of the sequence's steps; a step
runs only before the enrollment ended (and while it is not blocked or paused). The last step that
ran carries the outcome (reply, bounce, opt-out) from the moment the enrollment ended; the step
due next is SCHEDULED, or CANCELED once the enrollment ended early. Every change to a step moves
its `updated_at` forward, so incremental exports of steps see each change.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox.common.clock import US
from sandbox.common.ids import splitmix64
from sandbox.unify import words
from sandbox.unify.enrollments import (
    BLOCKED,
    BOUNCED,
    CANCELED,
    NULL,
    OPTED_OUT,
    PAUSED,
    REPLIED,
    STATUSES,
)
from sandbox.unify.render import reply_message, rfc3339_many
from sandbox.unify.world import World

BULK_FLAGS = (
    ("is_blocked", BLOCKED), ("is_bounced", BOUNCED), ("is_canceled", CANCELED),
    ("is_opted_out", OPTED_OUT), ("is_paused", PAUSED), ("is_replied", REPLIED),
)  # fmt: skip
# (j, status, step_number, started_at, updated_at, flag bits, carries_outcome)
StepRun = tuple[int, str, int | None, int | None, int, int, bool]
EMAIL_TYPES = ("AUTOMATIC_EMAIL", "MANUAL_EMAIL")
INF = np.iinfo(np.int64).max
SECOND = US
UNIT_US = {"seconds": US, "minutes": 60 * US, "hours": 3600 * US, "days": 86_400 * US,
           "weeks": 7 * 86_400 * US}  # fmt: skip


def step_offsets(world: World, seq: int) -> list[int]:
    """When each step of a sequence runs, from the enrollment's start (µs)."""
    cache = world.__dict__.setdefault("_step_offsets", {})
    if seq not in cache:
        total, offsets = 0, []
        for j, step in enumerate(world.sequences[seq].steps):
            condition = (step["dependencies"] or [{}])[0].get("condition") or {}
            timers = [condition, *condition.get("subconditions", [])]
            wait = max((c["duration_value"] * UNIT_US[c["duration_unit"]] for c in timers
                        if c.get("type") == "TIMER"), default=0)  # fmt: skip
            total += 0 if j == 0 else wait
            offsets.append(total + j * SECOND)  # a second apart at least: a stable order
        cache[seq] = offsets
    return cache[seq]


def company(world: World, person: int) -> dict[str, Any] | None:
    """A person's company, from the domain of their email; one person in ten has none."""
    h = splitmix64(world._person_key ^ person)
    if (h >> 40) % 10 == 0:
        return None
    d = (h >> 24) % len(words.COMPANY_DOMAINS)
    domain = words.COMPANY_DOMAINS[d]
    name = domain.split(".")[0].replace("-", " ").title()
    return {
        "id": world.ids["company"].make(d),
        "name": name,
        "domain": domain,
        "description": None if d % 4 == 0 else f"{name} builds software for revenue teams.",
        "linkedin_url": f"https://www.linkedin.com/company/{d}-{domain.split('.')[0]}",
    }


def bulk_person(world: World, person: int, *, with_description: bool) -> dict[str, Any]:
    row = dict(world.person(person))
    firm = company(world, person)
    if firm is not None and not with_description:
        firm = {k: v for k, v in firm.items() if k != "description"}
    return row | {"company": firm}


def bulk_mailbox(world: World, mailbox: int) -> dict[str, Any]:
    m = world.mailboxes[mailbox]
    owner = world.users[mailbox % len(world.users)]
    forward = f"replies+{mailbox}@{m['email'].split('@')[1]}" if mailbox % 3 == 0 else None
    return {
        "id": m["id"], "email_address": m["email"], "forward_to_email_address": forward,
        "secondary_forward_to_email_address": None, "user": dict(owner),
        "secondary_forward_to_user": None,
    }  # fmt: skip


def _version(world: World, seq: int) -> int | None:
    steps = world.sequences[seq].steps
    return steps[0]["version_number"] if steps else None


def enrollments(world: World, cols: dict[str, np.ndarray], idx: list[int]) -> list[dict]:
    """Bulk `SequenceEnrollment` rows: no created_at, no is_excluded, a version, and the
    mailbox and person in their bulk shapes (the person with a company)."""
    ix = np.asarray(idx, dtype=np.int64)
    ts = {name: rfc3339_many(cols[name][ix]) for name in ("updated_at", "started_at", "ended_at")}
    rows = []
    for k, i in enumerate(idx):
        flags, seq, play = int(cols["flags"][i]), int(cols["sequence"][i]), int(cols["play"][i])
        sequence = world.sequences[seq]
        row: dict[str, Any] = {"id": world.ids["enroll"].make(i), "updated_at": ts["updated_at"][k],
                               "status": STATUSES[cols["status"][i]]}  # fmt: skip
        row |= {name: bool(flags & bit) for name, bit in BULK_FLAGS}
        row |= {
            "version": _version(world, seq) if cols["started_at"][i] != NULL else None,
            "started_at": ts["started_at"][k], "ended_at": ts["ended_at"][k],
            "sequence": {"id": sequence.id, "name": sequence.body["name"]},
            "mailbox": bulk_mailbox(world, int(cols["mailbox"][i])),
            "person": bulk_person(world, int(cols["person"][i]), with_description=True),
            "enrolled_by_play": world.plays[play] if play >= 0 else None,
            "reply_email_message": reply_message(world, i, flags, int(cols["reply_classes"][i])),
        }  # fmt: skip
        rows.append(row)
    return rows


def step_plan(world: World, cols: dict[str, np.ndarray], i: int, now: int) -> list[StepRun]:
    """The step executions of enrollment `i` as of `now`:
    (j, status, step_number, started_at, updated_at, flag bits, carries_outcome)."""
    start = int(cols["started_at"][i])
    if start == NULL:
        return []
    flags, ended = int(cols["flags"][i]), int(cols["ended_at"][i])
    updated = int(cols["updated_at"][i])
    end = INF if ended == NULL else ended
    held = flags & (BLOCKED | PAUSED)
    cutoff = min(end - 1, now, updated if held else INF)
    times = [start + off for off in step_offsets(world, int(cols["sequence"][i]))]
    ran = [j for j, t in enumerate(times) if t <= cutoff]
    plan: list[StepRun] = []
    outcome = flags & (REPLIED | BOUNCED | OPTED_OUT) if ended != NULL else 0
    for j in ran:
        last = j == ran[-1]
        bits = outcome if last else 0
        stamp = max(times[j], end) if last and outcome else times[j]
        plan.append((j, "FINISHED", j + 1, times[j], stamp, bits, last and bool(outcome)))
    nxt = len(ran)
    if nxt < len(times):
        previous = times[ran[-1]] if ran else start
        if ended != NULL:  # ended before this step ran
            plan.append((nxt, "CANCELED", None, None, max(previous, end), CANCELED, False))
        elif held:
            plan.append((nxt, "PENDING", None, None, max(previous, updated), held, False))
        else:
            plan.append((nxt, "SCHEDULED", None, None, previous, 0, False))
    return plan


def _engagement(i: int, j: int) -> tuple[int, int]:
    h = splitmix64((i << 8) ^ j ^ 0xE17A11)
    opens = (h % 5) if h % 3 else 0
    clicks = ((h >> 8) % 3) if opens and (h >> 16) % 4 == 0 else 0
    return opens, clicks


def steps(world: World, cols: dict[str, np.ndarray], plans: list[tuple[int, tuple]]) -> list[dict]:
    """Bulk `SequenceEnrollmentStep` rows for (enrollment index, plan entry) pairs."""
    stamps = np.array([[p[3] if p[3] is not None else NULL, p[4]] for _, p in plans], np.int64)
    started = rfc3339_many(stamps[:, 0]) if len(plans) else []
    updated = rfc3339_many(stamps[:, 1]) if len(plans) else []
    rows = []
    for k, (i, (j, status, number, _, _, bits, outcome)) in enumerate(plans):
        seq = int(cols["sequence"][i])
        sequence, flags = world.sequences[seq], int(cols["flags"][i])
        step = sequence.steps[j]
        mailbox = bulk_mailbox(world, int(cols["mailbox"][i]))
        email = None
        if step["type"] in EMAIL_TYPES and status == "FINISHED":
            opens, clicks = _engagement(i, j)
            email = {
                "id": world.ids["email"].make(i * 16 + j), "subject": step["config"].get("subject"),
                "sent_at": started[k], "from_email_address": mailbox["email_address"],
                "is_bounced": bool(bits & BOUNCED), "is_opted_out": bool(bits & OPTED_OUT),
                "clicks": clicks, "opens": opens,
            }  # fmt: skip
        row: dict[str, Any] = {
            "id": world.ids["estep"].make(i * 16 + j), "updated_at": updated[k],
            "type": step["type"], "status": status,
        }  # fmt: skip
        row |= {name: bool(bits & bit) for name, bit in BULK_FLAGS}
        row |= {
            "sequence": {"id": sequence.id, "name": sequence.body["name"],
                         "version": step["version_number"]},
            "step_number": number, "started_at": started[k],
            "ended_at": started[k] if status == "FINISHED" else None,
            "enrollment": {
                "id": world.ids["enroll"].make(i), "mailbox": mailbox,
                "person": bulk_person(world, int(cols["person"][i]), with_description=False),
            },
            "email_message": email,
            "reply_email_message": (
                reply_message(world, i, flags, int(cols["reply_classes"][i])) if outcome else None
            ),
        }  # fmt: skip
        rows.append(row)
    return rows
