"""What the resources of one Unify source instance share: its settings, its run statistics,
this run's listing of sequences, and the source's state.

The listing is a few requests that two resources need: `sequences` loads it, and its `Date`
header is the upper bound `T0` that `enrollments` reads up to (the oldest sequence also places
the boundaries of concurrent windows). Whichever resource asks first lists; the other reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt

from sources.common.http import ApiClient
from sources.common.instants import format_instant, parse_instant, server_time
from sources.common.retries import RetryPolicy
from sources.common.stats import RunStats
from sources.common.tables import KnownTypes, schema_types
from sources.unify import sequence_rows
from sources.unify.helpers import make_client, pages
from sources.unify.query_jobs import JobSettings
from sources.unify.settings import CLOCK_SKEW_SECONDS

# Before resources per table family, one resource held every mark: moved on the first run.
LEGACY_RESOURCE = "sequences_and_enrollments"
SOURCE_KEYS = ("sequences", "sequences_listed_at", "api_clock_ahead_seconds")


@dataclass(frozen=True)
class UnifySettings:
    api_key: str
    base_url: str
    policy: RetryPolicy
    lookback: timedelta
    since: datetime | None
    concurrency: int
    sequences_refresh: timedelta
    bulk_backfill: bool
    jobs: JobSettings


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

    def client(self, concurrency: int = 1) -> ApiClient:
        s = self.settings
        return make_client(s.api_key, s.base_url, s.policy, concurrency, self.stats)

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
        listed_at, refresh = state.get("sequences_listed_at"), self.settings.sequences_refresh
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
