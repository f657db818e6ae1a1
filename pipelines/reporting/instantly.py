"""Instantly's terminal report: its funnel by campaign, widest first
(instantly.funnel_by_campaign); a lead is a person in one campaign."""

from __future__ import annotations

from pipelines.reporting import VendorReport

INSTANTLY_REPORT = VendorReport(
    "instantly", view="funnel_by_campaign", base_table="leads", words=("campaign", "lead")
)
