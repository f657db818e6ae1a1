"""High-water marks in dlt state, and reading a pipeline's source state from outside a run.

A mark lives in its resource's dlt state, which dlt commits together with the data of the same
load: a run that fails or is killed leaves the mark where it was, so the mark is never ahead of
what was loaded. (`dlt.sources.incremental` does the same for a cursor whose maximum is the
mark; the marks here are bounded by the API's clock and re-read with a lookback, so they are
kept by hand, each in exactly one place.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import dlt

from sources.common.instants import format_instant, parse_instant


class HighWaterMark:
    """The newest cursor value (an instant) of one resource's loaded rows, under `key`."""

    def __init__(self, state: dict[str, Any], key: str) -> None:
        self._state, self.key = state, key

    @property
    def value(self) -> datetime | None:
        text = self._state.get(self.key)
        return parse_instant(text) if text else None

    def start(self, lookback: timedelta, since: datetime | None) -> datetime | None:
        """Where a run starts reading: the mark less the lookback, or `since` before any mark."""
        mark = self.value
        return mark - lookback if mark is not None else since

    def set(self, value: datetime | None) -> None:
        if value is not None:
            self._state[self.key] = format_instant(value)


def due(state: dict[str, Any], key: str, every: timedelta) -> bool:
    """Whether a listing whose last completion `state[key]` holds is due again (always on a
    first run, or with a refresh of 0)."""
    last = state.get(key)
    if last is None or every <= timedelta(0):
        return True
    return datetime.now(UTC) - parse_instant(last) >= every


def mark_done(state: dict[str, Any], key: str) -> None:
    """Record that the listing under `key` completed now (committed with its data)."""
    state[key] = format_instant(datetime.now(UTC))


def source_state(pipeline: dlt.Pipeline, source: str) -> dict[str, Any]:
    """A source's state as last committed by `pipeline` (empty before its first load)."""
    return dict(pipeline.state.get("sources", {}).get(source, {}))


def resource_state(pipeline: dlt.Pipeline, source: str, resource: str) -> dict[str, Any]:
    return dict(source_state(pipeline, source).get("resources", {}).get(resource, {}))
