"""Enrollments, as the list endpoint returns them, as Arrow tables of every table they touch;
and what only Bulk API rows carry. Pure: JSON in, tables out.

Embedded objects become rows of their own tables, deduplicated by id, and the enrollment keeps
their ids. Each enrollment row also gives a version row for `enrollment_history`.

A bulk enrollment row lacks `created_at`, `is_excluded`, a reply's `received_at` and a mailbox's
details, so the enrollments and what they embed always come from the list endpoint. What only
the bulk shape has — a person's company, a mailbox's forwarding and users — goes to tables of
its own (`bulk_only_tables`), written only from bulk rows (enrollments' and steps'), so that the
list endpoint's rows never blank it on merge.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from sources.common.tables import KnownTypes, RowsByTable, no_schema
from sources.unify.bulk_pages import BulkPage, enrollment_page_tables
from sources.unify.settings import HISTORY_FIELDS, MAILBOX_USERS, UNIFY_TABLES, USER_FIELDS

_EMBEDDED = ("sequence", "person", "mailbox", "enrolled_by_play", "reply_email_message")


class UnifyRows(RowsByTable):
    """Rows per table from list enrollments, and from bulk enrollment and step rows."""

    def enrollment(self, e: dict[str, Any]) -> None:
        """An enrollment row (with the ids of what it embeds), its version row, and the rows of
        its embedded person, mailbox, play, reply and classifications."""
        reply, play = e.get("reply_email_message"), e.get("enrolled_by_play")
        person, mailbox = e["person"], e["mailbox"]
        row = {k: v for k, v in e.items() if k not in _EMBEDDED}
        row |= {
            "sequence_id": e["sequence"]["id"], "person_id": person["id"],
            "mailbox_id": mailbox["id"], "enrolled_by_play_id": play["id"] if play else None,
            "reply_email_message_id": reply["id"] if reply else None,
        }  # fmt: skip
        self.append("enrollments", row)  # a batch may hold two versions: the history wants both
        version = {"enrollment_id": e["id"], **{f: e.get(f) for f in HISTORY_FIELDS}}
        self.append("enrollment_history", version)
        self.add("persons", person)
        self.add("mailboxes", mailbox)
        if play:
            self.add("plays", play)
        if reply:
            message = {k: v for k, v in reply.items() if k != "classifications"}
            self.add("reply_email_messages", message | {"enrollment_id": e["id"]})
            for c in reply.get("classifications") or []:
                self.add("reply_email_classifications", c | {"reply_email_message_id": reply["id"]})

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
        routing = {k: v for k, v in mailbox.items() if k not in MAILBOX_USERS}
        for prefix in MAILBOX_USERS:
            user = mailbox.get(prefix) or {}
            for field in USER_FIELDS:
                routing[f"{prefix}_{field}"] = user.get(field)
        routing["mailbox_id"] = routing.pop("id")
        self.add("mailbox_routing", routing, key="mailbox_id")

    def tables(self) -> dict[str, pa.Table]:
        return self.arrow(UNIFY_TABLES)


def list_enrollment_tables(
    enrollments: Iterable[dict[str, Any]], known: KnownTypes = no_schema
) -> dict[str, pa.Table]:
    """`GET /enrollments` objects (any number of pages) as Arrow tables."""
    out = UnifyRows(known)
    for e in enrollments:
        out.enrollment(e)
    return out.tables()


def bulk_only_tables(
    rows: Iterable[dict[str, Any]] | BulkPage, known: KnownTypes = no_schema
) -> dict[str, pa.Table]:
    """Bulk `SequenceEnrollment` rows: only what the list endpoint cannot give (companies,
    company_descriptions, person_companies, mailbox_routing); a page read as Arrow (bulk_pages)
    gives the same tables."""
    if isinstance(rows, BulkPage):
        return enrollment_page_tables(rows)
    out = UnifyRows(known)
    for e in rows:
        out.person_and_mailbox(e["person"], e["mailbox"])
    return out.tables()
