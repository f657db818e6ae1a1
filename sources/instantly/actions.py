"""Instantly's actions, against the endpoints of docs/vendors/instantly.md: pause
and resume a subsequence (`POST /subsequences/{id}/pause`, `/resume`), pause and activate a
campaign (`POST /campaigns/{id}/pause`, `/activate`), move a lead into a subsequence and take it
out (`POST /leads/subsequence/move`, `/remove`).

Each target is read first (`GET` the entity; a lead through `POST /leads/list` by id, a read),
so one already as wanted is not sent again. Every one of these calls leaves a state, and sending
it again leaves the same one, so they are retried as reads are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sources.common.actions import (
    Action,
    Judge,
    State,
    Target,
    state_action,
)
from sources.common.http import ApiClient, ApiResponse
from sources.instantly.extraction import InstantlySettings
from sources.instantly.helpers import make_client

ACTIVE, PAUSED = 1, 2  # campaign and subsequence status


def _lead(client: ApiClient, target: Target) -> ApiResponse:
    return client.post_query("/leads/list", {"ids": [target.row["id"]], "limit": 1})


def _the_lead(wanted: Callable[[dict[str, Any], Target], bool]) -> Judge:
    def judge(body: Any, target: Target) -> tuple[State, str]:
        items = body.get("items") or []
        if not items:
            return State.INVALID, "no such lead"
        return (State.DONE, "already so") if wanted(items[0], target) else (State.TODO, "")

    return judge


def _status(kind: str, verb: str, wanted: int, does: str, name: str) -> Action:
    def judge(body: Any, target: Target) -> tuple[State, str]:
        return (State.DONE, "already so") if body.get("status") == wanted else (State.TODO, "")

    return state_action(name, does, lambda client, t: client.get(f"/{kind}/{t.key}"), judge,
                        ("POST", f"/{kind}/{{id}}/{verb}"))  # fmt: skip


INSTANTLY_ACTIONS: dict[str, Action] = {a.name: a for a in (
    _status("subsequences", "pause", PAUSED, "pause the subsequence", "pause-subsequence"),
    _status("subsequences", "resume", ACTIVE, "resume the subsequence", "resume-subsequence"),
    _status("campaigns", "pause", PAUSED, "pause the campaign", "pause-campaign"),
    _status("campaigns", "activate", ACTIVE, "activate the campaign", "activate-campaign"),
    state_action("move-lead", "move the lead into the subsequence", _lead,
                 _the_lead(lambda lead, t: lead.get("subsequence_id") == t.row["subsequence_id"]),
                 ("POST", "/leads/subsequence/move"), columns=("id", "subsequence_id"),
                 body=lambda t: {"id": t.row["id"], "subsequence_id": t.row["subsequence_id"]}),
    state_action("remove-lead", "take the lead out of its subsequence", _lead,
                 _the_lead(lambda lead, _: not lead.get("subsequence_id")),
                 ("POST", "/leads/subsequence/remove"), body=lambda t: {"id": t.row["id"]}),
)}  # fmt: skip


def actions_client(**workspace: Any) -> ApiClient:
    """A client configured as the source is (`sources.instantly`, and a workspace's own
    settings), within the workspace's limits; a group's member through the admin's key."""
    s = InstantlySettings.configured(**workspace)
    return make_client(s.api_key, s.base_url, s.policy, as_workspace=s.as_workspace)
