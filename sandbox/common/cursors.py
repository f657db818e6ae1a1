"""Opaque page cursors that carry a position and a fingerprint of the query they belong to.

A cursor names the last row served, not an offset, so rows changing or appearing between pages
never shift what comes next; one presented with other filters than it was issued for is refused.
Every cursor-paged listing of every vendor goes through `QueryCursor`: bind it to the request,
read the position the client's token names, issue the token of the next page.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from starlette.requests import Request

Row = TypeVar("Row")


class InvalidCursor(ValueError):
    """A token not issued for this listing and query; the vendor answers it with its 400."""


def fingerprint(params: Iterable[tuple[str, str]]) -> str:
    canonical = "&".join(f"{k}={v}" for k, v in sorted(params))
    return hashlib.blake2b(canonical.encode(), digest_size=6).hexdigest()


def encode(kind: str, position: int, query_fingerprint: str) -> str:
    raw = f"{kind}:{position}:{query_fingerprint}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, kind: str, query_fingerprint: str) -> int | None:
    """The position in a cursor, or None when the cursor is not valid for this query."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        got_kind, position, got_fingerprint = raw.split(":")
        value = int(position)
    except (ValueError, UnicodeDecodeError):
        return None
    if got_kind != kind or got_fingerprint != query_fingerprint or value < 0:
        return None
    return value


@dataclass(frozen=True)
class QueryCursor:
    """The cursors of one listing (`kind`) for one query: its path and every parameter except
    the paging ones, so that changing a filter between pages is refused, not silently mixed."""

    kind: str
    fingerprint: str

    @classmethod
    def of(cls, kind: str, request: Request, paging: Iterable[str]) -> QueryCursor:
        skip = frozenset(paging)
        params = [(k, v) for k, v in request.query_params.multi_items() if k not in skip]
        return cls(kind, fingerprint([*params, ("path", request.url.path)]))

    def position(self, token: str | None) -> int | None:
        """Where the token's page starts; None for the first page (no token, or an empty one)."""
        if not token:
            return None
        position = decode(token, self.kind, self.fingerprint)
        if position is None:
            raise InvalidCursor(token)
        return position

    def after(self, position: int | None) -> str | None:
        """The token of the page that starts at `position`; None when there is no next page."""
        return None if position is None else encode(self.kind, position, self.fingerprint)

    def page(self, rows: Sequence[tuple[int, Row]], size: int) -> tuple[list[Row], str | None]:
        """One page of (position, row) pairs already starting at the cursor, and the next token."""
        more = len(rows) > size
        return [row for _, row in rows[:size]], self.after(rows[size][0] if more else None)
