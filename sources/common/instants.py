"""RFC 3339 instants parsed to aware UTC datetimes (compared as instants, never as text), and
the API's own clock."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})?$"
)


def parse_instant(text: str) -> datetime:
    """`2026-01-02T03:04:05Z`, `...05.123456789+02:00`, `...05z`: an aware datetime in UTC.

    Fractions beyond microseconds are truncated; a missing offset is refused rather than guessed.
    """
    match = _RFC3339.match(text.strip())
    if not match or match.group(4) is None:
        raise ValueError(f"not an RFC 3339 date-time with an offset: {text!r}")
    date, time, fraction, offset = match.groups()
    micros = (fraction or "")[:6].ljust(6, "0")
    offset = "+00:00" if offset in ("Z", "z") else offset
    if len(offset) == 5:  # +0200
        offset = f"{offset[:3]}:{offset[3:]}"
    return datetime.fromisoformat(f"{date}T{time}.{micros}{offset}").astimezone(UTC)


def parse_since(value: str | datetime | None, setting: str) -> datetime | None:
    """A start instant from config or the command line: RFC 3339, or a date (midnight UTC);
    a bad one is a ConfigurationError naming `setting`."""
    from sources.common.errors import ConfigurationError

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
            f"{setting} {text!r} is not a date (2026-01-31) or an RFC 3339 instant"
        ) from None


def parse_optional(text: str | None) -> datetime | None:
    return None if text is None else parse_instant(text)


def format_instant(value: datetime) -> str:
    """UTC, microseconds, `Z`: what the sources send as filter values and keep in state."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def server_time(headers: Mapping[str, str], skew: timedelta) -> datetime:
    """The API's own clock (its Date header), or ours less `skew` when it sends none.

    A run's upper bound comes from here, so a client clock that runs fast cannot push the
    bound past what the API has written.
    """
    header = headers.get("date")
    if header:
        try:
            return parsedate_to_datetime(header).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC) - skew
