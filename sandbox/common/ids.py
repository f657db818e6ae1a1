"""Deterministic, reversible UUIDs: an entity's id is a pure function of (seed, kind, index).

Storing a million UUID strings (and a dict back from them) would cost hundreds of MB, so ids are
computed when rendered and parsed back to an index when a client sends one.
"""

from __future__ import annotations

import uuid

_MASK64 = (1 << 64) - 1
_MASK32 = 0xFFFFFFFF
_ODD = 0x9E3779B1  # invertible modulo 2**32, scrambles consecutive indexes
_ODD_INV = pow(_ODD, -1, 1 << 32)


def splitmix64(x: int) -> int:
    """A fast, well-mixed 64-bit hash (SplitMix64 finaliser)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


class IdSpace:
    """UUIDv4-shaped ids for one kind of entity (enrollment, person, ...) under one seed."""

    def __init__(self, seed: int, kind: str) -> None:
        tag = int.from_bytes(kind.encode()[:8].ljust(8, b"\0"), "big")
        self._key = splitmix64(seed * 0x100000001B3 ^ tag)
        self._mask32 = splitmix64(self._key) & 0xFFFFFFFF

    def make(self, index: int) -> str:
        hi = splitmix64(self._key ^ index)
        hi = (hi & ~(0xF << 12)) | (0x4 << 12)  # version 4 nibble
        noise = splitmix64(hi) & 0x3FFFFFFF
        low = ((index * _ODD) & _MASK32) ^ self._mask32
        lo = (0b10 << 62) | (noise << 32) | low
        h = f"{hi:016x}{lo:016x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def index_of(self, value: str) -> int | None:
        """The index behind an id of this space, or None when it is not one of ours."""
        try:
            parsed = uuid.UUID(value)
        except (ValueError, AttributeError, TypeError):
            return None
        index = (((parsed.int & _MASK32) ^ self._mask32) * _ODD_INV) & _MASK32
        return index if self.make(index) == str(parsed) else None


def uuid7(ms: int, n: int, seed: int) -> str:
    """A UUIDv7 of the `n`-th thing made at `ms` (unix milliseconds): ids that list in the order
    things were made, as a vendor's time-ordered ids do."""
    hi = (ms << 16) | 0x7000 | (n & 0xFFF)
    lo = (0b10 << 62) | (splitmix64(seed ^ n) & ((1 << 62) - 1))
    h = f"{hi:016x}{lo:016x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
