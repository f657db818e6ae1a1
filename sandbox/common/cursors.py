"""Opaque page cursors that carry a position and a fingerprint of the query they belong to.

A cursor names the last row served, not an offset, so rows changing or appearing between pages
never shift what comes next; one presented with other filters than it was issued for is refused.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable


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
