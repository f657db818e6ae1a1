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

from sources.unify.columnar import history_rows, table

_ENROLLMENT_EMBEDDED = ("sequence", "person", "mailbox", "enrolled_by_play",
                        "reply_email_message", "version")  # fmt: skip
_USERS = ("user", "secondary_forward_to_user")
_STEP_EMBEDDED = ("sequence", "enrollment", "email_message", "reply_email_message")


class _Tables:
    """Rows per table, deduplicated by primary key."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = {}
        self.history: list[dict[str, Any]] = []

    def add(self, name: str, key: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(name, {})[row[key]] = row

    def person_and_mailbox(self, person: dict[str, Any], mailbox: dict[str, Any]) -> None:
        firm = person.get("company")
        if firm:
            self.add("companies", "id", {k: v for k, v in firm.items() if k != "description"})
            if "description" in firm:
                described = {"company_id": firm["id"], "description": firm["description"]}
                self.add("company_descriptions", "company_id", described)
        link = {"person_id": person["id"], "company_id": firm["id"] if firm else None}
        self.add("person_companies", "person_id", link)
        routing = {k: v for k, v in mailbox.items() if k not in _USERS}
        for prefix in _USERS:
            user = mailbox.get(prefix) or {}
            for field in ("id", "email", "first_name", "last_name"):
                routing[f"{prefix}_{field}"] = user.get(field)
        routing["mailbox_id"] = routing.pop("id")
        self.add("mailbox_routing", "mailbox_id", routing)

    def arrow(self) -> dict[str, pa.Table]:
        tables = {name: table(name, list(by_key.values())) for name, by_key in self.rows.items()}
        if self.history:
            tables["enrollment_history"] = table("enrollment_history", history_rows(self.history))
        return tables


def enrollment_tables(rows: Iterable[dict[str, Any]]) -> dict[str, pa.Table]:
    """Bulk `SequenceEnrollment` rows as the same tables the list endpoint fills, and more."""
    out = _Tables()
    for e in rows:
        person, mailbox = e["person"], e["mailbox"]
        reply, play = e.get("reply_email_message"), e.get("enrolled_by_play")
        row = {k: v for k, v in e.items() if k not in _ENROLLMENT_EMBEDDED}
        row |= {
            "sequence_id": e["sequence"]["id"], "person_id": person["id"],
            "mailbox_id": mailbox["id"], "enrolled_by_play_id": play["id"] if play else None,
            "reply_email_message_id": reply["id"] if reply else None,
        }  # fmt: skip
        out.add("enrollments", "id", row)
        out.history.append(row)
        out.add("persons", "id", {k: v for k, v in person.items() if k != "company"})
        out.add("mailboxes", "id", {"id": mailbox["id"], "email": mailbox.get("email_address")})
        if play:
            out.add("plays", "id", play)
        if reply:
            message = {k: v for k, v in reply.items() if k != "classifications"}
            out.add("reply_email_messages", "id", message | {"enrollment_id": e["id"]})
            for c in reply.get("classifications") or []:
                out.add("reply_email_classifications", "id",
                        c | {"reply_email_message_id": reply["id"]})  # fmt: skip
        out.person_and_mailbox(person, mailbox)
    return out.arrow()


def step_tables(rows: Iterable[dict[str, Any]]) -> dict[str, pa.Table]:
    """Bulk `SequenceEnrollmentStep` rows: enrollment_steps, and the bulk-only tables their
    embedded person and mailbox feed (persons and mailboxes come with enrollments)."""
    out = _Tables()
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
        out.add("enrollment_steps", "id", row)
        out.person_and_mailbox(enrollment["person"], enrollment["mailbox"])
    return out.arrow()
