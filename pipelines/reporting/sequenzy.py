"""Sequenzy's terminal report: its funnel by sequence, widest first, from the report views in
dbt/models/reporting/sequenzy/. Sent to bounced come from the event stream; replied and
converted are the vendor's own metrics (messages, not people: sequenzy__funnel_by_sequence.sql)."""

from __future__ import annotations

from pipelines.reporting import VendorReport

SEQUENZY_REPORT = VendorReport(
    report_query=(
        "select sequence, enrolled, sent, delivered, opened, clicked, replies, conversions,"
        " bounced, opted_out, open_rate_pct from {ds}.funnel_by_sequence"
        " order by enrolled desc, sequence"
    ),
    totals_query=(
        "select count(distinct person), coalesce(sum(enrollments), 0)"
        " from {ds}.funnel_person_sequence"
    ),
    header=("sequence", "enrolled", "sent", "delivered", "opened", "clicked", "replied",
            "converted", "bounced", "opt-out", "open %"),
    rate=(3, 2),
)  # fmt: skip
