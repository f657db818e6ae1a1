"""What the resources of one Instantly source instance share: settings, run statistics, the
client, and when each listing is due again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import dlt

from sources.common.http import ApiClient
from sources.common.retries import RetryPolicy
from sources.common.stats import RunStats
from sources.common.tables import KnownTypes, schema_types
from sources.instantly.helpers import make_client


@dataclass(frozen=True)
class InstantlySettings:
    api_key: str
    base_url: str
    policy: RetryPolicy
    lookback: timedelta
    since: datetime | None  # emails created before this are not read on a first load
    catalog_refresh: timedelta
    leads_refresh: timedelta
    analytics_refresh: timedelta
    analytics_days: int
    email_chunk_seconds: float
    emails_limit: tuple[int, int]
    bodies: bool


@dataclass
class InstantlyRun:
    settings: InstantlySettings
    stats: RunStats

    def client(self) -> ApiClient:
        s = self.settings
        return make_client(s.api_key, s.base_url, s.policy, self.stats, s.emails_limit)

    @staticmethod
    def known_types() -> KnownTypes:
        return schema_types(dlt.current.source_schema())
