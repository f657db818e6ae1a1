"""Instantly's actions, against the endpoints of docs/vendors/instantly.md: pause
and resume a subsequence (`POST /subsequences/{id}/pause`, `/resume`), pause and activate a
campaign (`POST /campaigns/{id}/pause`, `/activate`), move a lead into a subsequence and take it
out (`POST /leads/subsequence/move`, `/remove`); block a person's email and unblock it
(`POST /block-lists-entries`, `DELETE /block-lists-entries/{id}`).

Each target is read first (`GET` the entity; a lead through `POST /leads/list` by id, a read),
so one already as wanted is not sent again. Every one of these calls but the block leaves a
state, and sending it again leaves the same one, so they are retried as reads are.

A lead's `status` is read-only and no endpoint pauses one lead: the workspace's block list is
what stops all sending to a person, in every campaign of the workspace (docs/guards.md). The
document lists no conflict for a value blocked twice, so `block-email` is not safe to repeat:
it looks for the email's entry (and its domain's) first, and again before each retry of a
create whose answer was lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sources.common.actions import (
    REFUSALS,
    Action,
    Answer,
    Found,
    Judge,
    Outcome,
    State,
    Target,
    refused,
    send,
    state_action,
)
from sources.common.http import ApiClient, ApiResponse
from sources.instantly.extraction import InstantlySettings
from sources.instantly.helpers import make_client, pages

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


BLOCK_LIST = "/block-lists-entries"


def _email(row: Mapping[str, Any]) -> str:
    return str(row["email"]).strip().lower()


def _not_an_email(row: Mapping[str, Any]) -> str | None:
    email = _email(row) if row.get("email") is not None else ""
    return None if "@" in email.strip("@") else f"email must be an email address, not {email!r}"


def _entries(client: ApiClient, value: str, domains_only: bool = False) -> list[dict[str, Any]]:
    """The block list's entries for exactly this value (its `search` may match a part)."""
    params = {"search": value, **({"domains_only": "true"} if domains_only else {})}
    listed = pages(client, BLOCK_LIST, params)
    return [e for items, _ in listed for e in items if str(e.get("bl_value")).lower() == value]


def _blocked(client: ApiClient, target: Target, since: str | None) -> Found:
    """Whether the email is blocked now: by an entry of its own, or by its domain's."""
    own = _entries(client, target.key)
    if own:
        return Found(State.DONE, f"blocked: {own[0]['id']}")
    domain = target.key.rpartition("@")[2]
    if _entries(client, domain, domains_only=True):
        return Found(State.DONE, f"its domain {domain} is blocked")
    return Found(State.TODO)


def _block(client: ApiClient, target: Target, at: str) -> Answer:
    found: list[Found] = []  # what the last look before a retry saw

    def settled() -> bool:
        found[:] = [_blocked(client, target, at)]
        return found[0].state is State.DONE

    try:
        made = client.write("POST", BLOCK_LIST, json={"bl_value": target.key}, settled=settled)
    except REFUSALS as exc:
        return refused(exc)
    if made is None:  # an attempt's answer was lost, and it had taken effect
        return Answer(Outcome.DONE, None, found[0].message)
    return Answer(Outcome.DONE, 200, f"blocked: {made.body.get('id')}")


def _unblocked(client: ApiClient, target: Target, since: str | None) -> Found:
    if _entries(client, target.key):
        return Found(State.TODO)
    domain = target.key.rpartition("@")[2]
    if _entries(client, domain, domains_only=True):
        return Found(State.INVALID, f"its domain {domain} is blocked: unblock it in Instantly")
    return Found(State.DONE, "not blocked")


def _unblock(client: ApiClient, target: Target, at: str) -> Answer:
    """Delete every entry of the email (a value can have more than one); one deleted already
    is no error (404), so this is safe to repeat."""
    answer = Answer(Outcome.SKIPPED, None, "not blocked")
    for entry in _entries(client, target.key):
        answer = send(client, "DELETE", f"{BLOCK_LIST}/{entry['id']}", already=404)
        if answer.outcome is Outcome.FAILED:
            return answer
    return answer


BLOCK_EMAIL = Action("block-email", "block the email in every campaign of the workspace",
                     ("email",), _email, _blocked, _block, _not_an_email)  # fmt: skip
UNBLOCK_EMAIL = Action("unblock-email", "take the email off the block list", ("email",), _email,
                       _unblocked, _unblock, _not_an_email)  # fmt: skip

INSTANTLY_ACTIONS: dict[str, Action] = {a.name: a for a in (
    BLOCK_EMAIL,
    UNBLOCK_EMAIL,
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
