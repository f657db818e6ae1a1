"""The small entities of a Unify workspace: users, mailboxes, plays, sequences and their steps.

They are few (at most a few hundred), so they are plain dicts in the API's shape. Persons are many,
so a person is computed from its index when rendered (`WorldPeople.render`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from sandbox.common.clock import US, format_rfc3339
from sandbox.common.ids import IdSpace, splitmix64
from sandbox.common.people import mixed_case, shared_address
from sandbox.common.text import ascii_fold
from sandbox.unify import words

DAY = 86_400 * US
STEP_TYPES_TASK = (
    "ACTION_ITEM",
    "PHONE_CALL",
    "MANUAL_LINKEDIN_CONNECTION",
    "MANUAL_LINKEDIN_MESSAGE",
    "MANUAL_LINKEDIN_PROFILE_VIEW",
)


def ascii_slug(text: str | None, fallback: str) -> str:
    slug = "".join(c for c in ascii_fold(text or "") if c.isalnum())
    return slug or fallback


@dataclass
class Sequence:
    index: int
    body: dict[str, Any]  # the API's Sequence object
    steps: list[dict[str, Any]]
    duration_us: int  # from enrollment start to the last step
    is_deleted: bool = False

    @property
    def id(self) -> str:
        return self.body["id"]

    @property
    def is_paused(self) -> bool:
        return self.body["is_paused"]


@dataclass
class World:
    seed: int
    users: list[dict[str, Any]] = field(default_factory=list)
    mailboxes: list[dict[str, Any]] = field(default_factory=list)
    plays: list[dict[str, Any]] = field(default_factory=list)
    sequences: list[Sequence] = field(default_factory=list)
    n_persons: int = 0
    shared_people: int = (
        0  # the first persons have addresses other worlds share (sandbox.common.people)
    )

    def __post_init__(self) -> None:
        self.ids = {k: IdSpace(self.seed, k) for k in ("person", "seq", "step", "mailbox", "play")}
        self.ids |= {k: IdSpace(self.seed, k) for k in ("user", "sched", "ruleset", "enroll")}
        self.ids |= {k: IdSpace(self.seed, k) for k in ("reply", "class")}
        self.ids |= {k: IdSpace(self.seed, k) for k in ("company", "email", "estep", "job")}
        self._person_key = splitmix64(self.seed ^ 0x5EED_0F_9E0913)

    def person(self, index: int) -> dict[str, Any]:
        """The embedded `person` object of an enrollment: a pure function of (seed, index)."""
        h = splitmix64(self._person_key ^ index)
        first, first_slug = _FIRST[h % len(_FIRST)]
        last, last_slug = _LAST[(h >> 8) % len(_LAST)]
        roll = (h >> 16) % 100
        linkedin = None
        if (h >> 32) % 100 >= 25:
            linkedin = f"https://www.linkedin.com/in/{first_slug}-{index:x}"
        return {
            "id": self.ids["person"].make(index),
            "email": mixed_case(shared_address(index))
            if index < self.shared_people
            else f"{first_slug}.{last_slug}{index}@{_DOMAINS[(h >> 24) % len(_DOMAINS)]}",
            "first_name": None if roll < 3 else first,
            "last_name": None if 3 <= roll < 6 else last,
            "linkedin_url": linkedin,
        }


_FIRST = [(name, ascii_slug(name, "contact")) for name in words.FIRST_NAMES]
_LAST = [(name, ascii_slug(name, "x")) for name in words.LAST_NAMES]
_DOMAINS = [
    ascii_slug(d.split(".")[0], "company") + "." + d.split(".", 1)[1] for d in words.COMPANY_DOMAINS
]


def build_world(seed: int, n_enrollments: int, anchor_us: int, span_days: int) -> World:
    rng = random.Random(seed)
    world = World(seed=seed, n_persons=max(1, int(n_enrollments * 0.85)))
    ids = world.ids
    first_enrollment = anchor_us - span_days * DAY
    for i, (first, last) in enumerate(words.OWNER_NAMES):
        email = f"{ascii_slug(first, 'owner')}.{ascii_slug(last, str(i))}@example.com"
        world.users.append(
            {"id": ids["user"].make(i), "email": email, "first_name": first, "last_name": last}
        )
    n_mailboxes = min(100, max(3, n_enrollments // 5000))
    for i in range(n_mailboxes):
        owner = world.users[i % len(world.users)]
        sender = words.SENDER_DOMAINS[i % len(words.SENDER_DOMAINS)]
        name = " ".join(p for p in (owner["first_name"], owner["last_name"]) if p) or None
        world.mailboxes.append(
            {
                "id": ids["mailbox"].make(i),
                "email": f"{ascii_slug(owner['first_name'], 'team')}{i}@{sender}",
                "display_name": None if rng.random() < 0.15 else name,
                "is_paused": rng.random() < 0.05,
                "is_unauthorized": rng.random() < 0.05,
            }
        )
    for i, name in enumerate(words.PLAY_NAMES[: max(3, min(10, n_enrollments // 1000))]):
        world.plays.append({"id": ids["play"].make(i), "name": name})
    schedules = [_send_schedule(ids["sched"].make(i), i, rng, first_enrollment) for i in range(3)]
    rulesets = [_ruleset(ids["ruleset"].make(i), i, rng, world, first_enrollment) for i in range(3)]
    n_sequences = min(200, max(5, n_enrollments // 2000))
    created = sorted(
        first_enrollment - rng.randint(1, 90) * DAY + rng.randint(0, DAY // 1000) * 1000
        for _ in range(n_sequences)
    )  # index order is creation order, which the list endpoint pages by
    for i, when in enumerate(created):
        world.sequences.append(_sequence(i, rng, world, when, anchor_us, schedules, rulesets))
    return world


def _stamp(rng: random.Random, start: int, end: int) -> int:
    """A random instant in [start, end], whole milliseconds, a third of them whole seconds."""
    us = rng.randint(start, max(start, end)) // 1000 * 1000
    return us // US * US if rng.random() < 0.33 else us


def _send_schedule(sid: str, i: int, rng: random.Random, before: int) -> dict[str, Any]:
    created = _stamp(rng, before - 400 * DAY, before - 200 * DAY)
    window = [{"start_time": {"hour": 8 + i, "minute": 0}, "end_time": {"hour": 17, "minute": 30}}]
    days: dict[str, Any] = {str(d): window if d <= 5 else None for d in range(1, 8)}
    zone = ("America/New_York", "Europe/Berlin", "Asia/Tokyo")[i % 3]
    return {
        "id": sid,
        "created_at": format_rfc3339(created),
        "updated_at": format_rfc3339(_stamp(rng, created, before)),
        "is_default": i == 0,
        "name": ("Business hours", "EU mornings", "APAC weekdays")[i % 3],
        "rules": {
            "time_zone": zone,
            "send_days": days,
            "skip_us_holidays": i == 0,
            "excluded_dates": [{"date": "2026-12-24", "should_recur": True}] if i != 2 else [],
        },
    }


def _ruleset(rid: str, i: int, rng: random.Random, world: World, before: int) -> dict[str, Any]:
    created = _stamp(rng, before - 400 * DAY, before - 200 * DAY)
    assign_user = world.users[i]["id"] if i == 1 else None
    return {
        "id": rid,
        "created_at": format_rfc3339(created),
        "updated_at": format_rfc3339(_stamp(rng, created, before)),
        "name": ("Default rules", "Strict re-enrollment", "Partner rules")[i],
        "is_default": i == 0,
        "automatic_enrollment_task_assignment": "ASSIGN_TO_USER"
        if assign_user
        else "ASSIGN_TO_MAILBOX_OWNER",
        "automatic_enrollment_task_assignment_user_id": assign_user,
        "manual_enrollment_task_assignment": (
            "ASSIGN_TO_ENROLLER",
            "ASSIGN_TO_USER",
            "ASSIGN_TO_MAILBOX_OWNER",
        )[i],
        "manual_enrollment_task_assignment_user_id": assign_user,
        "opt_out_message": None if i == 2 else "Reply 'stop' and I won't write again.",
        "allow_same_sequence_reenrollment": i != 1,
        "block_reenrollment_value": 30 if i == 1 else None,
        "block_reenrollment_units": "DAY" if i == 1 else None,
    }


def _sequence(
    i: int,
    rng: random.Random,
    world: World,
    created: int,
    anchor: int,
    schedules: list[dict[str, Any]],
    rulesets: list[dict[str, Any]],
) -> Sequence:
    theme = words.SEQUENCE_THEMES[i % len(words.SEQUENCE_THEMES)]
    name = (
        theme
        if i < len(words.SEQUENCE_THEMES)
        else f"{theme} #{i // len(words.SEQUENCE_THEMES) + 1}"
    )
    version = rng.choice((1, 1, 1, 2, 3))
    sid = world.ids["seq"].make(i)
    steps, duration = _steps(i, sid, version, rng, world, created)
    body = {
        "id": sid,
        "created_at": format_rfc3339(created),
        "updated_at": format_rfc3339(_stamp(rng, created, anchor - DAY)),
        "owner": world.users[rng.randrange(len(world.users))],
        "name": name,
        "is_paused": rng.random() < 0.1,
        "send_schedule": None if rng.random() < 0.1 else rng.choice(schedules),
        "sequence_ruleset": None if rng.random() < 0.15 else rng.choice(rulesets),
    }
    return Sequence(index=i, body=body, steps=steps, duration_us=duration)


def _steps(
    seq_index: int, seq_id: str, version: int, rng: random.Random, world: World, created: int
) -> tuple[list[dict[str, Any]], int]:
    steps: list[dict[str, Any]] = []
    total_days = 0
    for j in range(rng.randint(3, 7)):
        kind = (
            "AUTOMATIC_EMAIL"
            if j == 0
            else rng.choice(
                ("AUTOMATIC_EMAIL", "AUTOMATIC_EMAIL", "MANUAL_EMAIL", *STEP_TYPES_TASK)
            )
        )
        wait_days = rng.randint(2, 6)
        total_days += 0 if j == 0 else wait_days
        parent = steps[-1]["id"] if steps else None
        timer = {"type": "TIMER", "duration_value": wait_days, "duration_unit": "days"}
        condition: dict[str, Any] | None = None if j == 0 else timer
        if j > 0 and rng.random() < 0.15:
            hours = {"type": "TIMER", "duration_value": wait_days * 24, "duration_unit": "hours"}
            condition = {"type": rng.choice(("AND", "OR")), "subconditions": [timer, hours]}
        stamp = format_rfc3339(created + j * 1000)
        step = {
            "id": world.ids["step"].make(seq_index * 16 + j),
            "key": f"step_{j + 1}",
            "created_at": stamp,
            "updated_at": stamp,
            "sequence_id": seq_id,
            "version_number": version,
            "dependencies": [{"parent_step_id": parent, "condition": condition}],
            "type": kind,
            "config": _step_config(kind, j, rng),
        }
        steps.append(step)
    return steps, max(1, total_days) * DAY


def _step_config(kind: str, j: int, rng: random.Random) -> dict[str, Any]:
    schedule = {
        "task_priority": rng.choice(("LOW", "MEDIUM", "HIGH", "URGENT")),
        "auto_skip_on_due_date": rng.random() < 0.3,
        "relative_due_at": None
        if rng.random() < 0.3
        else {
            "num_units_of_time": rng.choice((1, 2, 4, 24)),
            "unit_of_time": rng.choice(("MINUTE", "HOUR", "DAY", "WEEK")),
        },
    }
    if kind in STEP_TYPES_TASK:
        note = None if rng.random() < 0.4 else "Look at their latest post before reaching out."
        return {"note_content": note, **schedule}
    subject = rng.choice(words.SUBJECTS).format(company="{{company}}")
    email = {
        "is_root_message": j == 0,
        "subject": subject if j == 0 else None,
        "fallback_subject": "Quick question" if j == 0 else None,
        "body": f"<p>Hi {{{{first_name}}}},</p><p>Step {j + 1}: {subject}</p>",
        "cc_recipients": [],
        "bcc_recipients": ["crm-bcc@example.com"] if rng.random() < 0.2 else [],
    }
    return email | schedule if kind == "MANUAL_EMAIL" else email
