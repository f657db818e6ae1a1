"""An error a sandbox answers with: its status and message, put in the vendor's envelope by the
vendor's app (`{statusCode, error, message}`, `{success: false, error}`, ...)."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message
