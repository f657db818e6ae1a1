"""No U+0000 in anything a source writes. JSON allows it in any string and a vendor may send it,
but PostgreSQL stores it in neither text nor JSON ("\\u0000 cannot be converted to text"), and
a load that fails there for one character is a lost load. Each NUL becomes U+FFFD, the
replacement character, on every destination alike, so that one load reads the same everywhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NUL, REPLACEMENT = "\x00", "\ufffd"


INT64 = range(-(2**63), 2**63)


def value(item: Any) -> Any:
    """`item` (text, or JSON of any depth) without NUL, keys included. On the same walk, an
    integer beyond 64 bits (JSON allows any size) becomes a float: dlt's JSON writer refuses
    it, and a row read through Arrow types it a double too (sources.common.drift)."""
    if isinstance(item, str):
        return item.replace(NUL, REPLACEMENT) if NUL in item else item
    if isinstance(item, dict):
        return {value(k): value(v) for k, v in item.items()}
    if isinstance(item, list):
        return [value(v) for v in item]
    if isinstance(item, int) and item not in INT64:
        return float(item)
    return item


def _may_hold(column: pa.ChunkedArray) -> bool:
    """Whether any byte of the column's text is 0: its data buffers scanned as bytes (a
    buffer can hold bytes past a slice: a false alarm only costs the exact replace)."""
    for chunk in column.chunks:
        data = chunk.buffers()[2]
        if data is not None and data.size and not np.frombuffer(data, np.uint8).all():
            return True
    return False


def table(found: pa.Table) -> pa.Table:
    """`found` with NUL replaced in its text columns (a byte scan per text column; no copy
    when none holds one)."""
    for k, field in enumerate(found.schema):
        if not pa.types.is_string(field.type) and not pa.types.is_large_string(field.type):
            continue
        column = found.column(k)
        if _may_hold(column):
            cleaned = pc.replace_substring(column, NUL, REPLACEMENT)
            found = found.set_column(k, field, cleaned)
    return found
