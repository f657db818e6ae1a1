"""What the funnel counted otherwise than the vendor said, named each load among the run's
warnings (the marts hold the answer, so these read them): a status the map does not have, and
people a tool gave without an email."""

from __future__ import annotations

from typing import Any


def warnings(client: Any, vendors: list[str]) -> tuple[str, ...]:
    if not vendors:
        return ()
    return unmapped_statuses(client, vendors) + people_without_email(client, vendors)


def _in(vendors: list[str]) -> str:
    return ", ".join(["%s"] * len(vendors))


def unmapped_statuses(client: Any, vendors: list[str]) -> tuple[str, ...]:
    """A status no one mapped yet (a vendor's new one) is counted as `unknown` and named here:
    the status map gains a row for it (dbt/seeds/status_map.csv)."""
    enrollments = client.make_qualified_table_name("enrollments")
    rows = client.execute_sql(
        f"select vendor, vendor_status, count(*) from {enrollments} where state = 'unknown'"
        f" and vendor in ({_in(vendors)}) group by 1, 2 order by 3 desc, 1, 2",
        *vendors,
    )
    return tuple(
        f"{vendor} status {status!r} ({n:,} enrollments) is not in the status map"
        " (dbt/seeds/status_map.csv): counted as unknown"
        for vendor, status, n in rows or []
    )


def people_without_email(client: Any, vendors: list[str]) -> tuple[str, ...]:
    """A person a tool gives without an email still counts, as a person of its own under the
    tool's id (`instantly-lead:<id>`), whom no other tool's person matches: said, as it makes
    the people across tools an upper bound."""
    people = client.make_qualified_table_name("enrollments")
    rows = client.execute_sql(
        f"select vendor, count(distinct person_key) from {people} where vendor in"
        f" ({_in(vendors)}) and person_key like vendor || '-%%:%%' and person_key not like"
        " '%%@%%' group by 1 order by 1",
        *vendors,
    )
    return tuple(
        f"{vendor} gave {n:,} people without an email: each counted as a person of its own,"
        " under the tool's id, matching no other tool's person"
        for vendor, n in rows or []
    )
