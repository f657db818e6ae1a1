"""The seeded enrollments of a new workspace: who is enrolled where and when, and how far each
enrollment has got by the time the sandbox starts."""

from __future__ import annotations

import numpy as np

from sandbox.unify.enrollments import (
    BLOCK,
    CANCEL,
    DAY,
    IN_PROGRESS,
    MINUTE,
    PAUSED,
    RUNNING,
    STAY_DRAFT,
    EnrollmentTable,
    ms,
    plan_enrollments,
)
from sandbox.unify.world import World


def populate(
    world: World, rng: np.random.Generator, n: int, anchor: int, span_days: int
) -> EnrollmentTable:
    """The seeded workspace's enrollments, as of `anchor`, created over `span_days`."""
    created = np.sort(rng.integers(anchor - span_days * DAY, anchor - MINUTE, n))
    steps = np.arange(n, dtype=np.int64) * 1000  # strictly increasing, whole milliseconds
    created = np.maximum.accumulate(ms(created) - steps) + steps
    n_seq = len(world.sequences)
    weights = 1.0 / (1.0 + rng.permutation(n_seq)) ** 0.6
    seq = rng.choice(n_seq, size=n, p=weights / weights.sum()).astype(np.int32)
    person = rng.integers(0, world.n_persons, n).astype(np.int32)
    # A person is in one active sequence at a time: when a person is enrolled again, the
    # earlier enrollment has ended by then, canceled if need be (as a sequence upgrade does).
    order = np.lexsort((created, person))
    same = person[order[1:]] == person[order[:-1]]
    earlier, later = order[:-1][same], order[1:][same]
    upgrade = rng.random(len(later)) < 0.3  # an upgrade re-enrolls in the same sequence
    seq[later[upgrade]] = seq[earlier[upgrade]]
    durations = np.array([s.duration_us for s in world.sequences], dtype=np.int64)[seq]
    plan = plan_enrollments(rng, created, durations)
    gap = created[later] - created[earlier]
    too_late = (plan["plan_end"][earlier] >= created[later]) | np.isin(
        plan["outcome"][earlier],
        (STAY_DRAFT, BLOCK),  # drafts and blocked ones never end by plan
    )
    fix = earlier[too_late]
    plan["outcome"][fix] = CANCEL
    plan["status"][fix], plan["phase"][fix] = IN_PROGRESS, 0
    plan["plan_start"][fix] = np.minimum(plan["plan_start"][fix], created[fix] + gap[too_late] // 3)
    plan["plan_end"][fix] = np.maximum(
        plan["plan_start"][fix] + 1000, created[later[too_late]] - 1000
    )
    mailbox = rng.integers(0, len(world.mailboxes), n).astype(np.int32)
    play = np.where(rng.random(n) < 0.45, rng.integers(0, len(world.plays), n), -1).astype(np.int32)
    table = EnrollmentTable(n)
    table.append(**plan, sequence=seq, person=person, mailbox=mailbox, play=play)
    table.apply_events(anchor)
    running = np.nonzero(table.phase == RUNNING)[0]
    paused = running[rng.random(len(running)) < 0.03]
    started = table.started_at[paused]
    table.cols["flags"][paused] |= PAUSED
    table.cols["updated_at"][paused] = ms(
        started + (rng.random(len(paused)) * (anchor - started)).astype(np.int64)
    )
    table.next_due = int(table.next_event_at().min())
    return table
