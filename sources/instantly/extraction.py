"""What the resources of one Instantly source instance share: settings, run statistics, the
client, and when each listing is due again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt

from sources.common.http import ApiClient
from sources.common.instants import format_instant, parse_instant
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

    @staticmethod
    def due(state: dict[str, Any], key: str, every: timedelta) -> bool:
        """Whether a listing whose last completion `state[key]` holds is due again (always
        on a first run, or with a refresh of 0)."""
        last = state.get(key)
        if last is None or every <= timedelta(0):
            return True
        return datetime.now(UTC) - parse_instant(last) >= every

    @staticmethod
    def done(state: dict[str, Any], key: str) -> None:
        state[key] = format_instant(datetime.now(UTC))
