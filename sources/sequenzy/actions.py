"""Sequenzy's actions, against the endpoints of shared/reference/vendor-apis.md §3.3-3.4:
cancel enrollments (`POST /sequences/{id}/enrollments/cancel`), and a sequence's
`pause-enrollments`, `resume-enrollments` (new entrants only), `disable` and `enable`.

Cancel goes as the vendor's document asks: the subscribers of one sequence at most 500 a
request (`subscriberIds`), first the API's own dry run (the default for a list), then the real
call (`dryRun: false`), repeated while `remainingCount` is above zero (at most 1,000 tokens a
request). Cancelling is safe to repeat: a token already cancelled matches nothing. The API has
no per-enrollment pause; pausing is per sequence.
"""

from __future__ import annotations

from typing import Any

from sources.common.actions import (
    REFUSALS,
    Action,
    Answer,
    Outcome,
    State,
    Target,
    api_key,
    refused,
    retry_policy,
    setting,
    state_action,
)
from sources.common.http import ApiClient
from sources.sequenzy.helpers import make_client, rate_limits
from sources.sequenzy.settings import (
    CLIENT_LIMITS,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_ATTEMPTS,
    SOURCE_NAME,
)

CANCEL_BATCH = 500  # subscriberIds a request takes
MAX_ROUNDS = 100  # real cancel calls for one batch (1,000 tokens each) before giving up


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
        cancelled |= {e["subscriberId"] for e in real.body.get("enrollments") or []}
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


CANCEL = Action(
    "cancel-enrollments", "have its running enrollments in the sequence cancelled",
    ("sequence_id", "subscriber_id"), lambda row: f"{row['sequence_id']}:{row['subscriber_id']}",
    _never, _never, batch=_cancel, group=lambda target: str(target.row["sequence_id"]),
    batch_size=CANCEL_BATCH,
)  # fmt: skip

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
    _sequence_action("pause-enrollments", "take no new enrollments (current ones go on)"),
    _sequence_action("resume-enrollments", "take new enrollments again"),
    _sequence_action("disable", "pause, holding its enrollments"),
    _sequence_action("enable", "run again"),
)}  # fmt: skip


def actions_client() -> ApiClient:
    """A client configured as the source is (`sources.sequenzy`), at the source's pace."""
    (per_minute, minute), (per_second, second) = CLIENT_LIMITS
    limits = ((int(setting(SOURCE_NAME, "requests_per_minute", per_minute)), minute),
              (int(setting(SOURCE_NAME, "requests_per_second", per_second)), second))  # fmt: skip
    return make_client(
        api_key(SOURCE_NAME), str(setting(SOURCE_NAME, "base_url", DEFAULT_BASE_URL)),
        retry_policy(SOURCE_NAME, DEFAULT_MAX_ATTEMPTS, 1.0),
        company_id=setting(SOURCE_NAME, "company_id", None), limits=rate_limits(limits),
    )  # fmt: skip
