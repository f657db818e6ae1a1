"""What the resources of one Unify source instance share: its settings, its run statistics,
this run's listing of sequences, and the source's state.

The listing is a few requests that two resources need: `sequences` loads it, and its `Date`
header is the upper bound `T0` that `enrollments` reads up to (the oldest sequence also places
the boundaries of concurrent windows). Whichever resource asks first lists; the other reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import dlt

from sources.common.configuration import INSTANT, ApiSettings, at_least, between, one_of
from sources.common.http import ApiClient
from sources.common.instants import format_instant, parse_instant, server_time
from sources.common.ratelimit import RateLimits
from sources.common.retries import RetryPolicy
from sources.common.stats import RunStats
from sources.common.tables import KnownTypes, schema_types
from sources.unify import sequence_rows
from sources.unify.helpers import make_client, pages, rate_limits
from sources.unify.query_jobs import JobSettings
from sources.unify.settings import (
    CLOCK_SKEW_SECONDS,
    DEFAULT_BASE_URL,
    KEY_SETTING,
    RETRY,
    SOURCE_NAME,
)

# Before resources per table family, one resource held every mark: moved on the first run.
LEGACY_RESOURCE = "sequences_and_enrollments"
SOURCE_KEYS = ("sequences", "sequences_listed_at", "api_clock_ahead_seconds")


@dataclass(frozen=True)
class UnifySettings(ApiSettings):
    """Everything a user may set of the Unify source and its actions, with its default
    (sources.common.configuration). `backfill`: how a first load (no high-water mark yet) reads
    enrollments: "bulk" (a query job, as Unify recommends for large exports) or "list" (the list
    endpoint, which also carries created_at); increments always use the list endpoint.
    `enrollment_steps=False` leaves that resource unselected."""

    SECTION: ClassVar[str] = SOURCE_NAME
    TITLE: ClassVar[str] = "Unify"
    KEY_SETTING: ClassVar[str] = KEY_SETTING
    RETRY: ClassVar[RetryPolicy] = RETRY

    base_url: str = DEFAULT_BASE_URL
    # re-read this much before the high-water mark each run
    lookback_seconds: float = field(default=300.0, metadata=at_least(0))
    initial_updated_after: str | None = field(default=None, metadata=INSTANT)
    # updated_at windows paged at once (10.5 x one cursor at +100 ms a page)
    concurrency: int = field(default=16, metadata=between(1, 64))
    sequences_refresh_minutes: float = 60.0  # list sequences at most this often (0: every run)
    enrollment_steps: bool = True
    backfill: str = field(default="bulk", metadata=one_of("bulk", "list"))
    daily_query_jobs: int = 100  # "about 100 job creations a day per account"
    query_job_timeout: float = 1800.0
    query_job_poll_seconds: float = 1.0  # first wait between polls; it grows 1.5x to 15 s
    steps_refresh_minutes: float = 60.0  # one steps job an hour: 24 of the day's ~100

    @property
    def bulk_backfill(self) -> bool:
        return self.backfill == "bulk"

    @property
    def jobs(self) -> JobSettings:
        return JobSettings(self.daily_query_jobs, self.query_job_timeout,
                           self.query_job_poll_seconds,
                           self.refresh("steps"))  # fmt: skip


@dataclass
class Listing:
    """Every sequence, as `GET /sequences` listed it at `upper` (the API's clock)."""

    upper: datetime
    pages: list[list[dict[str, Any]]]
    listed: dict[str, dict[str, Any]]

    @property
    def floor(self) -> datetime | None:
        """The oldest sequence's creation: no enrollment is older."""
        created = [parse_instant(s["created_at"]) for s in self.listed.values()
                   if s.get("created_at")]  # fmt: skip
        return min(created, default=None)


@dataclass
class UnifyRun:
    settings: UnifySettings
    stats: RunStats
    _listing: Listing | None = None
    _listing_decided: bool = False
    limits: RateLimits = field(init=False)

    def __post_init__(self) -> None:
        self.limits = rate_limits(self.settings.rate_share)

    def client(self, concurrency: int = 1) -> ApiClient:
        """A client on the run's one limiter, which every resource shares."""
        s = self.settings
        return make_client(s.api_key, s.base_url, s.policy, concurrency, self.stats, self.limits)

    @staticmethod
    def selected(resource: str) -> bool:
        """Whether `resource` is extracted in this run (`with_resources` may leave it out)."""
        return resource in dlt.current.source().selected_resources

    @staticmethod
    def known_types() -> KnownTypes:
        """What the destination's schema knows of each table's columns, for new API fields."""
        return schema_types(dlt.current.source_schema())

    @staticmethod
    def source_state() -> dict[str, Any]:
        """The source's state, with a pipeline's state from before the split moved in place."""
        state: dict[str, Any] = dlt.current.source_state()
        resources = state.setdefault("resources", {})
        legacy = resources.pop(LEGACY_RESOURCE, None)
        if legacy:
            for key in SOURCE_KEYS:
                if key in legacy:
                    state[key] = legacy.pop(key)
            resources.setdefault("enrollments", {}).update(legacy)
        return state

    def listing(self, client: ApiClient) -> Listing | None:
        """This run's listing of sequences: made once, when `sequences` is extracted and a
        listing is due, by whichever resource asks first; None otherwise."""
        if not self._listing_decided:
            self._listing_decided = True
            state = self.source_state()
            if self.selected("sequences") and self._listing_due(state):
                self._listing = _list_sequences(client)
                state["sequences_listed_at"] = format_instant(self._listing.upper)
        return self._listing

    def _listing_due(self, state: dict[str, Any]) -> bool:
        """Sequences are listed on the first run, then once the refresh interval has passed on
        the API's clock (a nothing-new run can do without the listing; 0 lists every run)."""
        listed_at, refresh = state.get("sequences_listed_at"), self.settings.refresh("sequences")
        if listed_at is None or refresh <= timedelta(0):
            return True
        ahead = timedelta(seconds=float(state.get("api_clock_ahead_seconds", 0.0)))
        return datetime.now(UTC) - parse_instant(listed_at) >= refresh - ahead


def _list_sequences(client: ApiClient) -> Listing:
    upper: datetime | None = None
    listed: dict[str, dict[str, Any]] = {}
    rows: list[list[dict[str, Any]]] = []
    for response in pages(client, "/sequences", "sequences", []):
        upper = upper or server_time(response.headers, timedelta(seconds=CLOCK_SKEW_SECONDS))
        listed |= {s["id"]: s for s in response.body["sequences"]}
        rows.append([sequence_rows.sequence_row(s) for s in response.body["sequences"]])
    assert upper is not None  # pages() yields at least one page
    return Listing(upper, rows, listed)
