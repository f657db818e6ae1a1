"""Errors a user can act on. Each message is one line that names what to fix, never a secret."""

from __future__ import annotations

from typing import Any


class ConnectorError(Exception):
    """Base class; `exit_code` is what the CLI exits with (see README, "Exit codes")."""

    exit_code = 1


class ConfigurationError(ConnectorError):
    exit_code = 2


class AuthenticationError(ConfigurationError):
    """401/403: the key is missing, wrong or lacks access. Never retried."""


class BadRequestError(ConnectorError):
    """400: the request itself is wrong. Never retried; shows the API's `errors`."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class NotFoundError(ConnectorError):
    pass


class RetriesExhaustedError(ConnectorError):
    """Transient failures (429, 5xx, network, broken bodies) outlasted every attempt."""

    exit_code = 3
