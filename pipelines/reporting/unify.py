"""Unify's terminal report: its funnel by sequence, widest first, from the report views in
dbt/models/reporting/unify/ (the counting rule is in unify__funnel_person_sequence.sql)."""

from __future__ import annotations

from pipelines.reporting import VendorReport

UNIFY_REPORT = VendorReport(
    report_query=(
        "select sequence, enrolled, started, replied, positive_replies, bounced, opted_out,"
        " canceled, finished, reply_rate_pct from {ds}.funnel_by_sequence"
        " order by enrolled desc, sequence"
    ),
    totals_query="select count(distinct person_id), count(*) from {ds}.enrollments",
)
