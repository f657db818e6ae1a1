"""What the funnel counted otherwise than the vendor said, named each load among the run's
warnings (the marts hold the answer, so these read them): a status the map does not have, and
people a tool gave without an email."""

from __future__ import annotations

from typing import Any


def placeholders(values: list[str]) -> str:
    """`%s, %s, ...`: one per value, for `in (...)`."""
    return ", ".join(["%s"] * len(values))


def warnings(client: Any, vendors: list[str]) -> tuple[str, ...]:
    """One pass over the enrollments: per vendor and status, the enrollments of a status the map
    does not have (counted as `unknown`: the vendor's status map, its
    dbt/models/staging/<vendor>/<vendor>__status_map.csv, gains a row for it); per vendor, the
    people without an email (each counted as a person of its own under the tool's id,
    `instantly-lead:<id>`, whom no other tool's person matches: said, as it makes the people
    across tools an upper bound)."""
    if not vendors:
        return ()
    enrollments = client.make_qualified_table_name("enrollments")
    rows = client.execute_sql(
        "select vendor, vendor_status, grouping(vendor_status),"
        " count(*) filter (where state = 'unknown'),"
        " count(distinct person_key) filter (where person_key like '%%' || vendor || '-%%:%%'"
        " and person_key not like '%%@%%')"
        f" from {enrollments} where vendor in ({placeholders(vendors)})"
        " group by grouping sets ((vendor), (vendor, vendor_status))",
        *vendors,
    )
    unmapped = sorted(((vendor, status, n) for vendor, status, whole, n, _ in rows or []
                       if not whole and n), key=lambda r: (-r[2], r[0], r[1] or ""))  # fmt: skip
    emailless = sorted((vendor, n) for vendor, _, whole, _, n in rows or [] if whole and n)
    return tuple(
        f"{vendor} status {status!r} ({n:,} enrollments) is not in the status map"
        f" (dbt/models/staging/{vendor}/{vendor}__status_map.csv): counted as unknown"
        for vendor, status, n in unmapped
    ) + tuple(
        f"{vendor} gave {n:,} people without an email: each counted as a person of its own,"
        " under the tool's id, matching no other tool's person"
        for vendor, n in emailless
    )
