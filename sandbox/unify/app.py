"""The Unify Sequences API v1 (synchronous endpoints) as a Starlette app.

Paths, parameters, response and error shapes follow the vendor's OpenAPI document. Choices the
document leaves open are listed in sandbox/README.md.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common.clock import format_http_date
from sandbox.unify.enrollments import STATUSES
from sandbox.unify.jobs import JobStore
from sandbox.unify.jobs_api import job_table
from sandbox.unify.store import NO_MATCH, EnrollmentFilter, UnifyState
from sandbox.unify.validation import (
    BadRequest,
    QueryReader,
    create_enrollment_body,
    issue,
    listing_cursor,
    path_uuid,
)

PREFIX = "/sequences/v1"
DEFAULT_LIMIT = 25  # undocumented by the vendor; clients should always send `limit`
MAX_LIMIT = 100
STEP_TYPES = (
    "AUTOMATIC_EMAIL", "MANUAL_EMAIL", "ACTION_ITEM", "PHONE_CALL",
    "MANUAL_LINKEDIN_PROFILE_VIEW", "MANUAL_LINKEDIN_CONNECTION", "MANUAL_LINKEDIN_MESSAGE",
)  # fmt: skip


Handler = Callable[[Request], Awaitable[Any]]


class NotFound(Exception):
    pass


def error_body(status: int, message: str) -> bytes:
    name = {400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
            409: "conflict", 429: "rate_limited"}.get(status, "error")  # fmt: skip
    return orjson.dumps({"status": name, "message": message})


class UnifyApi:
    def __init__(self, state: UnifyState, api_keys: frozenset[str]) -> None:
        self.state = state
        self.api_keys = api_keys

    def json(self, body: Any, status: int = 200) -> Response:
        headers = {"date": format_http_date(self.state.clock.now_us())}
        return Response(orjson.dumps(body), status, headers, media_type="application/json")

    def endpoint(self, handler: Handler) -> Handler:
        """Auth, then the handler; its exceptions become the vendor's error shapes."""

        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            key = request.headers.get("x-api-key")
            if not key:
                return self.json({"status": "unauthorized", "message": "Missing x-api-key"}, 401)
            if key not in self.api_keys:
                return self.json({"status": "unauthorized", "message": "Invalid API key"}, 401)
            try:
                result = await handler(request)
            except BadRequest as exc:
                return self.json(
                    {"status": "bad_request", "message": exc.message, "errors": exc.errors}, 400
                )
            except NotFound as exc:
                return self.json({"status": "not_found", "message": str(exc)}, 404)
            except Exception:  # the vendor's 500 shape, never a traceback
                return self.json(
                    {"status": "error", "message": "An unexpected error occurred."}, 500
                )
            return result if isinstance(result, Response) else self.json(result)

        return run

    # --- enrollments -----------------------------------------------------------------------

    async def list_enrollments(self, request: Request) -> Any:
        q = QueryReader(request.query_params)
        cursor, limit = q.string("cursor"), q.integer("limit", 1, MAX_LIMIT)
        ids = {
            name: q.uuid(name)
            for name in ("sequence_id", "person_id", "mailbox_id", "enrolled_by_play_id")
        }
        statuses = q.enum_list("status", STATUSES)
        after, before = q.datetime("updated_after"), q.datetime("updated_before")
        q.check()
        world = self.state.world
        spaces = {"sequence_id": "seq", "person_id": "person", "mailbox_id": "mailbox",
                  "enrolled_by_play_id": "play"}  # fmt: skip
        index = {}
        for name, value in ids.items():
            if value is not None:
                found = world.ids[spaces[name]].index_of(value)
                index[name] = NO_MATCH if found is None else found
        flt = EnrollmentFilter(
            sequence=index.get("sequence_id"), person=index.get("person_id"),
            mailbox=index.get("mailbox_id"), play=index.get("enrolled_by_play_id"),
            statuses=tuple(STATUSES.index(s) for s in statuses) if statuses else None,
            updated_after=after, updated_before=before,
        )  # fmt: skip
        pages, position = listing_cursor(request, "enrollments", cursor)
        page, last = self.state.list_enrollments(flt, position, limit or DEFAULT_LIMIT)
        return {"enrollments": page, "next_cursor": pages.after(last)}

    async def get_enrollment(self, request: Request) -> Any:
        return self.state.render_enrollment(self._enrollment(request))

    async def create_enrollment(self, request: Request) -> Any:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            raise BadRequest([issue("invalid_json", [], "Body is not valid JSON")]) from None
        seq_id, person_id, emails = create_enrollment_body(body)
        world = self.state.world
        seq = self.state.sequence_index(seq_id)
        if seq is None:
            raise NotFound("Sequence not found")
        person = world.ids["person"].index_of(person_id)
        if person is None or person >= world.n_persons:
            raise NotFound("Person not found")
        by_email = {m["email"].lower(): k for k, m in enumerate(world.mailboxes)}
        candidates = [by_email[e] for e in emails if e in by_email]
        if not candidates:
            msg = "None of the addresses is a connected mailbox"
            raise BadRequest([issue("mailbox_not_found", ["mailbox_emails"], msg)])
        usable = [k for k in candidates if not world.mailboxes[k]["is_unauthorized"]]
        outcome, value = self.state.create_enrollment(seq, person, (usable or candidates)[0])
        if outcome == "conflict":
            active_sequence_id, active_enrollment_id = value
            message = "Person is already enrolled in an active sequence"
            body = {"status": "conflict", "message": message}
            body |= {"active_sequence_id": active_sequence_id}
            return self.json(body | {"active_enrollment_id": active_enrollment_id}, 409)
        return self.json(value, 201)

    async def pause_enrollment(self, request: Request) -> Any:
        return self._set_enrollment_paused(request, True)

    async def resume_enrollment(self, request: Request) -> Any:
        return self._set_enrollment_paused(request, False)

    def _set_enrollment_paused(self, request: Request, paused: bool) -> Any:
        i = self._enrollment(request)
        if not self.state.set_enrollment_paused(i, paused):
            raise BadRequest([issue("invalid_state", ["id"], "The enrollment has finished")])
        return {"id": request.path_params["id"].lower(), "is_paused": paused}

    async def cancel_enrollment(self, request: Request) -> Any:
        i = self._enrollment(request)
        if not self.state.cancel_enrollment(i):
            raise BadRequest([issue("invalid_state", ["id"], "The enrollment has finished")])
        return {"id": request.path_params["id"].lower(), "is_canceled": True}

    def _enrollment(self, request: Request) -> int:
        i = self.state.enrollment_index(path_uuid(request.path_params["id"]))
        if i is None:
            raise NotFound("Enrollment not found")
        return i

    # --- sequences and steps -----------------------------------------------------------------

    async def list_sequences(self, request: Request) -> Any:
        q = QueryReader(request.query_params)
        cursor, limit = q.string("cursor"), q.integer("limit", 1, MAX_LIMIT)
        q.check()
        pages, position = listing_cursor(request, "sequences", cursor)
        page, last = self.state.list_sequences(position, limit or DEFAULT_LIMIT)
        return {"sequences": page, "next_cursor": pages.after(last)}

    async def get_sequence(self, request: Request) -> Any:
        return self.state.world.sequences[self._sequence(request)].body

    async def pause_sequence(self, request: Request) -> Any:
        return self._set_sequence_paused(request, True)

    async def resume_sequence(self, request: Request) -> Any:
        return self._set_sequence_paused(request, False)

    def _set_sequence_paused(self, request: Request, paused: bool) -> Any:
        i = self._sequence(request)
        if not self.state.set_sequence_paused(i, paused):
            state = "paused" if paused else "not paused"
            return self.json({"status": "state_conflict", "message": f"Sequence is already {state}",
                              "current_is_paused": paused}, 409)  # fmt: skip
        body = self.state.world.sequences[i].body
        return {"id": body["id"], "is_paused": True} if paused else body

    async def delete_sequence(self, request: Request) -> Any:
        i = self._sequence(request)
        self.state.delete_sequence(i)
        return {"id": self.state.world.sequences[i].id, "is_deleted": True}

    async def list_steps(self, request: Request) -> Any:
        q = QueryReader(request.query_params)
        cursor, limit = q.string("cursor"), q.integer("limit", 1, MAX_LIMIT)
        types = q.enum_list("type", STEP_TYPES)
        q.check()
        steps = self.state.world.sequences[self._sequence(request)].steps
        pages, position = listing_cursor(request, "steps", cursor)
        start = position or 0
        chosen = [
            (k, s) for k, s in enumerate(steps) if k >= start and (not types or s["type"] in types)
        ]
        page, next_cursor = pages.page(chosen, limit or DEFAULT_LIMIT)
        return {"steps": page, "next_cursor": next_cursor}

    async def get_step(self, request: Request) -> Any:
        steps = self.state.world.sequences[self._sequence(request)].steps
        step_id = path_uuid(request.path_params["step_id"], "step_id")
        for step in steps:
            if step["id"] == step_id:
                return step
        raise NotFound("Sequence step not found")

    def _sequence(self, request: Request) -> int:
        i = self.state.sequence_index(path_uuid(request.path_params["id"]))
        if i is None:
            raise NotFound("Sequence not found")
        return i


