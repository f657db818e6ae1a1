"""What the resources of one Instantly source instance share: settings, run statistics, the
client, and when each listing is due again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import dlt

from sources.common.configuration import INSTANT, ApiSettings, at_least
from sources.common.http import ApiClient
from sources.common.ratelimit import RateLimits
from sources.common.retries import RetryPolicy
from sources.common.stats import RunStats
from sources.common.tables import KnownTypes, schema_types
from sources.instantly.helpers import make_client, rate_limits
from sources.instantly.settings import (
    DEFAULT_BASE_URL,
    EMAILS_LIMIT,
    KEY_SETTING,
    RETRY,
    SOURCE_NAME,
)


@dataclass(frozen=True)
class InstantlySettings(ApiSettings):
    """Everything a user may set of the Instantly source and its actions, with its default
    (sources.common.configuration). `initial_created_after`: a first load reads emails created
    since then. `email_bodies`: load each email's text and HTML body (off: subject and preview).
    The refresh settings say how often each full listing is read again (0: every run); emails
    are read every run. `workspace_group`: an admin key's loads cover each accepted member of
    its workspace group too, each a workspace of its own (pipelines.workspaces); `as_workspace`:
    the member a load reads (the `x-as-workspace` header, with the admin's key)."""

    SECTION: ClassVar[str] = SOURCE_NAME
    TITLE: ClassVar[str] = "Instantly"
    KEY_SETTING: ClassVar[str] = KEY_SETTING
    RETRY: ClassVar[RetryPolicy] = RETRY

    base_url: str = DEFAULT_BASE_URL
    lookback_seconds: float = field(default=600.0, metadata=at_least(0))  # the listing trails
    initial_created_after: str | None = field(default=None, metadata=INSTANT)
    catalog_refresh_minutes: float = 15.0  # campaigns, subsequences, accounts
    leads_refresh_minutes: float = 60.0  # a full read of the leads: no updated-since filter
    analytics_refresh_minutes: float = 60.0
    # daily counts keep changing for days: re-read this many each time
    analytics_days: int = field(default=14, metadata=at_least(0))
    # a long emails read commits this often, then goes on
    email_chunk_seconds: float = field(default=180.0, metadata=at_least(0))
    emails_requests_per_window: int = field(default=EMAILS_LIMIT[0], metadata=at_least(1))
    emails_window_seconds: int = field(default=EMAILS_LIMIT[1], metadata=at_least(1))
    email_bodies: bool = False
    workspace_group: bool = False
    as_workspace: str | None = None

    @property
    def emails_limit(self) -> tuple[int, int]:
        return self.emails_requests_per_window, self.emails_window_seconds

    @property
    def bodies(self) -> bool:
        return self.email_bodies


@dataclass
class InstantlyRun:
    settings: InstantlySettings
    stats: RunStats
    limits: RateLimits = field(init=False)

    def __post_init__(self) -> None:
        self.limits = rate_limits(self.settings.emails_limit, self.settings.rate_share)

    def client(self) -> ApiClient:
        """A client on the run's one set of limiters, which every resource shares."""
        s = self.settings
        return make_client(s.api_key, s.base_url, s.policy, self.stats, self.limits,
                           s.as_workspace)  # fmt: skip

    @staticmethod
    def known_types() -> KnownTypes:
        return schema_types(dlt.current.source_schema())
