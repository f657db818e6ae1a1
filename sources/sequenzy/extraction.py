"""What the resources of one Sequenzy source instance share: settings, run statistics, the
client, and the sequences listing with the API's clock, read once per instance."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import dlt

from sources.common.http import ApiClient
from sources.common.instants import server_time
from sources.common.ratelimit import RateLimits
from sources.common.retries import RetryPolicy
from sources.common.stats import RunStats
from sources.common.tables import KnownTypes, schema_types
from sources.sequenzy import helpers


@dataclass(frozen=True)
class SequenzySettings:
    api_key: str
    base_url: str
    company_id: str | None
    policy: RetryPolicy
    lookback: timedelta
    since: datetime | None  # events before this are not read on a first load
    subscribers_refresh: timedelta
    conversations_refresh: timedelta
    metrics_refresh: timedelta
    chunk_seconds: float
    limits: tuple[tuple[int, int], ...]


@dataclass
class Listing:
    sequences: list[dict[str, Any]]
    now: datetime  # the API's clock when it listed them (its Date header)


@dataclass
class SequenzyRun:
    settings: SequenzySettings
    stats: RunStats
    started: float = field(default_factory=time.monotonic)
    _limits: RateLimits | None = None
    _listing: Listing | None = None

    def client(self) -> ApiClient:
        """A client on the instance's one set of limiters: the key's 100 requests a minute
        are shared by every resource."""
        s = self.settings
        if self._limits is None:
            self._limits = helpers.rate_limits(s.limits)
        return helpers.make_client(s.api_key, s.base_url, s.policy, self.stats, s.company_id,
                                   self._limits)  # fmt: skip

    def listing(self) -> Listing:
        if self._listing is None:
            with self.client() as client:
                found, response = helpers.sequences(client)
            self.stats.add("rows", len(found))
            self._listing = Listing(found, server_time(response.headers, timedelta(0)))
        return self._listing

    def out_of_time(self) -> bool:
        """Whether this instance has read for its chunk: it commits and the runner loads again."""
        return time.monotonic() - self.started >= self.settings.chunk_seconds

    @staticmethod
    def known_types() -> KnownTypes:
        return schema_types(dlt.current.source_schema())
