"""Sequenzy's terminal report: its funnel by sequence, widest first (sequenzy.funnel_by_sequence).
Its replies are people, from its inbox (n/a until the conversations are loaded); it classifies
no reply (positive: n/a). The view beside it keeps the vendor's own counts of messages."""

from __future__ import annotations

from pipelines.reporting import VendorReport

SEQUENZY_REPORT = VendorReport("sequenzy")
