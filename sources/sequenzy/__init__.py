"""dlt source for the Sequenzy API v1: sequences, enrollments, subscribers, conversations (its
replies), events, metrics.

One resource per table family, so that `sequenzy_source().with_resources("events")` loads just
those tables:

- `sequences`: sequences, sequence_nodes, sequence_edges, sequence_emails (catalog.py);
- `enrollments`: every enrollment token, of every status (enrollments.py);
- `subscribers`: every subscriber (subscribers.py);
- `conversations`: the inbox, where replies are (conversations.py);
- `events`: every type of event of each sequence, by time windows (events.py);
- `metrics`: sequence_metrics and sequence_step_metrics, per day (metrics.py).

All of them share one client-side limiter within the key's 100 requests a minute (and 20 a
second). Marks and offsets live in dlt state, committed with the data of the same load.
"""

from __future__ import annotations

from datetime import timedelta

import dlt
from dlt.sources import DltResource

from sources.common.errors import check_at_least, readable
from sources.common.instants import parse_since
from sources.common.stats import RunStats
from sources.sequenzy.catalog import sequences as _sequences
from sources.sequenzy.conversations import conversations as _conversations
from sources.sequenzy.enrollments import enrollments as _enrollments
from sources.sequenzy.events import events as _events
from sources.sequenzy.extraction import SequenzyRun, SequenzySettings
from sources.sequenzy.helpers import check_settings
from sources.sequenzy.metrics import metrics as _metrics
from sources.sequenzy.settings import (
    CLIENT_LIMITS,
    DEFAULT_BASE_URL,
    DEFAULT_CHUNK_SECONDS,
    DEFAULT_CONVERSATIONS_REFRESH_MINUTES,
    DEFAULT_LOOKBACK_SECONDS,
    DEFAULT_METRICS_REFRESH_MINUTES,
    DEFAULT_SUBSCRIBERS_REFRESH_MINUTES,
    RETRY,
    SOURCE_NAME,
)
from sources.sequenzy.subscribers import subscribers as _subscribers


@dlt.source(name=SOURCE_NAME, max_table_nesting=0)
def sequenzy_source(
    api_key: str = dlt.secrets.value,
    base_url: str = DEFAULT_BASE_URL,
    company_id: str | None = None,
    lookback_seconds: float = DEFAULT_LOOKBACK_SECONDS,
    initial_since: str | None = None,
    subscribers_refresh_minutes: float = DEFAULT_SUBSCRIBERS_REFRESH_MINUTES,
    conversations_refresh_minutes: float = DEFAULT_CONVERSATIONS_REFRESH_MINUTES,
    metrics_refresh_minutes: float = DEFAULT_METRICS_REFRESH_MINUTES,
    chunk_seconds: float = DEFAULT_CHUNK_SECONDS,
    requests_per_minute: int = CLIENT_LIMITS[0][0],
    requests_per_second: int = CLIENT_LIMITS[1][0],
    max_attempts: int = RETRY.max_attempts,
    retry_after_floor: float = RETRY.retry_after_floor,
    backoff_initial: float = RETRY.backoff_initial,
    request_timeout: float = RETRY.timeout,
    run_stats: RunStats | None = None,
) -> list[DltResource]:
    """The Sequenzy tables, in six resources (see the module's docstring).

    `company_id`: the company an account-scoped key reads (`x-company-id`). `initial_since`: a
    first load reads events since then (a date or an RFC 3339 instant; default: each
    sequence's creation). The refresh settings say how often the subscribers, the
    conversations and the metrics are read again (0: every run). `requests_per_minute`,
    `requests_per_second`: the client's pace (the key's documented limits, 100 and 20, are the
    defaults; lower them when other clients share the key)."""
    check_at_least(lookback_seconds, 0, SOURCE_NAME, "LOOKBACK_SECONDS")
    check_at_least(chunk_seconds, 0, SOURCE_NAME, "CHUNK_SECONDS")
    check_at_least(requests_per_minute, 1, SOURCE_NAME, "REQUESTS_PER_MINUTE")
    check_at_least(requests_per_second, 1, SOURCE_NAME, "REQUESTS_PER_SECOND")
    check_settings(api_key, base_url)  # refuse bad configuration before extracting
    limits = (
        (requests_per_minute, CLIENT_LIMITS[0][1]), (requests_per_second, CLIENT_LIMITS[1][1]),
    )  # fmt: skip
    settings = SequenzySettings(
        api_key=api_key, base_url=base_url, company_id=company_id,
        policy=RETRY.configured(max_attempts, backoff_initial, retry_after_floor,
                                request_timeout),
        lookback=timedelta(seconds=lookback_seconds),
        since=parse_since(initial_since, "initial_since"),
        subscribers_refresh=timedelta(minutes=subscribers_refresh_minutes),
        conversations_refresh=timedelta(minutes=conversations_refresh_minutes),
        metrics_refresh=timedelta(minutes=metrics_refresh_minutes),
        chunk_seconds=chunk_seconds, limits=limits,
    )  # fmt: skip
    run = SequenzyRun(settings, run_stats if run_stats is not None else RunStats())
    reads = readable("Sequenzy", run.stats)  # a field its answer lacked: one line
    return [
        dlt.resource(reads(_sequences), name="sequences", write_disposition="merge")(run),
        dlt.resource(reads(_enrollments), name="enrollments", write_disposition="merge")(run),
        dlt.resource(reads(_subscribers), name="subscribers", write_disposition="merge")(run),
        dlt.resource(reads(_conversations), name="conversations", write_disposition="merge")(run),
        dlt.resource(reads(_events), name="events", write_disposition="merge")(run),
        dlt.resource(reads(_metrics), name="metrics", write_disposition="merge")(run),
    ]
