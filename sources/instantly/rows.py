"""Instantly API objects as rows of the source's tables. Pure: JSON in, rows or Arrow out.

A campaign's and a subsequence's `sequences[0].steps[].variants[]` become one row per variant
(the vendor says only the first sequence is used), keyed by the parent's id and the zero-based
step and variant positions; every numeric enum gets a readable label column beside it; fields
the contracts do not know stay on the row and become columns (sources.common.drift).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from sources.common.tables import KnownTypes, no_schema
from sources.instantly.settings import INSTANTLY_TABLES, LABELS


def labelled(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """`row` with a label beside each enum its table labels (an unknown code: no label)."""
    for column, (label, names) in LABELS.get(table, {}).items():
        value = row.get(column)
        row[label] = names.get(int(value)) if isinstance(value, int | float) else None
    return row


def _steps(parent: dict[str, Any], key: str, parent_id: str) -> list[dict[str, Any]]:
    sequences = parent.get("sequences") or [{}]
    rows = []
    for s, step in enumerate(sequences[0].get("steps") or []):
        common = {k: v for k, v in step.items() if k != "variants"}
        for v, variant in enumerate(step.get("variants") or [{}]):
            rows.append({key: parent_id, "step": s, "variant": v, **common, **variant})
    return rows


def campaign_row(campaign: dict[str, Any], deleted: bool = False) -> dict[str, Any]:
    row = {k: v for k, v in campaign.items() if k != "sequences"}
    return labelled("campaigns", row | {"is_deleted": deleted})


def campaign_step_rows(campaign: dict[str, Any]) -> list[dict[str, Any]]:
    return _steps(campaign, "campaign_id", campaign["id"])


def subsequence_row(subsequence: dict[str, Any], deleted: bool = False) -> dict[str, Any]:
    row = {k: v for k, v in subsequence.items() if k != "sequences"}
    return labelled("subsequences", row | {"is_deleted": deleted})


def subsequence_step_rows(subsequence: dict[str, Any]) -> list[dict[str, Any]]:
    return _steps(subsequence, "subsequence_id", subsequence["id"])


def account_row(account: dict[str, Any]) -> dict[str, Any]:
    return labelled("accounts", dict(account))


def lead_table(leads: Iterable[dict[str, Any]], known: KnownTypes = no_schema) -> pa.Table:
    rows = [labelled("leads", dict(lead)) for lead in leads]
    return INSTANTLY_TABLES.arrow("leads", rows, known("leads"))


def email_table(
    emails: Iterable[dict[str, Any]], bodies: bool, known: KnownTypes = no_schema
) -> pa.Table:
    """Emails with their body as `body_text`/`body_html` when `bodies`, else none (the
    default: `content_preview` and the subject say enough for a funnel). `step` is a string in
    the vendor's document ("The campaign step that the email is associated with"): kept as
    written, with `step_index` beside it when it is a zero-based number."""
    rows = []
    for email in emails:
        row = dict(email)  # a copy in C, then without the body: a third faster than a filter
        body = row.pop("body", None) or {}
        row["body_text"] = body.get("text") if bodies else None
        row["body_html"] = body.get("html") if bodies else None
        row["step_index"] = _position(row.get("step"))  # `step` stays as the vendor wrote it
        for flag in ("is_unread", "is_auto_reply"):
            row[flag] = None if row.get(flag) is None else bool(row[flag])
        rows.append(labelled("emails", row))
    return INSTANTLY_TABLES.arrow("emails", rows, known("emails"))


def _position(value: Any) -> int | None:
    """A step as the vendor writes it (a zero-based string, null when unattributed)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def campaign_analytics_rows(rows: list[dict[str, Any]], loaded_at: str) -> list[dict[str, Any]]:
    return [labelled("campaign_analytics", dict(r) | {"loaded_at": loaded_at}) for r in rows]


def daily_rows(campaign_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The vendor's daily rows carry no campaign id (a call is per campaign): it is added."""
    return [{"campaign_id": campaign_id, **r} for r in rows]


def step_analytics_rows(campaign_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (step, variant), zero-based; -1 where the vendor could not attribute (its null)."""
    out = []
    for r in rows:
        step, variant = _position(r.get("step")), _position(r.get("variant"))
        out.append({**r, "campaign_id": campaign_id, "step": -1 if step is None else step,
                    "variant": -1 if variant is None else variant})  # fmt: skip
    return out


def subsequence_analytics_rows(
    campaign_id: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    return [{**r, "campaign_id": campaign_id} for r in rows]
