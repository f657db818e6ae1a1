"""dlt source for the Unify Sequences API v1: enrollments and everything they point to.

One resource, so that the order of work is ours: sequences when a listing is due (it also gives
the API's clock, the upper bound of the run) with the steps of those that changed, then
enrollments updated since the last high-water mark less a lookback, then sequences that
enrollments name but the state or the listing lacks (new, or deleted). The high-water mark
lives in dlt's resource state, which is committed together with the loaded data, so it never
gets ahead of what was loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
import pyarrow.compute as pc
from dlt.sources import DltResource

from sources.common.errors import ConfigurationError
from sources.common.http import ApiClient, ApiResponse, RetryPolicy
from sources.common.instants import format_instant, parse_instant
from sources.unify import bulk_load, columnar, normalize
from sources.unify.bulk_load import JobSettings, bulk_enrollments
from sources.unify.helpers import (
    check_settings,
    concurrent_pages,
    first_page,
    get_sequence,
    make_client,
    pages,
    server_time,
    windows,
)
from sources.unify.output import run_stats
from sources.unify.output import tagged as _tagged
from sources.unify.recent import RecentVersions
from sources.unify.settings import (
    BATCH_ROWS,
    DEFAULT_BASE_URL,
    DEFAULT_CONCURRENCY,
    DEFAULT_DAILY_QUERY_JOBS,
    DEFAULT_LOOKBACK_SECONDS,
    DEFAULT_SEQUENCES_REFRESH_MINUTES,
    DEFAULT_STEPS_REFRESH_MINUTES,
    QUERY_JOB_POLL_SECONDS,
    QUERY_JOB_TIMEOUT_SECONDS,
    WINDOWS_PER_WORKER,
)


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
    concurrency: int = DEFAULT_CONCURRENCY,
    sequences_refresh_minutes: float = DEFAULT_SEQUENCES_REFRESH_MINUTES,
    enrollment_steps: bool = True,
    backfill: str = "bulk",
    daily_query_jobs: int = DEFAULT_DAILY_QUERY_JOBS,
    query_job_timeout: float = QUERY_JOB_TIMEOUT_SECONDS,
    query_job_poll_seconds: float = QUERY_JOB_POLL_SECONDS,
    steps_refresh_minutes: float = DEFAULT_STEPS_REFRESH_MINUTES,
) -> list[DltResource]:
    """Tables: enrollments, sequences, sequence_steps, persons, mailboxes, plays,
    reply_email_messages, reply_email_classifications; with `enrollment_steps`, also
    enrollment_steps and what the Bulk API adds (companies, person_companies, ...).

    `backfill`: how a first load (no high-water mark yet) reads enrollments: "bulk" (a query
    job, as Unify recommends for large exports) or "list" (the list endpoint, which also
    carries created_at); increments always use the list endpoint."""
    run_stats.clear()
    if backfill not in ("bulk", "list"):
        raise ConfigurationError("backfill must be bulk or list: fix SOURCES__UNIFY__BACKFILL")
    if not 1 <= concurrency <= 64:
        raise ConfigurationError("concurrency must be 1 to 64: fix SOURCES__UNIFY__CONCURRENCY")
    if lookback_seconds < 0:
        raise ConfigurationError(
            "lookback_seconds must be 0 or more: fix SOURCES__UNIFY__LOOKBACK_SECONDS"
        )
    policy = RetryPolicy(
        max_attempts=max(1, max_attempts), backoff_initial=backoff_initial,
        retry_after_floor=retry_after_floor, timeout=request_timeout,
    )  # fmt: skip
    check_settings(api_key, base_url)  # refuse bad configuration before extracting
    since = parse_since(initial_updated_after)
    lookback = timedelta(seconds=lookback_seconds)
    jobs = JobSettings(
        daily_query_jobs, query_job_timeout, query_job_poll_seconds,
        timedelta(minutes=steps_refresh_minutes),
    )  # fmt: skip
    resources = [
        dlt.resource(
            _sequences_and_enrollments, name="sequences_and_enrollments",
            write_disposition="merge",
        )(
            api_key, base_url, policy, lookback, since, concurrency,
            timedelta(minutes=sequences_refresh_minutes), jobs if backfill == "bulk" else None,
        )
    ]  # fmt: skip
    if enrollment_steps:
        steps = dlt.resource(
            bulk_load.enrollment_steps, name="enrollment_steps", write_disposition="merge"
        )
        resources.append(steps(api_key, base_url, policy, lookback, since, jobs))
    return resources


def _sequences_and_enrollments(
    api_key: str,
    base_url: str,
    policy: RetryPolicy,
    lookback: timedelta,
    since: datetime | None,
    concurrency: int,
    refresh: timedelta,
    bulk_backfill: JobSettings | None,
) -> Iterator[Any]:
    state = dlt.current.resource_state()
    with make_client(api_key, base_url, policy, concurrency=concurrency) as client:
        try:
            upper, listed, floor = None, None, None
            if _listing_due(state, refresh):
                upper, listed, floor = yield from _sequences(client, state)
                state["sequences_listed_at"] = format_instant(upper)
            seen_sequences = None
            if bulk_backfill is not None and "enrollments_updated_at" not in state:
                seen_sequences = yield from bulk_enrollments(
                    client, state, bulk_backfill, since, upper
                )
            if seen_sequences is None:
                seen_sequences = yield from _enrollments(
                    client, state, upper, lookback, since, floor, concurrency
                )
            yield from _unlisted_sequences(client, state, seen_sequences, listed)
        finally:
            run_stats.update(client.stats)


def _listing_due(state: dict[str, Any], refresh: timedelta) -> bool:
    """Sequences are listed on the first run, then once `refresh` has passed on the API's clock
    (the listing is a request a nothing-new run can do without; 0 lists them every run)."""
    listed_at = state.get("sequences_listed_at")
    if listed_at is None or refresh <= timedelta(0):
        return True
    return datetime.now(UTC) - parse_instant(listed_at) >= refresh - _skew(state)


def _skew(state: dict[str, Any]) -> timedelta:
    """How far the API's clock was ahead of ours at the last run (negative: behind)."""
    return timedelta(seconds=float(state.get("api_clock_ahead_seconds", 0.0)))


