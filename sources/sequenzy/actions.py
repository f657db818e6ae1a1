"""Sequenzy's actions, as the vendor's official SDK (2.1.35) names them: cancel enrollments
(`POST /sequences/{id}/enrollments/cancel`), pause and resume contacts' enrollments
(`/enrollments/pause`, `/enrollments/resume`: `pause_subscribers`, `resume_subscribers`), and
a sequence's `pause-enrollments`, `resume-enrollments` (new entrants only), `disable` and
`enable`.

Cancel goes as the vendor's document asks: the subscribers of one sequence at most 500 a
request (`subscriberIds`), first the API's own dry run (the default for a list), then the real
call (`dryRun: false`), repeated while `remainingCount` is above zero (at most 1,000 tokens a
request). Cancelling is safe to repeat: a token already cancelled matches nothing.

Pause holds a contact's enrollment on the step it is on; resume lets it go on. Both apply at
once (no dry run), answer per enrollment (`outcome`) and are safe to repeat: a contact already
paused answers `already_paused`, one not paused `not_paused`. One whose step is running just
then answers `in_progress` ("repeat the request shortly"): it is asked again, a few times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sources.common.actions import (
    REFUSALS,
    Action,
    Answer,
    Outcome,
    State,
    Target,
    refused,
    state_action,
)
from sources.common.http import ApiClient
from sources.sequenzy.extraction import SequenzySettings
from sources.sequenzy.helpers import make_client, rate_limits

CANCEL_BATCH = 500  # subscriberIds a request takes
MAX_ROUNDS = 100  # real cancel calls for one batch (1,000 tokens each) before giving up
HOLD_ROUNDS = 5  # pause or resume calls for contacts whose step was running


def _cancel(client: ApiClient, targets: list[Target]) -> dict[str, Answer]:
    sequence = targets[0].row["sequence_id"]
    path = f"/sequences/{sequence}/enrollments/cancel"
    ids = [str(t.row["subscriber_id"]) for t in targets]
    try:
        dry = client.write("POST", path, json={"subscriberIds": ids, "dryRun": True})
    except REFUSALS as exc:
        return dict.fromkeys((t.key for t in targets), refused(exc))
    assert dry is not None
    unknown = set((dry.body.get("target") or {}).get("notFoundSubscriberIds") or [])
    cancelled: set[str] = set()
    for _ in range(MAX_ROUNDS if dry.body.get("matchedCount") else 0):
        real = client.write("POST", path, json={"subscriberIds": ids, "dryRun": False})
        assert real is not None
        cancelled |= {e.get("subscriberId") for e in real.body.get("enrollments") or []}
        if not real.body.get("remainingCount") or not real.body.get("cancelledCount"):
            break
    answers = {}
    for target, subscriber in zip(targets, ids, strict=True):
        if subscriber in unknown:
            answers[target.key] = Answer(Outcome.FAILED, 200, "no such subscriber")
        elif subscriber in cancelled:
            answers[target.key] = Answer(Outcome.DONE, 200, "cancelled")
        else:
            answers[target.key] = Answer(Outcome.SKIPPED, 200, "no running enrollment")
    return answers


def _never(*_: Any) -> Any:
    raise AssertionError("a batch action is applied by batch")


# per outcome the API answers: (what it means here, the message)
HELD = {
    "paused": (Outcome.DONE, "paused"), "resumed": (Outcome.DONE, "resumed"),
    "already_paused": (Outcome.SKIPPED, "already paused"),
    "not_paused": (Outcome.SKIPPED, "not paused"),
}  # fmt: skip


def _hold(endpoint: str) -> Callable[[ApiClient, list[Target]], dict[str, Answer]]:
    def batch(client: ApiClient, targets: list[Target]) -> dict[str, Answer]:
        path = f"/sequences/{targets[0].row['sequence_id']}/enrollments/{endpoint}"
        keys = {str(t.row["subscriber_id"]): t.key for t in targets}
        answers: dict[str, Answer] = {}
        for _ in range(HOLD_ROUNDS):
            asked = [s for s, key in keys.items() if key not in answers]
            if not asked:
                break
            try:
                answer = client.write("POST", path, json={"subscriberIds": asked})
            except REFUSALS as exc:
                return answers | {keys[s]: refused(exc) for s in asked}
            assert answer is not None
            body = answer.body if isinstance(answer.body, dict) else {}
            for item in body.get("enrollments") or []:
                outcome = HELD.get(str(item.get("outcome")))
                if outcome and item.get("subscriberId") in keys:
                    answers[keys[item["subscriberId"]]] = Answer(outcome[0], 200, outcome[1])
            for subscriber in (body.get("notFound") or {}).get("subscriberIds") or []:
                if subscriber in keys:
                    answers[keys[subscriber]] = Answer(Outcome.FAILED, 200, "no such subscriber")
            for item in body.get("notEnrolled") or []:
                if item.get("subscriberId") in keys:
                    answers[keys[item["subscriberId"]]] = Answer(
                        Outcome.SKIPPED, 200, "no running enrollment"
                    )
        left = {key for key in keys.values() if key not in answers}
        return answers | dict.fromkeys(left, Answer(Outcome.FAILED, 200, "its step kept running"))

    return batch


def _per_subscriber(name: str, does: str, batch: Any) -> Action:
    """An action on contacts in a sequence, batched by sequence (`sequence_id`, `subscriber_id`)."""
    return Action(
        name, does, ("sequence_id", "subscriber_id"),
        lambda row: f"{row['sequence_id']}:{row['subscriber_id']}", _never, _never,
        batch=batch, group=lambda target: str(target.row["sequence_id"]), batch_size=CANCEL_BATCH,
    )  # fmt: skip


CANCEL = _per_subscriber(
    "cancel-enrollments", "have its running enrollments in the sequence cancelled", _cancel
)

# action -> (endpoint, what it leaves: status, enrollmentPaused; None: either)
RUN_STATES: dict[str, tuple[str, str, bool | None]] = {
    "pause-enrollments": ("pause-enrollments", "active", True),
    "resume-enrollments": ("resume-enrollments", "active", False),
    "disable": ("disable", "paused", None),
    "enable": ("enable", "active", None),
}


def _sequence_action(name: str, does: str) -> Action:
    endpoint, status, paused = RUN_STATES[name]

    def judge(body: Any, target: Target) -> tuple[State, str]:
        sequence = body.get("sequence") or {}
        now = sequence.get("status"), sequence.get("enrollmentPaused")
        if now[0] == status and paused in (None, now[1]):
            return State.DONE, f"already {sequence.get('effectiveStatus')}"
        if now[0] in ("draft", "archived"):
            return State.INVALID, f"the sequence is {now[0]}"
        return State.TODO, ""

    return state_action(name, does, lambda client, t: client.get(f"/sequences/{t.key}"), judge,
                        ("POST", f"/sequences/{{id}}/{endpoint}"))  # fmt: skip


SEQUENZY_ACTIONS: dict[str, Action] = {a.name: a for a in (
    CANCEL,
    _per_subscriber("pause-subscribers", "have its enrollment in the sequence paused where it is",
                    _hold("pause")),
    _per_subscriber("resume-subscribers", "have its paused enrollment in the sequence go on",
                    _hold("resume")),
    _sequence_action("pause-enrollments", "take no new enrollments (current ones go on)"),
    _sequence_action("resume-enrollments", "take new enrollments again"),
    _sequence_action("disable", "pause, holding its enrollments"),
    _sequence_action("enable", "run again"),
)}  # fmt: skip


def actions_client(**workspace: Any) -> ApiClient:
    """A client configured as the source is (`sources.sequenzy`, and a workspace's own
    settings: its company), at the source's pace."""
    settings = SequenzySettings.configured(**workspace)
    return make_client(
        settings.api_key, settings.base_url, settings.policy,
        company_id=settings.company_id, limits=rate_limits(settings.limits),
    )  # fmt: skip
