"""dlt source for Acme Outreach (the template vendor, docs/adding-a-vendor.md): its sequences
and enrollments.

- `sequences`: the listing, read every run (one request);
- `enrollments`: what changed since the high-water mark of `updated_at`, less a lookback, page
  by page on the API's cursor. The mark lives in the resource's dlt state, committed with the
  data it belongs to: never ahead of what was loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt
from dlt.sources import DltResource

from sources.acme.settings import ACME_TABLES, BASE_SETTING, KEY_SETTING, PAGE_LIMIT, AcmeSettings
from sources.common.bodies import ErrorFormat
from sources.common.configuration import settings_source
from sources.common.errors import readable
from sources.common.http import ApiClient
from sources.common.instants import format_instant, parse_instant
from sources.common.state import HighWaterMark
from sources.common.stats import RunStats


class AcmeErrors(ErrorFormat):
    """Acme's errors: `{"error": {"message": ...}}`."""

    def message(self, body: Any) -> str:
        error = body.get("error") if isinstance(body, dict) else None
        return super().message(error if isinstance(error, dict) else body)


@settings_source(AcmeSettings)
def acme_source(settings: AcmeSettings, stats: RunStats) -> list[DltResource]:
    """The Acme tables, one resource each (see the module's docstring); its arguments are the
    fields of AcmeSettings, checked before anything is read."""

    def client() -> ApiClient:
        return ApiClient(
            settings.base_url, vendor="Acme",
            auth_headers={"authorization": f"Bearer {settings.api_key.strip()}"},
            key_setting=KEY_SETTING, base_setting=BASE_SETTING, errors=AcmeErrors(),
            policy=settings.policy, stats=stats,
        )  # fmt: skip

    def sequences() -> Iterator[Any]:
        with client() as api:
            listed = api.get("/sequences", collection=True).body["data"]
        yield ACME_TABLES.tagged("sequences", listed)

    def enrollments() -> Iterator[Any]:
        mark = HighWaterMark(dlt.current.resource_state(), "updated_at")
        start = mark.start(settings.lookback, settings.since)
        params: dict[str, Any] = {"limit": PAGE_LIMIT}
        if start is not None:
            params["updated_after"] = format_instant(start)
        newest = mark.value
        with client() as api:
            while True:
                page = api.get("/enrollments", params, collection=True).body
                if page["data"]:
                    yield ACME_TABLES.tagged("enrollments", page["data"])
                    latest = max(parse_instant(e["updated_at"]) for e in page["data"])
                    newest = latest if newest is None else max(newest, latest)
                if not page.get("next_cursor"):
                    break
                params["cursor"] = page["next_cursor"]
        mark.set(newest)

    reads = readable("Acme", stats)  # a field its answer lacked: one line
    return [
        dlt.resource(reads(sequences), name="sequences", write_disposition="merge")(),
        dlt.resource(reads(enrollments), name="enrollments", write_disposition="merge")(),
    ]
