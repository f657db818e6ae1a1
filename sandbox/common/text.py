"""Names folded to ASCII, for the addresses and slugs a world derives from them."""

from __future__ import annotations

import unicodedata


def ascii_fold(text: str) -> str:
    """`Chloé` -> `chloe`: accents dropped, lower case (an address is ASCII here)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
