"""Sequenzy's terminal report: its funnel by sequence, widest first, from the report views in
dbt/models/reporting/sequenzy/. Sent to bounced come from the event stream (people); replies
and conversions are the vendor's own metrics (messages: marked, and kept out of the total of
people)."""

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
    header=("sequence", "enrolled", "sent", "delivered", "opened", "clicked", "replies",
            "conversions", "bounced", "opt-out", "open %"),
    rate=(3, 2),
    messages=("replies", "conversions"),
)  # fmt: skip