def _by_method(handlers: dict[str, Handler]) -> Handler:
    """One endpoint per path, so a 405 lists every method the path allows."""

    async def dispatch(request: Request) -> Any:
        return await handlers[request.method if request.method != "HEAD" else "GET"](request)

    return dispatch


def _not_named(reserved: str, methods: list[str], endpoint: Handler) -> Handler:
    """`/enrollments/{id}` must not answer for `/enrollments/query-jobs`, a path of its own
    whose other methods are a 405 (the router reaches this route after that one's partial
    match)."""

    async def run(request: Request) -> Any:
        if request.path_params["id"] == reserved:
            raise HTTPException(405, headers={"Allow": ", ".join(methods)})
        return await endpoint(request)

    return run


def build_app(
    state: UnifyState,
    api_keys: frozenset[str],
    jobs: JobStore | None = None,
) -> Starlette:
    api = UnifyApi(state, api_keys)
    table = job_table(jobs or JobStore(state))
    table |= {
        "/enrollments": {"GET": api.list_enrollments, "POST": api.create_enrollment},
        "/enrollments/{id}": {"GET": api.get_enrollment, "DELETE": api.cancel_enrollment},
        "/enrollments/{id}/pause": {"POST": api.pause_enrollment},
        "/enrollments/{id}/resume": {"POST": api.resume_enrollment},
        "/sequences": {"GET": api.list_sequences},
        "/sequences/{id}": {"GET": api.get_sequence, "DELETE": api.delete_sequence},
        "/sequences/{id}/pause": {"POST": api.pause_sequence},
        "/sequences/{id}/resume": {"POST": api.resume_sequence},
        "/sequences/{id}/steps": {"GET": api.list_steps},
        "/sequences/{id}/steps/{step_id}": {"GET": api.get_step},
    }
    jobs_methods = list(table["/enrollments/query-jobs"])

    def endpoint(path: str, handlers: dict[str, Handler]) -> Handler:
        served = api.endpoint(_by_method(handlers))
        return _not_named("query-jobs", jobs_methods, served) if path.endswith("{id}") else served

    routes = [
        Route(PREFIX + path, endpoint(path, handlers), methods=list(handlers))
        for path, handlers in table.items()
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = "Route not found" if exc.status_code == 404 else str(exc.detail)
        return Response(error_body(exc.status_code, message), exc.status_code, exc.headers,
                        media_type="application/json")  # fmt: skip

    return Starlette(routes=routes, exception_handlers={HTTPException: http_error})


def is_api_path(path: str) -> bool:
    return path.startswith(PREFIX + "/") or path == PREFIX
