"""A stand-in for Acme Outreach, a fictional vendor: the template a new vendor starts from
(docs/adding-a-vendor.md). Its API, as its (imagined) document has it:

- `GET /v1/sequences`: every sequence, `{"data": [{id, name, status, created_at, updated_at}]}`;
- `GET /v1/enrollments?updated_after=&cursor=&limit=`: enrollments by `updated_at` then `id`,
  `{"data": [...], "next_cursor": "..." | null}`, each with its person's email and the times of
  its first send, open and reply;
- a Bearer key; errors as `{"error": {"message": ...}}`.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common.admin import Front
from sandbox.common.clock import US, VirtualClock, format_rfc3339, parse_iso_us
from sandbox.common.faults import FaultConfig, FaultInjector
from sandbox.common.people import shared_address
from sandbox.common.server import Served

PREFIX = "/v1"
DEFAULT_API_KEY = "acme-sandbox-key"
STATUSES = ("active", "paused", "finished", "bounced", "unsubscribed")  # its document's
PAGE_LIMIT = 100
DAY_US = 86_400 * US


def error_body(status: int, message: str) -> bytes:
    return orjson.dumps({"error": {"message": message}})


@dataclass
class AcmeState:
    """The world: sequences and enrollments, and a clock (sandbox.common.admin.Workspace)."""

    clock: VirtualClock
    sequences: list[dict[str, Any]]
    enrollments: dict[str, dict[str, Any]]
    rng: random.Random
    lock: threading.Lock = field(default_factory=threading.Lock)

    def advance(self, seconds: float) -> int:
        """Time passes: a tenth of the enrollments still active move on (sent, opened, replied
        or finished), stamped with the new time."""
        now = self.clock.advance(seconds)
        with self.lock:
            active = [e for e in self.enrollments.values() if e["status"] == "active"]
            moved = self.rng.sample(active, len(active) // 10)
            for enrollment in moved:
                _progress(enrollment, now, self.rng)
        return len(moved)

    def touch(self, count: int, backdate_seconds: float = 0.0) -> list[str]:
        at = self.clock.now_us() - int(backdate_seconds * US)
        with self.lock:
            touched = sorted(self.enrollments)[:count]
            for key in touched:
                self.enrollments[key]["updated_at"] = format_rfc3339(at)
        return touched

    def counts(self) -> dict[str, int]:
        return {"sequences": len(self.sequences), "enrollments": len(self.enrollments)}


def _progress(enrollment: dict[str, Any], now: int, rng: random.Random) -> None:
    stamp = format_rfc3339(now)
    for step in ("sent_at", "opened_at", "replied_at"):
        if enrollment[step] is None:
            enrollment[step] = stamp
            break
    else:
        enrollment["status"] = "finished"
    if rng.random() < 0.1:
        enrollment["status"] = rng.choice(STATUSES[1:])
    enrollment["updated_at"] = stamp


def generate(seed: int, enrollments: int, clock: VirtualClock, shared_people: int) -> AcmeState:
    rng = random.Random(seed)
    clock_start = clock.anchor_us - 30 * DAY_US
    sequences = [
        {"id": f"seq_{k}", "name": f"Acme sequence {k}", "status": "live",
         "created_at": format_rfc3339(clock_start), "updated_at": format_rfc3339(clock_start)}
        for k in range(1, 5)
    ]  # fmt: skip
    rows = {}
    for k in range(enrollments):
        at = clock_start + rng.randrange(30 * DAY_US)
        email = shared_address(k) if k < shared_people else f"person{k}@acme-people.example"
        row = {"id": f"enr_{k:06d}", "sequence_id": rng.choice(sequences)["id"],
               "email": None if k % 50 == 49 else email, "status": "active",
               "enrolled_at": format_rfc3339(at), "updated_at": format_rfc3339(at),
               "sent_at": None, "opened_at": None, "replied_at": None}  # fmt: skip
        for _ in range(rng.randrange(4)):
            _progress(row, at, rng)
        rows[row["id"]] = row
    return AcmeState(clock, sequences, rows, rng)


def build_app(state: AcmeState, api_key: str) -> Starlette:
    def answer(body: Any, status: int = 200) -> Response:
        return Response(orjson.dumps(body), status, media_type="application/json")

    def refused(request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {api_key}":
            return Response(error_body(401, "invalid API key"), 401)
        return None

    async def sequences(request: Request) -> Response:
        return refused(request) or answer({"data": state.sequences})

    async def enrollments(request: Request) -> Response:
        if failed := refused(request):
            return failed
        after = request.query_params.get("updated_after")
        cursor = request.query_params.get("cursor")
        limit = min(int(request.query_params.get("limit", PAGE_LIMIT)), PAGE_LIMIT)
        floor = parse_iso_us(after) if after else 0
        with state.lock:
            ordered = sorted((parse_iso_us(e["updated_at"]), e["id"], dict(e))
                             for e in state.enrollments.values())  # fmt: skip
        position = tuple(orjson.loads(cursor)) if cursor else (floor, "")
        page = [e for at, key, e in ordered if (at, key) > position and at >= floor][:limit]
        last = page[-1] if len(page) == limit else None
        following = orjson.dumps([parse_iso_us(last["updated_at"]), last["id"]]) if last else None
        return answer({"data": page, "next_cursor": following.decode() if following else None})

    return Starlette(routes=[Route(f"{PREFIX}/sequences", sequences),
                             Route(f"{PREFIX}/enrollments", enrollments)])  # fmt: skip


@dataclass
class AcmeSandbox(Served):
    """State, app and faults of one sandbox server. `with sandbox.serve() as url: ...`."""

    PREFIX = PREFIX

    state: AcmeState
    faults: FaultInjector
    app: Any

    @classmethod
    def create(
        cls,
        enrollments: int = 500,
        seed: int = 42,
        *,
        api_key: str = DEFAULT_API_KEY,
        faults: FaultConfig | None = None,
        anchor_us: int | None = None,
        frozen_clock: bool = False,
        shared_people: int = 0,
    ) -> AcmeSandbox:
        clock = VirtualClock(anchor_us, frozen=frozen_clock)
        state = generate(seed, enrollments, clock, shared_people)
        front = Front(lambda path: path.startswith(PREFIX), error_body)
        injector, app = front.serve(state, build_app(state, api_key), faults)
        return cls(state, injector, app)
