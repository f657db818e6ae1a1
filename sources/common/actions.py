"""What a vendor's actions are made of: each names the columns its targets need, says of a
target whether it is already in the wanted state (asking the API, never the loaded tables,
which may be stale), and makes the call. The engine that plans, journals and applies them is
`pipelines.acting`; each vendor's actions live in `sources/<vendor>/actions.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any

from sources.common.errors import BadRequestError, HttpStatusError, NotFoundError
from sources.common.http import ApiClient, ApiResponse
from sources.common.instants import format_instant, server_time


class State(Enum):
    TODO = "todo"  # the call is needed
    DONE = "done"  # already as wanted: nothing to send
    INVALID = "invalid"  # the call cannot succeed (a finished enrollment cannot be paused)


@dataclass(frozen=True)
class Found:
    """What the API says of a target now; `message` says why it is done or invalid, `seen_at`
    is the API's clock when it said so (a call made next is made after it)."""

    state: State
    message: str = ""
    seen_at: str | None = None


def seen_at(response: ApiResponse) -> str:
    """The API's clock from a response (its Date header, whole seconds: a second earlier)."""
    now = server_time(response.headers, skew=timedelta(seconds=5))
    return format_instant(now - timedelta(seconds=1))


@dataclass(frozen=True)
class Target:
    key: str  # what the journal names it by: an id, or person and sequence for an enroll
    row: Mapping[str, Any]  # the select's row: the columns the action needs


class Outcome(Enum):
    DONE = "done"  # acted on, or found acted on (a call whose answer was lost)
    SKIPPED = "skipped"  # nothing sent: already as wanted, or refused in a way that is no error
    FAILED = "failed"  # refused (a 400, a 404), or impossible (a finished enrollment)


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    status: int | None  # the API's HTTP status, when a call was made
    message: str


@dataclass(frozen=True)
class Action:
    name: str  # the command-line word: pause-enrollment
    does: str  # what each target gets, for the plan: "pause the enrollment"
    columns: tuple[str, ...]  # what the select must return, the key first
    key: Callable[[Mapping[str, Any]], str]
    # (client, target, since): `since` is when an earlier call whose outcome is unknown was
    # made (a kill, a timeout), so that a create can look for what it may have created
    check: Callable[[ApiClient, Target, str | None], Found]
    call: Callable[[ApiClient, Target, str], Answer]  # (client, target, the API's clock before)
    validate: Callable[[Mapping[str, Any]], str | None] = lambda row: None  # why a row is bad
    # Acting on many targets in one call (Sequenzy's cancel): targets of one `group` (their
    # sequence) at most `batch_size` at a time; the call checks, acts, and answers per key. It
    # must be safe to repeat: the batch replaces `check` and `call`.
    batch: Callable[[ApiClient, list[Target]], dict[str, Answer]] | None = None
    group: Callable[[Target], str] = lambda target: ""
    batch_size: int = 1


def by_id(row: Mapping[str, Any]) -> str:
    return str(row["id"])


REFUSALS = (BadRequestError, HttpStatusError, NotFoundError)  # one target's, not the run's


def refused(exc: Exception, already: int | None = None) -> Answer:
    """A refusal as the target's failure (its HTTP status and the API's message); `already` is
    the status with which the API says the target is so already (skipped, not failed)."""
    if isinstance(exc, HttpStatusError):
        status = exc.status
    else:
        status = 404 if isinstance(exc, NotFoundError) else 400
    return Answer(Outcome.SKIPPED if status == already else Outcome.FAILED, status, str(exc))


def send(client: ApiClient, method: str, path: str, body: Any = None,
         already: int | None = None) -> Answer:  # fmt: skip
    """Make a call that is safe to repeat; a refusal is the target's (`refused`)."""
    try:
        client.write(method, path, json=body)
    except REFUSALS as exc:
        return refused(exc, already)
    return Answer(Outcome.DONE, 200, "")


Judge = Callable[[Any, Target], tuple[State, str]]  # (the target as read, target) -> state


def state_action(
    name: str,
    does: str,
    read: Callable[[ApiClient, Target], ApiResponse],
    judge: Judge,
    write: tuple[str, str],
    *,
    columns: tuple[str, ...] = ("id",),
    body: Callable[[Target], Any] = lambda target: None,
    already: int | None = None,
) -> Action:
    """An action that reads its target (`read`; a 404 is an invalid target), asks `judge`
    whether it is already as wanted or cannot be acted on, and else makes the call `write`
    (method, path with `{id}`), which is safe to repeat."""

    def check(client: ApiClient, target: Target, since: str | None) -> Found:
        try:
            response = read(client, target)
        except NotFoundError:
            return Found(State.INVALID, "not found")
        state, message = judge(response.body, target)
        return Found(state, message, seen_at(response))

    def call(client: ApiClient, target: Target, at: str) -> Answer:
        method, path = write
        return send(client, method, path.format(id=target.key), body(target), already)

    return Action(name, does, columns, by_id, check, call)
