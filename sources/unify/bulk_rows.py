"""Bulk API rows (query job results) as Arrow tables. Pure: JSON in, tables out.

Both bulk shapes differ from the list endpoint's: an enrollment row has no `created_at`,
`is_excluded` or reply `received_at` (those columns stay null), its mailbox is
`{id, email_address, forwarding, user}` and its person carries a company. Fields only the bulk
shape has go to tables of their own (settings.TABLES), so merges from either shape never blank
what the other loaded. The enrollment's `version` is not kept on `enrollments`: it is the
`sequence_version` of its enrollment steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from sources.unify.columnar import TableRows

_ENROLLMENT_EMBEDDED = ("sequence", "person", "mailbox", "enrolled_by_play",
                        "reply_email_message", "version")  # fmt: skip
_USERS = ("user", "secondary_forward_to_user")
_STEP_EMBEDDED = ("sequence", "enrollment", "email_message", "reply_email_message")


class _BulkRows(TableRows):
    def person_and_mailbox(self, person: dict[str, Any], mailbox: dict[str, Any]) -> None:
        """The bulk-only rows a bulk person and mailbox carry."""
        firm = person.get("company")
        if firm:
            self.add("companies", {k: v for k, v in firm.items() if k != "description"})
            if "description" in firm:
                described = {"company_id": firm["id"], "description": firm["description"]}
                self.add("company_descriptions", described, key="company_id")
        link = {"person_id": person["id"], "company_id": firm["id"] if firm else None}
        self.add("person_companies", link, key="person_id")
        routing = {k: v for k, v in mailbox.items() if k not in _USERS}
        for prefix in _USERS:
            user = mailbox.get(prefix) or {}
            for field in ("id", "email", "first_name", "last_name"):
                routing[f"{prefix}_{field}"] = user.get(field)
        routing["mailbox_id"] = routing.pop("id")
        self.add("mailbox_routing", routing, key="mailbox_id")


def enrollment_tables(rows: Iterable[dict[str, Any]]) -> dict[str, pa.Table]:
    """Bulk `SequenceEnrollment` rows as the same tables the list endpoint fills, and more."""
    out = _BulkRows()
    for e in rows:
        person, mailbox = e["person"], e["mailbox"]
        out.enrollment(
            e, drop=_ENROLLMENT_EMBEDDED,
            person={k: v for k, v in person.items() if k != "company"},
            mailbox={"id": mailbox["id"], "email": mailbox.get("email_address")},
        )  # fmt: skip
        out.person_and_mailbox(person, mailbox)
    return out.arrow()


def step_tables(rows: Iterable[dict[str, Any]]) -> dict[str, pa.Table]:
    """Bulk `SequenceEnrollmentStep` rows: enrollment_steps, and the bulk-only tables their
    embedded person and mailbox feed (persons and mailboxes come with enrollments)."""
    out = _BulkRows()
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
    return out.arrow()
