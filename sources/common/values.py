"""Values a vendor's document lists for a field the models interpret (a reply's category, an
interest status, an event type), so that a value it adds later is named, not silently counted
as nothing: loaded as sent, never a failed load, a warning each run it is in the tables.

Each vendor declares its own (`DOCUMENTED_VALUES` in sources/<vendor>/settings.py), taken from
its reference document (a test compares them); pipelines.values runs the check after a load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DocumentedValues:
    table: str  # the loaded table
    column: str
    values: tuple[Any, ...]  # as the vendor's document lists them
    schema: str  # where the document lists them: a component, `Schema.property` for a field's
    otherwise: str  # what the models make of any other value


def undocumented(
    vendor: str, declared: DocumentedValues, found: list[tuple[Any, int]]
) -> list[str]:
    """One warning per value the document does not list, with how many rows hold it."""
    return [
        f"{vendor} sent {declared.table}.{declared.column} {value!r} ({rows:,} rows), a value"
        f" its document does not list: loaded as sent, {declared.otherwise}"
        for value, rows in found
        if value not in declared.values
    ]
