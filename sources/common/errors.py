"""Errors a user can act on. Each message is one line that names what to fix, never a secret."""

from __future__ import annotations

import functools
from typing import Any


class ConnectorError(Exception):
    """Base class; `exit_code` is what the CLI exits with (docs/operations.md, "Exit codes")."""

    exit_code = 1


class ConfigurationError(ConnectorError):
    exit_code = 2


def check_key_and_url(
    vendor: str, section: str, api_key: str, base_url: str, key_setting: str
) -> None:
    """Refuse a missing key or a base URL that is not http(s), naming the setting to fix
    (`section`: the source's config section, `unify`, `instantly`)."""
    from urllib.parse import urlsplit

    if not api_key or not api_key.strip():
        raise ConfigurationError(f"No {vendor} API key: set {key_setting}")
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"{vendor} base_url {base_url!r} is not an http(s) URL:"
            f" fix SOURCES__{section.upper()}__BASE_URL"
        )


def check_at_least(value: float, least: float, section: str, setting: str) -> None:
    """Refuse a numeric setting below `least`, naming its variable (`SOURCES__<SECTION>__...`)."""
    if value < least:
        variable = f"SOURCES__{section.upper()}__{setting}"
        raise ConfigurationError(f"{setting.lower()} must be {least:g} or more: fix {variable}")


def check_between(value: float, low: float, high: float, section: str, setting: str) -> None:
    """Refuse a numeric setting outside [low, high], naming its variable."""
    if not low <= value <= high:
        variable = f"SOURCES__{section.upper()}__{setting}"
        raise ConfigurationError(f"{setting.lower()} must be {low:g} to {high:g}: fix {variable}")


def check_one_of(value: str, choices: tuple[str, ...], section: str, setting: str) -> None:
    """Refuse a setting that is none of `choices`, naming them and its variable."""
    if value not in choices:
        variable = f"SOURCES__{section.upper()}__{setting}"
        allowed = " or ".join(
            [", ".join(choices[:-1]), choices[-1]] if len(choices) > 1 else choices
        )
        raise ConfigurationError(f"{setting.lower()} must be {allowed}: fix {variable}")


class AuthenticationError(ConfigurationError):
    """401/403: the key is missing, wrong or lacks access. Never retried."""


class BadRequestError(ConnectorError):
    """400: the request itself is wrong. Never retried; shows the API's `errors`."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class NotFoundError(ConnectorError):
    pass


class HttpStatusError(ConnectorError):
    """Any other 4xx: `status` and the body's machine-readable `code`, when it has one."""

    def __init__(self, message: str, status: int, code: str | None, body: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.body = status, code, body


class RetriesExhaustedError(ConnectorError):
    """Transient failures (429, 5xx, network, broken bodies) outlasted every attempt."""

    exit_code = 3


class RateLimitedError(ConnectorError):
    """429 with a Retry-After longer than worth waiting for (a daily budget, say)."""

    exit_code = 3


class UnreadableResponseError(ConnectorError):
    """The vendor answered without a field the connector reads and its document promises."""


def readable(vendor: str, stats: Any) -> Any:
    """A resource's generator function whose `KeyError` (a field the vendor's answer lacked) is
    one line naming the field and the request the answer came from (`stats.last_read()`), not a
    bare `KeyError: 'id'`. A field a vendor's document lets be absent is read with `.get`; this
    catches the ones it promises."""

    def wrap(resource: Any) -> Any:
        @functools.wraps(resource)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from resource(*args, **kwargs)
            except KeyError as exc:
                where, field = stats.last_read(), (exc.args or ("?",))[0]
                raise UnreadableResponseError(
                    f"{vendor} answered{f' {where}' if where else ''} without the field"
                    f" {field!r}, which the connector reads and the vendor's document promises"
                ) from None

        return run

    return wrap
