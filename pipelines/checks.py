"""After a load, the values a vendor sent that its document does not list, in the fields the
models interpret (sources.common.values): one warning each in the run's summary."""

from __future__ import annotations

import logging

import dlt

from sources.common.values import undocumented
from sources.common.vendors import VendorSpec

log = logging.getLogger(__name__)


def undocumented_values(pipeline: dlt.Pipeline, chosen: VendorSpec) -> list[str]:
    """Each declared field, over every row loaded; a table not loaded yet (or a field no row
    has had, so no column) is passed over, as is a destination without SQL."""
    if not chosen.documented_values or pipeline.destination.destination_name == "filesystem":
        return []
    from dlt.destinations.exceptions import DatabaseException

    found: list[str] = []
    with pipeline.sql_client() as client:
        for declared in chosen.documented_values:
            table = client.make_qualified_table_name(declared.table)
            column = client.escape_column_name(declared.column)
            try:
                rows = client.execute_sql(
                    f"select {column}, count(*) from {table} where {column} is not null"
                    " group by 1 order by 2 desc, 1"
                )
            except DatabaseException as exc:  # not there yet
                log.debug("%s.%s not checked: %s", declared.table, declared.column, exc)
                continue
            found += undocumented(chosen.title, declared, [tuple(r) for r in rows or []])
    return found
