"""Unify's terminal report: its funnel by sequence, widest first (unify.funnel_by_sequence)."""

from __future__ import annotations

from pipelines.reporting import VendorReport

UNIFY_REPORT = VendorReport("unify")
