"""dlt source for the Unify Sequences API v1: enrollments and everything they point to.

One resource, so that the order of work is ours: sequences first (their listing also gives the
API's clock, the upper bound of the run), steps of the sequences that changed, then enrollments
updated since the last high-water mark less a lookback, then sequences that enrollments name but
the listing no longer has (deleted). The high-water mark lives in dlt's resource state, which is
committed together with the loaded data, so it never gets ahead of what was loaded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
from dlt.sources import DltResource

from sources.common.errors import ConfigurationError
from sources.common.http import ApiClient, RetryPolicy
from sources.common.instants import format_instant, parse_instant
from sources.unify import normalize
from sources.unify.helpers import get_sequence, make_client, pages, server_time
from sources.unify.settings import DEFAULT_BASE_URL, DEFAULT_LOOKBACK_SECONDS, TABLES

# Requests and retries of the latest extraction in this process, for run summaries and the bench.
run_stats: Counter[str] = Counter()

_HINTS = {
    table: dlt.mark.make_hints(
        table_name=table, primary_key="id", write_disposition="merge", columns=columns
    )
    for table, columns in TABLES.items()
}


def _tagged(table: str, rows: list[dict[str, Any]]) -> Any:
    return dlt.mark.with_hints(rows, _HINTS[table], create_table_variant=True)


def parse_since(value: str | datetime | None) -> datetime | None:
    """A start instant from config or the CLI: RFC 3339, or a date (midnight UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    text = str(value).strip()
    try:
        if len(text) == 10:
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
        return parse_instant(text)
    except ValueError:
        raise ConfigurationError(
            f"initial_updated_after {text!r} is not a date (2026-01-31) or an RFC 3339 instant"
        ) from None


@dlt.source(name="unify", max_table_nesting=0)
def unify_source(
    api_key: str = dlt.secrets.value,
    base_url: str = DEFAULT_BASE_URL,
    lookback_seconds: float = DEFAULT_LOOKBACK_SECONDS,
    initial_updated_after: str | None = None,
    max_attempts: int = 6,
    retry_after_floor: float = 1.0,
    backoff_initial: float = 0.5,
    request_timeout: float = 60.0,
) -> DltResource:
    """Tables: enrollments, sequences, sequence_steps, persons, mailboxes, plays,
    reply_email_messages, reply_email_classifications; all merged on `id`."""
    if lookback_seconds < 0:
        raise ConfigurationError(
            "lookback_seconds must be 0 or more: fix SOURCES__UNIFY__LOOKBACK_SECONDS"
        )
    policy = RetryPolicy(
        max_attempts=max(1, max_attempts), backoff_initial=backoff_initial,
        retry_after_floor=retry_after_floor, timeout=request_timeout,
    )  # fmt: skip
    make_client(api_key, base_url, policy).close()  # refuse bad configuration before extracting
    since = parse_since(initial_updated_after)
    return dlt.resource(
        _sequences_and_enrollments, name="sequences_and_enrollments", write_disposition="merge"
    )(api_key, base_url, policy, timedelta(seconds=lookback_seconds), since)


def _sequences_and_enrollments(
    api_key: str, base_url: str, policy: RetryPolicy, lookback: timedelta, since: datetime | None
) -> Iterator[Any]:
    state = dlt.current.resource_state()
    run_stats.clear()
    with make_client(api_key, base_url, policy) as client:
        try:
            upper, listed = yield from _sequences(client, state)
            seen_sequences = yield from _enrollments(client, state, upper, lookback, since)
            yield from _unlisted_sequences(client, state, seen_sequences, listed)
        finally:
            run_stats.update(client.stats)


def _sequences(client: ApiClient, state: dict[str, Any]) -> Iterator[Any]:
    """Every sequence (full rows), and steps where a sequence changed; returns (upper, ids)."""
    known: dict[str, dict[str, Any]] = state.setdefault("sequences", {})
    listed: dict[str, dict[str, Any]] = {}
    upper: datetime | None = None
    for response in pages(client, "/sequences", "sequences", []):
        upper = upper or server_time(response)
        for sequence in response.body["sequences"]:
            listed[sequence["id"]] = sequence
        yield _tagged("sequences", [normalize.sequence_row(s) for s in response.body["sequences"]])
    assert upper is not None
    for sequence_id, sequence in listed.items():
        if known.get(sequence_id, {}).get("updated_at") != sequence["updated_at"]:
            yield from _steps(client, sequence_id)
        known[sequence_id] = _remembered(sequence)
    return upper, set(listed)


def _steps(client: ApiClient, sequence_id: str) -> Iterator[Any]:
    position = 1
    for response in pages(client, f"/sequences/{sequence_id}/steps", "steps", []):
        steps = response.body["steps"]
        if steps:
            yield _tagged("sequence_steps", normalize.step_rows(steps, position))
        position += len(steps)


def _enrollments(
    client: ApiClient,
    state: dict[str, Any],
    upper: datetime,
    lookback: timedelta,
    since: datetime | None,
) -> Iterator[Any]:
    """Enrollments updated in [high-water mark - lookback, upper]; returns embedded sequences."""
    mark = state.get("enrollments_updated_at")
    start = parse_instant(mark) - lookback if mark else since
    params: list[tuple[str, Any]] = [("updated_before", format_instant(upper))]
    if start is not None:
        params.append(("updated_after", format_instant(start)))
    newest = parse_instant(mark) if mark else None
    embedded: dict[str, dict[str, Any]] = {}
    for response in pages(client, "/enrollments", "enrollments", params):
        page = response.body["enrollments"]
        if not page:
            continue
        embedded |= normalize.embedded_sequences(page)
        for table, rows in normalize.enrollment_rows(page).items():
            yield _tagged(table, rows)
            if table == "enrollments":
                page_newest = normalize.max_updated_at(rows)
                newest = max(filter(None, (newest, page_newest)), default=None)
    if newest is not None:
        state["enrollments_updated_at"] = format_instant(newest)
    return embedded


def _unlisted_sequences(
    client: ApiClient,
    state: dict[str, Any],
    embedded: dict[str, dict[str, Any]],
    listed: set[str],
) -> Iterator[Any]:
    """Sequences that enrollments name or we loaded before, but the listing lacks: deleted, or
    created after the listing. The API says which; a deleted one keeps what we remember of it."""
    known: dict[str, dict[str, Any]] = state["sequences"]
    rows = []
    for sequence_id in sorted((set(embedded) | set(known)) - listed):
        if known.get(sequence_id, {}).get("is_deleted"):
            continue
        sequence = get_sequence(client, sequence_id)
        if sequence is not None:
            rows.append(normalize.sequence_row(sequence))
            known[sequence_id] = _remembered(sequence)
            continue
        last = known.get(sequence_id) or _remembered(embedded[sequence_id])
        row = {"id": sequence_id, "name": last.get("name"), "is_paused": last.get("is_paused")}
        row["created_at"] = parse_instant(last["created_at"]) if last.get("created_at") else None
        rows.append(row | {"owner_id": last.get("owner_id"), "is_deleted": True})
        known[sequence_id] = last | {"is_deleted": True}
    if rows:
        yield _tagged("sequences", rows)


def _remembered(sequence: dict[str, Any]) -> dict[str, Any]:
    """What state keeps of a sequence: enough to detect change and to name it once deleted."""
    return {
        "updated_at": sequence.get("updated_at"),
        "name": sequence.get("name"),
        "is_paused": sequence.get("is_paused"),
        "created_at": sequence.get("created_at"),
        "owner_id": (sequence.get("owner") or {}).get("id"),
    }
