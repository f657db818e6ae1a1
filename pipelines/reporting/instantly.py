"""Instantly's terminal report: its funnel by campaign, widest first, from the report views in
dbt/models/reporting/instantly/ (the counting rule is in instantly__funnel_person_campaign.sql)."""

from __future__ import annotations

from pipelines.reporting import VendorReport

INSTANTLY_REPORT = VendorReport(
    report_query=(
        "select campaign, enrolled, started, replied, positive_replies, bounced, opted_out,"
        " canceled, finished, reply_rate_pct from {ds}.funnel_by_campaign"
        " order by enrolled desc, campaign"
    ),
    totals_query=(
        "select count(distinct person), coalesce(sum(leads), 0) from {ds}.funnel_person_campaign"
    ),
    base_table="leads",
    words=("campaign", "lead"),
)
