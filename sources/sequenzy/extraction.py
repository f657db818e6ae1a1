"""What the resources of one Sequenzy source instance share: settings, run statistics, the
client, and the sequences listing with the API's clock, read once per instance."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

import dlt

from sources.common.configuration import INSTANT, ApiSettings, at_least
from sources.common.http import ApiClient
from sources.common.instants import server_time
from sources.common.ratelimit import RateLimits
from sources.common.retries import RetryPolicy
from sources.common.state import due, mark_done
from sources.common.stats import RunStats
from sources.common.tables import KnownTypes, schema_types
from sources.sequenzy import activity, helpers
from sources.sequenzy.settings import (
    CLIENT_LIMITS,
    DEFAULT_BASE_URL,
    KEY_SETTING,
    RETRY,
    SOURCE_NAME,
)


@dataclass(frozen=True)
class SequenzySettings(ApiSettings):
    """Everything a user may set of the Sequenzy source and its actions, with its default
    (sources.common.configuration). `company_id`: the company an account-scoped key reads
    (`x-company-id`). `initial_since`: a first load reads events since then (default: each
    sequence's creation). The refresh settings say how often the subscribers, the
    conversations and the metrics are read again, and a sequence whose counts and listing have
    not moved (0: every run). `requests_per_minute`,
    `requests_per_second`: the client's pace (the key's documented limits, 100 and 20, are the
    defaults; lower them when other clients share the key). `companies`: an account key's loads
    cover every company it reaches (`all`) or those listed (ids, comma-separated), each a
    workspace of its own (pipelines.workspaces)."""

    SECTION: ClassVar[str] = SOURCE_NAME
    TITLE: ClassVar[str] = "Sequenzy"
    KEY_SETTING: ClassVar[str] = KEY_SETTING
    RETRY: ClassVar[RetryPolicy] = RETRY

    base_url: str = DEFAULT_BASE_URL
    company_id: str | None = None
    companies: str | None = None
    # events re-read before the mark: opens arrive late
    lookback_seconds: float = field(default=3_600.0, metadata=at_least(0))
    initial_since: str | None = field(default=None, metadata=INSTANT)
    subscribers_refresh_minutes: float = 60.0  # a full read: no updated-since filter
    conversations_refresh_minutes: float = 60.0  # a full read: no updated-since filter
    metrics_refresh_minutes: float = 60.0
    # a sequence whose activity stands is read again this often (sources.sequenzy.activity)
    quiet_refresh_minutes: float = 15.0
    # a long enrollments or events read commits this often
    chunk_seconds: float = field(default=300.0, metadata=at_least(0))
    requests_per_minute: int = field(default=CLIENT_LIMITS[0][0], metadata=at_least(1))
    requests_per_second: int = field(default=CLIENT_LIMITS[1][0], metadata=at_least(1))

    @property
    def limits(self) -> tuple[tuple[int, int], ...]:
        """(requests, per seconds): the configured pace within the documented windows."""
        (_, minute), (_, second) = CLIENT_LIMITS
        return (self.requests_per_minute, minute), (self.requests_per_second, second)


@dataclass
class Listing:
    sequences: list[dict[str, Any]]
    now: datetime  # the API's clock when it listed them (its Date header)


@dataclass
class SequenzyRun:
    settings: SequenzySettings
    stats: RunStats
    started: float = field(default_factory=time.monotonic)
    _listing: Listing | None = None
    _activity: dict[str, str] | None = None
    _activity_read: bool = False
    limits: RateLimits = field(init=False)

    def __post_init__(self) -> None:
        self.limits = helpers.rate_limits(self.settings.limits).part(self.settings.rate_share)

    def client(self) -> ApiClient:
        """A client on the instance's one set of limiters: the key's 100 requests a minute
        are shared by every resource."""
        s = self.settings
        return helpers.make_client(s.api_key, s.base_url, s.policy, self.stats, s.company_id,
                                   self.limits)  # fmt: skip

    def listing(self) -> Listing:
        if self._listing is None:
            with self.client() as client:
                found, response = helpers.sequences(client)
            self.stats.add("rows", len(found))
            self._listing = Listing(found, server_time(response.headers, timedelta(0)))
        return self._listing

    def activity(self) -> dict[str, str] | None:
        """Each listed sequence's activity, read once per instance, before any of its
        enrollments or events (sources.sequenzy.activity); None when it cannot be told."""
        if not self._activity_read:
            listed = self.listing().sequences
            with self.client() as client:
                emails = helpers.email_metrics(client)
            self._activity, self._activity_read = activity.digests(listed, emails), True
        return self._activity

    def quiet(self, entry: dict[str, Any], sequence_id: str) -> bool:
        """Whether a resource may skip the sequence this run: its last complete read saw the
        same activity, less than `quiet_refresh_minutes` ago (0: never, and the counts are not
        read at all). A resource asks before it reads any sequence, a read under way included,
        so that the activity a read records was taken before it."""
        refresh = self.settings.refresh("quiet")
        if refresh <= timedelta(0):
            return False
        seen = self.activity()  # asked before the run reads any sequence, whether due or not
        if seen is None or due(entry, activity.READ_AT, refresh):
            return False
        return entry.get(activity.ACTIVITY) == seen.get(sequence_id)

    def read_whole(self, entry: dict[str, Any], sequence_id: str) -> None:
        """Record a complete read of the sequence, and the activity it started from."""
        seen = self.activity() if self.settings.refresh("quiet") > timedelta(0) else None
        entry[activity.ACTIVITY] = (seen or {}).get(sequence_id)
        mark_done(entry, activity.READ_AT)

    def out_of_time(self) -> bool:
        """Whether this instance has read for its chunk: it commits and the runner loads again."""
        return time.monotonic() - self.started >= self.settings.chunk_seconds

    @staticmethod
    def known_types() -> KnownTypes:
        return schema_types(dlt.current.source_schema())
