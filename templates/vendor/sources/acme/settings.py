"""Constants of the Acme source: the API, its defaults, and the tables' column contracts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from sources.common.configuration import INSTANT, ApiSettings, at_least
from sources.common.retries import RetryPolicy
from sources.common.tables import ID, TEXT, TS, Tables, columns

SOURCE_NAME = "acme"  # dlt source, config section, command-line word, default dataset
DEFAULT_BASE_URL = "https://api.acme-outreach.example/v1"
KEY_SETTING = "SOURCES__ACME__API_KEY (or [sources.acme] api_key)"
BASE_SETTING = f"SOURCES__ACME__BASE_URL (the API's is {DEFAULT_BASE_URL})"
PAGE_LIMIT = 100  # the API's maximum


@dataclass(frozen=True)
class AcmeSettings(ApiSettings):
    """What a user may set (`SOURCES__ACME__*`), with its default: the source's arguments."""

    SECTION: ClassVar[str] = SOURCE_NAME
    TITLE: ClassVar[str] = "Acme"
    KEY_SETTING: ClassVar[str] = KEY_SETTING
    RETRY: ClassVar[RetryPolicy] = RetryPolicy()

    base_url: str = DEFAULT_BASE_URL
    # re-read this much before the high-water mark each run
    lookback_seconds: float = field(default=300.0, metadata=at_least(0))
    initial_updated_after: str | None = field(default=None, metadata=INSTANT)


# Every table merged on `id`; columns typed, so that one null on every row still exists with its
# type. Fields the API adds later land as new columns.
ACME_TABLES = Tables({
    "sequences": columns(id=ID, name=TEXT, status=TEXT, created_at=TS, updated_at=TS),
    "enrollments": columns(
        id=ID, sequence_id=TEXT, email=TEXT, status=TEXT, enrolled_at=TS,
        updated_at=TS | {"dedup_sort": "desc"}, sent_at=TS, opened_at=TS, replied_at=TS,
    ),
})  # fmt: skip
