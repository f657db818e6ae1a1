"""Counts in words for what the command line prints: `1 request`, `3 retries`, `2 people`."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"
