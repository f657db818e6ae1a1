"""Unify's actions, each against its documented endpoint (docs/vendors/unify.md):
enroll (`POST /enrollments`), pause, resume and cancel an enrollment (`POST
/enrollments/{id}/pause`, `/resume`, `DELETE /enrollments/{id}`), pause and resume a sequence
(`POST /sequences/{id}/pause`, `/resume`).

Every action first reads the target (`GET`), so a target already as wanted is not sent again.
Pause, resume and cancel are safe to repeat and are retried as reads are. A create is not: the
API has no idempotency key, and an enrollment that has not started is not "active", so a blind
retry of a create whose answer was lost enrolls the person twice; before each retry the client
asks whether the person is now enrolled in the sequence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sources.common.actions import (
    REFUSALS,
    Action,
    Answer,
    Found,
    Outcome,
    State,
    Target,
    refused,
    seen_at,
    state_action,
)
from sources.common.errors import HttpStatusError
from sources.common.http import ApiClient
from sources.unify.extraction import UnifySettings
from sources.unify.helpers import make_client

MAX_MAILBOXES = 10  # "At least one and at most ten addresses are accepted"
RUNNING = ("IN_PROGRESS", "DRAFT")


def _enrollment_action(name: str, does: str, flag: str, wanted: bool, write: tuple[str, str]
                       ) -> Action:  # fmt: skip
    """Pause, resume or cancel: one enrollment by id, which must not have finished."""

    def judge(row: Any, target: Target) -> tuple[State, str]:
        if bool(row.get(flag)) == wanted:
            return State.DONE, f"{flag} is already {str(wanted).lower()}"
        if row.get("status") == "FINISHED":
            return State.INVALID, "the enrollment has finished"
        return State.TODO, ""

    return state_action(name, does, lambda client, t: client.get(f"/enrollments/{t.key}"),
                        judge, write)  # fmt: skip


def _sequence_action(name: str, does: str, paused: bool) -> Action:
    def judge(sequence: Any, target: Target) -> tuple[State, str]:
        if bool(sequence.get("is_paused")) == paused:
            return State.DONE, f"already {'paused' if paused else 'running'}"
        return State.TODO, ""

    verb = "pause" if paused else "resume"
    return state_action(name, does, lambda client, t: client.get(f"/sequences/{t.key}"), judge,
                        ("POST", f"/sequences/{{id}}/{verb}"), already=409)  # fmt: skip


def _enroll_key(row: Mapping[str, Any]) -> str:
    return f"{row['person_id']}:{row['sequence_id']}"


def mailbox_emails(row: Mapping[str, Any]) -> list[str]:
    """The candidate mailboxes as the select gives them: a list, or one comma-separated text."""
    value = row.get("mailbox_emails")
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return [str(e).strip() for e in items if str(e).strip()]


def check_enroll_row(row: Mapping[str, Any]) -> str | None:
    emails = mailbox_emails(row)
    if not 1 <= len(emails) <= MAX_MAILBOXES:
        return f"mailbox_emails must name 1 to {MAX_MAILBOXES} mailboxes, not {len(emails)}"
    return None


def _enrolled(client: ApiClient, target: Target, since: str | None) -> Found:
    """Whether the person is enrolled in the sequence now (running or a draft), or, after a
    call whose outcome is unknown, whether an enrollment of theirs there changed since it was
    made (the create took effect, and the enrollment may even have finished since)."""
    person, sequence = target.row["person_id"], target.row["sequence_id"]
    params: list[tuple[str, Any]] = [("person_id", person), ("sequence_id", sequence)]
    if since is None:
        params += [("status", s) for s in RUNNING]
    else:
        params.append(("updated_after", since))
    response = client.get("/enrollments", params=[*params, ("limit", 1)])
    found = response.body.get("enrollments")
    if found:
        return Found(State.DONE, f"enrolled: {found[0]['id']}", seen_at(response))
    return Found(State.TODO, seen_at=seen_at(response))


def _enroll(client: ApiClient, target: Target, at: str) -> Answer:
    body = {"sequence_id": target.row["sequence_id"], "person_id": target.row["person_id"],
            "mailbox_emails": mailbox_emails(target.row)}  # fmt: skip

    found: list[Found] = []  # what the last look before a retry saw

    def settled() -> bool:
        found[:] = [_enrolled(client, target, at)]
        return found[0].state is State.DONE

    try:
        created = client.write("POST", "/enrollments", json=body, settled=settled)
    except REFUSALS as exc:
        if isinstance(exc, HttpStatusError) and exc.status == 409 and isinstance(exc.body, dict):
            active = exc.body.get("active_sequence_id"), exc.body.get("active_enrollment_id")
            message = "already active in sequence {} (enrollment {})".format(*active)
            return Answer(Outcome.SKIPPED, 409, message)  # active elsewhere: reported
        return refused(exc)
    if created is None:  # an attempt's answer was lost, and it had taken effect
        return Answer(Outcome.DONE, None, found[0].message)
    return Answer(Outcome.DONE, 201, f"enrolled: {created.body.get('id')}")


ENROLL = Action(
    "enroll", "enroll the person in the sequence", ("person_id", "sequence_id", "mailbox_emails"),
    _enroll_key, _enrolled, _enroll, check_enroll_row,
)  # fmt: skip

UNIFY_ACTIONS: dict[str, Action] = {a.name: a for a in (
    ENROLL,
    _enrollment_action("pause-enrollment", "pause the enrollment", "is_paused", True,
                       ("POST", "/enrollments/{id}/pause")),
    _enrollment_action("resume-enrollment", "resume the enrollment", "is_paused", False,
                       ("POST", "/enrollments/{id}/resume")),
    _enrollment_action("cancel-enrollment", "cancel the enrollment", "is_canceled", True,
                       ("DELETE", "/enrollments/{id}")),
    _sequence_action("pause-sequence", "pause the sequence", paused=True),
    _sequence_action("resume-sequence", "resume the sequence", paused=False),
)}  # fmt: skip


def actions_client(**workspace: Any) -> ApiClient:
    """A client configured as the source is (`sources.unify`: api_key, base_url and the retry
    settings, and a workspace's own), with the source's rate limiter."""
    settings = UnifySettings.configured(**workspace)
    return make_client(settings.api_key, settings.base_url, settings.policy)
