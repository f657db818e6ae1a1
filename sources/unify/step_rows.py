"""Bulk API enrollment-step rows (query job results) as Arrow tables. Pure: JSON in, tables out.

A step row embeds its sequence, its enrollment (with person and mailbox), the sent email and the
reply; the step keeps their ids and the email's counts. Persons and mailboxes themselves come
with enrollments; a step's embedded person and mailbox feed only the bulk-only tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from sources.common.tables import KnownTypes, no_schema
from sources.unify.bulk_pages import BulkPage, step_page_tables
from sources.unify.enrollment_rows import UnifyRows

_STEP_EMBEDDED = ("sequence", "enrollment", "email_message", "reply_email_message")


def step_tables(
    rows: Iterable[dict[str, Any]] | BulkPage, known: KnownTypes = no_schema
) -> dict[str, pa.Table]:
    """Bulk `SequenceEnrollmentStep` rows: enrollment_steps, and the bulk-only tables their
    embedded person and mailbox feed (a page read as Arrow: bulk_pages, the same tables)."""
    if isinstance(rows, BulkPage):
        return step_page_tables(rows)
    out = UnifyRows(known)
    for s in rows:
        enrollment, email = s["enrollment"], s.get("email_message") or {}
        reply = s.get("reply_email_message")
        row = {k: v for k, v in s.items() if k not in _STEP_EMBEDDED}
        row |= {
            "enrollment_id": enrollment["id"], "sequence_id": s["sequence"]["id"],
            "sequence_version": s["sequence"].get("version"),
            "email_message_id": email.get("id"), "email_subject": email.get("subject"),
            "sent_at": email.get("sent_at"), "from_email_address": email.get("from_email_address"),
            "opens": email.get("opens"), "clicks": email.get("clicks"),
            "email_is_bounced": email.get("is_bounced"),
            "email_is_opted_out": email.get("is_opted_out"),
            "reply_email_message_id": reply["id"] if reply else None,
        }  # fmt: skip
        out.add("enrollment_steps", row)
        out.person_and_mailbox(enrollment["person"], enrollment["mailbox"])
    return out.tables()
