"""A seeded Sequenzy company: sequences (linear graphs of emails and delays), subscribers, and
the enrollment tokens that run subscribers through them.

Each enrollment is planned when the world is made: when it starts, when each of its sequence's
emails goes out (the delay nodes set the gaps), and how it ends (it completes after the last
email, or fails at one, or is cancelled). What the API shows at time T is that plan read at T
(sandbox.sequenzy.enrollments), so moving the clock moves the world on, and enrollments created
or changing status while a client pages shift its offset pages, as a real offset API's do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sandbox.common.clock import US, format_rfc3339
from sandbox.common.ids import IdSpace
from sandbox.common.people import shared_address
from sandbox.common.text import ascii_fold

MINUTE = 60 * US
DAY = 86_400 * US
MAX_EMAILS = 5
NEVER = np.iinfo(np.int64).max
COMPLETES, FAILS, CANCELLED = 0, 1, 2
NAMES = ("Onboarding", "Trial nurture", "Win-back", "Cart recovery", "Welcome 🎉",
         "Relance clients", "Webinar follow-up", "年末セール")  # fmt: skip
FIRST = ("Ada", "Björn", "Chidi", "Dana", "Élodie", "Farah", "Goran", "Hye-jin", "Iker", "Jana")
LAST = ("Andersen", "Bauer", "Chen", "Duarte", "Eklund", "Ferreira", "Grünewald", "Hoang")
FAILED_REASONS = ("Subscriber has no email address", "Sending profile is not verified",
                  "Email step has no content")  # fmt: skip
PAUSE_REASONS = ("Asked to pause until after the holidays", None)
# Documented nulls at a realistic rate (the SDK's Subscriber: every field nullable): contacts
# imported without an email (SMS-only) or without names.
NO_EMAIL, NO_NAME = 0.02, 0.05
PAUSED = 0.03  # of enrollments, held by a user on the step they were on


@dataclass
class Sequence:
    body: dict[str, Any]  # the summary fields, as the API lists them
    nodes: list[dict[str, Any]]  # trigger, then email and delay nodes in turn, then end
    emails: list[dict[str, Any]]
    delays_us: list[int]  # before each email (0 before the first)
    created_us: int  # no one is enrolled before it


@dataclass
class Enrollments:
    """One row per enrollment token, as arrays: who, where, and its plan."""

    sequence: np.ndarray  # int64 position
    subscriber: np.ndarray  # int64 position
    started: np.ndarray  # int64 µs
    sends: np.ndarray  # (n, MAX_EMAILS) int64 µs, NEVER past the sequence's emails
    outcome: np.ndarray  # int8: COMPLETES, FAILS, CANCELLED
    outcome_at: np.ndarray  # int64 µs: when it fails or is cancelled (NEVER when it completes)
    ends: np.ndarray  # int64 µs: when it completes (NEVER unless it completes)
    paused_at: np.ndarray  # int64 µs: when it was paused and holds since (NEVER: not paused)
    pause_reasons: dict[int, str] = field(default_factory=dict)  # k -> the pause's note


@dataclass
class SequenzyWorld:
    seed: int
    company: str
    sequences: list[Sequence]
    subscribers: list[dict[str, Any]]  # newest first
    enrollments: Enrollments
    ids: dict[str, IdSpace]
    # the companies its key sees (`GET /companies`): this one, or an account's every company
    # (sandbox.sequenzy.account), one list its companies share
    companies: list[dict[str, Any]] = field(default_factory=list)
    hooks: Any = None  # its webhooks (sandbox.sequenzy.webhooks.SequenzyHooks), once served

    @classmethod
    def generate(
        cls, seed: int, *, sequences: int, enrollments: int, anchor_us: int, shared_people: int = 0
    ) -> SequenzyWorld:
        rng = random.Random(seed)
        ids = {k: IdSpace(seed, k) for k in ("company", "sequence", "node", "email", "subscriber",
                                              "enrollment")}  # fmt: skip
        made = [_sequence(rng, ids, k, anchor_us) for k in range(sequences)]
        made.sort(key=lambda s: s.body["createdAt"], reverse=True)  # newest first
        people = [_subscriber(rng, ids, k, anchor_us) for k in range(max(50, enrollments // 2))]
        for k, person in enumerate(people[:shared_people]):  # addresses other worlds share
            person["email"] = shared_address(k)
        for person in people[shared_people:]:
            if rng.random() < NO_EMAIL:
                person["email"] = None
            if rng.random() < NO_NAME:
                person["firstName"] = person["lastName"] = None
        people.sort(key=lambda s: (s["createdAt"], s["id"]), reverse=True)
        plan = _plan(np.random.default_rng(seed), made, len(people), enrollments, anchor_us)
        company = ids["company"].make(0)
        created = format_rfc3339(anchor_us - 400 * DAY)
        listed = [{"id": company, "name": f"Company {seed}", "createdAt": created}]
        return cls(seed, company, made, people, plan, ids, listed)

    def sequence_position(self, sequence_id: str) -> int | None:
        return next((k for k, s in enumerate(self.sequences) if s.body["id"] == sequence_id),
                    None)  # fmt: skip

    def enrollment_id(self, k: int) -> str:
        return self.ids["enrollment"].make(k)


def _sequence(rng: random.Random, ids: dict[str, IdSpace], k: int, anchor_us: int) -> Sequence:
    created = anchor_us - rng.randrange(30, 400) * DAY
    status = rng.choice(("active", "active", "active", "active", "paused", "draft", "archived"))
    status = "active" if k < 2 else status  # at least two live sequences in every world
    enrollment_paused = status == "active" and k >= 2 and rng.random() < 0.2
    effective = {"active": "enrollment_paused" if enrollment_paused else "live"}.get(status, status)
    accepts = effective == "live"
    processes = effective in ("live", "enrollment_paused")
    seq_id = ids["sequence"].make(k)
    count = rng.choice((2, 3, 4, 5))
    delays = [0] + [rng.choice((1, 2, 3, 4)) * DAY for _ in range(count - 1)]
    stamp = format_rfc3339(created)
    trigger = {"id": ids["node"].make(k * 64), "automationId": seq_id, "nodeType": "trigger",
               "config": {"event": "subscriber.created"}, "structuralStepNumber": None,
               "updatedAt": stamp}  # fmt: skip
    nodes: list[dict[str, Any]] = [trigger]
    emails = []
    for e in range(count):
        if e:
            nodes.append({"id": ids["node"].make(k * 64 + 2 * e), "automationId": seq_id,
                          "nodeType": "logic_delay", "config": {"delayMs": delays[e] // 1000},
                          "structuralStepNumber": None, "updatedAt": stamp})  # fmt: skip
        node_id = ids["node"].make(k * 64 + 2 * e + 1)
        subject = f"{NAMES[k % len(NAMES)]}: email {e + 1}"
        nodes.append({"id": node_id, "automationId": seq_id, "nodeType": "action_email",
                      "config": {"subject": subject, "stepNumber": e + 1},
                      "structuralStepNumber": e + 1, "updatedAt": stamp})  # fmt: skip
        emails.append({"emailId": ids["email"].make(k * 64 + e), "nodeId": node_id,
                       "nodeType": "action_email", "name": f"Email {e + 1}", "subject": subject,
                       "previewText": None, "stepNumber": e + 1, "structuralStepNumber": e + 1,
                       "delayMs": delays[e] // 1000 if e else None,
                       "delayDisplay": f"{delays[e] // DAY} days" if e else None,
                       "delayNodeId": nodes[-2]["id"] if e else None, "fromName": "Team",
                       "replyTo": None, "isTransactional": False})  # fmt: skip
    nodes.append({"id": ids["node"].make(k * 64 + 63), "automationId": seq_id, "nodeType": "end",
                  "config": {}, "structuralStepNumber": None, "updatedAt": stamp})  # fmt: skip
    body = {
        "id": seq_id, "name": f"{NAMES[k % len(NAMES)]} #{k + 1}", "description": None,
        "status": status, "effectiveStatus": effective,
        "effectiveStatusSummary": f"The sequence is {effective.replace('_', ' ')}.",
        "acceptsNewEnrollments": accepts, "processesExistingEnrollments": processes,
        "enrollmentPaused": enrollment_paused, "trigger": "subscriber_created",
        "triggerConfig": {"event": "subscriber.created"}, "fromEmail": "team@acme.example.com",
        "fromName": "Acme", "replyToEmail": None, "replyToName": None,
        "labels": rng.sample(["lifecycle", "sales", "retention"], rng.choice((0, 1, 2))),
        "labelIds": [], "bccEmails": [], "createdAt": stamp,
        "updatedAt": format_rfc3339(created + rng.randrange(0, 20) * DAY),
        "pausedAt": stamp if status == "paused" else None, "pauseReason": None,
        "pauseSource": "user" if status == "paused" else None, "pausedByUserId": None,
        "senderProfileId": None, "replyProfileId": None, "userCancellable": True,
    }  # fmt: skip
    return Sequence(body, nodes, emails, delays, created)


def _subscriber(rng: random.Random, ids: dict[str, IdSpace], k: int, anchor_us: int) -> dict:
    first, last = FIRST[k % len(FIRST)], LAST[k % len(LAST)]
    created = anchor_us - rng.randrange(MINUTE, 500 * DAY) // 1000 * 1000
    return {
        "id": ids["subscriber"].make(k), "firstName": first, "lastName": last,
        "email": f"{ascii_fold(first)}.{ascii_fold(last)}.{k}@example.org",
        "status": rng.choice(("active",) * 8 + ("unsubscribed", "bounced")),
        "emailProvider": rng.choice(("gmail", "outlook", "other")),
        "tags": rng.sample(["customer", "trial", "vip", "newsletter"], rng.choice((0, 1, 2))),
        "customAttributes": {"plan": rng.choice(("free", "pro", "team"))},
        "createdAt": format_rfc3339(created), "updatedAt": format_rfc3339(created),
    }  # fmt: skip


def _plan(
    rng: np.random.Generator, sequences: list[Sequence], people: int, n: int, anchor_us: int
) -> Enrollments:
    """Enrollments in sequences that ever ran, started over the last 120 days (two in five in
    the last ten) and never before their sequence was created, and a tenth more still to come
    in the 30 days after the anchor (only in sequences taking new ones)."""
    ran = [k for k, s in enumerate(sequences) if s.body["status"] != "draft"] or [0]
    taking = [k for k, s in enumerate(sequences) if s.body["acceptsNewEnrollments"]] or ran
    later = n // 10
    seq = np.concatenate([rng.choice(ran, n), rng.choice(taking, later)]).astype(np.int64)
    recent = rng.random(n) < 0.4  # a steady flow: many still running at the anchor
    # never before the sequence existed (a sequence is 30 days old at least)
    lived = anchor_us - np.array([s.created_us for s in sequences], np.int64)[seq[:n]]
    ages = np.where(recent, rng.integers(MINUTE, 10 * DAY, n),
                    rng.integers(MINUTE, np.minimum(120 * DAY, lived)))  # fmt: skip
    started = np.concatenate([anchor_us - ages, anchor_us + rng.integers(MINUTE, 30 * DAY, later)])
    started = started // 1000 * 1000
    total = n + later
    counts = np.array([len(s.emails) for s in sequences])[seq]
    offsets = np.zeros((len(sequences), MAX_EMAILS), np.int64)
    for k, s in enumerate(sequences):
        offsets[k, : len(s.delays_us)] = np.cumsum(s.delays_us)
    first = rng.integers(MINUTE, 10 * MINUTE, total)
    sends = (
        started[:, None]
        + first[:, None]
        + offsets[seq]
        + rng.integers(0, 30 * MINUTE, (total, MAX_EMAILS))
    )
    sends = np.where(np.arange(MAX_EMAILS)[None, :] < counts[:, None], sends // 1000 * 1000, NEVER)
    outcome = rng.choice(3, total, p=(0.8, 0.08, 0.12)).astype(np.int8)
    at = (rng.random(total) * counts).astype(np.int64)
    base = sends[np.arange(total), at]
    # a failure stops it just before the email it fails at; a cancellation a minute before
    outcome_at = np.where(
        outcome == COMPLETES, NEVER, base - np.where(outcome == FAILS, 1000, MINUTE)
    )
    outcome_at = np.where(outcome == CANCELLED, np.maximum(outcome_at, started + 1000), outcome_at)
    last = sends[np.arange(total), counts - 1]
    ends = np.where(outcome == COMPLETES, last + MINUTE, NEVER)
    # a few are paused after their first email, before anything else would happen to them
    paused = (rng.random(total) < PAUSED) & (counts > 1)
    paused_at = np.where(paused, sends[:, 0] + MINUTE, NEVER)
    paused_at = np.where(paused_at < np.minimum(outcome_at, ends), paused_at, NEVER)
    reasons = {int(k): r for k in np.nonzero(paused_at != NEVER)[0]
               if (r := PAUSE_REASONS[int(k) % len(PAUSE_REASONS)]) is not None}  # fmt: skip
    # a contact is in a sequence once ("the same contact cannot enter this sequence again"
    # while its enrollment runs), so an event of a contact in a sequence is that enrollment's
    subscriber = np.empty(total, np.int64)
    for k in np.unique(seq):
        at = np.nonzero(seq == k)[0]
        subscriber[at] = rng.choice(people, len(at), replace=len(at) > people)
    return Enrollments(seq, subscriber, started, sends, outcome, outcome_at, ends, paused_at,
                       reasons)  # fmt: skip