def _sequences(client: ApiClient, state: dict[str, Any]) -> Iterator[Any]:
    """Every sequence (full rows), and steps where a sequence changed.

    Returns the run's upper bound (the API's clock), the listed ids, and the oldest sequence's
    creation (no enrollment is older: it places the boundaries of concurrent windows)."""
    known: dict[str, dict[str, Any]] = state.setdefault("sequences", {})
    listed: dict[str, dict[str, Any]] = {}
    upper: datetime | None = None
    for response in pages(client, "/sequences", "sequences", []):
        upper = upper or server_time(response)
        for sequence in response.body["sequences"]:
            listed[sequence["id"]] = sequence
        yield _tagged("sequences", [normalize.sequence_row(s) for s in response.body["sequences"]])
    assert upper is not None
    created = [parse_instant(s["created_at"]) for s in listed.values() if s.get("created_at")]
    for sequence_id, sequence in listed.items():
        if known.get(sequence_id, {}).get("updated_at") != sequence["updated_at"]:
            yield from _steps(client, sequence_id)
        known[sequence_id] = _remembered(sequence)
    return upper, set(listed), min(created, default=None)


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
    upper: datetime | None,
    lookback: timedelta,
    since: datetime | None,
    floor: datetime | None,
    concurrency: int,
) -> Iterator[Any]:
    """Enrollments updated in [high-water mark - lookback, upper], the range split into windows
    paged concurrently, handed to dlt as Arrow batches; returns the embedded sequences.

    Without an upper bound yet, the first page is asked for without one and the API's clock on
    that answer becomes the bound: when that page is the only one, the run took one request."""
    mark = state.get("enrollments_updated_at")
    start = parse_instant(mark) - lookback if mark else since
    responses: Iterable[ApiResponse] | None = None
    if upper is None:
        low = [("updated_after", format_instant(start))] if start is not None else []
        probe = first_page(client, "/enrollments", "enrollments", low)
        upper = server_time(probe)
        if not probe.body.get("next_cursor"):
            responses = [probe]
    ahead = round((upper - datetime.now(UTC)).total_seconds())
    if abs(ahead - state.get("api_clock_ahead_seconds", 0)) >= 5:  # unchanged state: no load
        state["api_clock_ahead_seconds"] = ahead
    if responses is None:
        spans = windows(start, upper, floor, concurrency * WINDOWS_PER_WORKER)
        queries = [_window_params(low, high) for low, high in spans]
        responses = concurrent_pages(client, "/enrollments", "enrollments", queries, concurrency)
    newest = parse_instant(mark) if mark else None
    recent = RecentVersions(state.get("recent_versions"), lookback)
    embedded: dict[str, dict[str, Any]] = {}
    batch: list[dict[str, Any]] = []
    for response in responses:
        page = response.body["enrollments"]
        embedded |= normalize.embedded_sequences(page)
        batch += page
        if len(batch) >= BATCH_ROWS:
            newest = yield from _emit(batch, newest, recent)
            batch = []
    newest = yield from _emit(batch, newest, recent)
    if newest is not None:
        state["enrollments_updated_at"] = format_instant(newest)
    state["recent_versions"] = recent.state(newest)
    return embedded


def _window_params(low: datetime | None, high: datetime) -> list[tuple[str, Any]]:
    params: list[tuple[str, Any]] = [("updated_before", format_instant(high))]
    return params + ([("updated_after", format_instant(low))] if low is not None else [])


def _emit(
    batch: list[dict[str, Any]], newest: datetime | None, recent: RecentVersions
) -> Iterator[Any]:
    """Yield a batch as Arrow tables, less what the last run loaded exactly so; returns the
    newest updated_at seen so far."""
    changed, unchanged = recent.split(batch)
    if unchanged:
        instants = columnar.timestamps([e["updated_at"] for e in unchanged])
        newest = _seen(recent, unchanged, instants, newest)
    if changed:
        tables = columnar.enrollment_tables(changed)
        for name, arrow_table in tables.items():
            yield _tagged(name, arrow_table)
        newest = _seen(recent, changed, tables["enrollments"]["updated_at"], newest)
    return newest


def _seen(
    recent: RecentVersions, rows: list[dict[str, Any]], instants: Any, newest: datetime | None
) -> datetime:
    """Advance the newest updated_at with these rows, and remember them; returns it."""
    newest = max(filter(None, (newest, pc.max(instants).as_py())))
    recent.remember([e["id"] for e in rows], [e["updated_at"] for e in rows], instants, newest)
    return newest


def _unlisted_sequences(
    client: ApiClient,
    state: dict[str, Any],
    embedded: dict[str, dict[str, Any]],
    listed: set[str] | None,
) -> Iterator[Any]:
    """Sequences that enrollments name or we loaded before, but the listing lacks: deleted, or
    created after the listing. The API says which; a deleted one keeps what we remember of it.
    Without a listing this run, only sequences never seen before are looked up."""
    known: dict[str, dict[str, Any]] = state.setdefault("sequences", {})
    candidates = (
        set(embedded) - set(known) if listed is None else (set(embedded) | set(known)) - listed
    )
    rows = []
    for sequence_id in sorted(candidates):
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
