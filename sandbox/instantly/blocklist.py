"""The workspace's block list (`/block-lists-entries`, the vendor's BlockListEntry): emails and
domains Instantly sends nothing to.

Choices where the vendor's document is silent (sandbox/README.md):
- An entry's id is a UUIDv7 of its creation, so the listing (in id order, `starting_after`) is
  the order entries were made in.
- `search` matches a part of the value, case-insensitively; an entry with no `@` is a domain.
- Creating a value already listed makes a second entry (the document lists no conflict), so a
  client that must not block twice has to look first.
- A lead whose email, or whose email's domain, is blocked is sent nothing more: every planned
  event of it after the block is gone (sends, and what they would have brought). Its `status`
  stays what it was (the document says nothing of a change). When no entry blocks it any more,
  its plan resumes where it stands then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.common.clock import format_rfc3339
from sandbox.common.errors import ApiError
from sandbox.common.ids import uuid7
from sandbox.instantly.leads import NEVER, Leads


def blocks(value: str, email: str | None) -> bool:
    """Whether an entry's value blocks this email: the address itself, or its domain."""
    if not email:
        return False
    email, value = email.lower(), value.lower()
    return email == value if "@" in value else email.rpartition("@")[2] == value


@dataclass
class BlockList:
    organization: str
    seed: int
    entries: list[dict[str, Any]] = field(default_factory=list)  # in id order
    made: int = 0

    def listing(self, search: str, domains_only: bool) -> list[dict[str, Any]]:
        wanted = search.lower()
        return [e for e in self.entries if wanted in e["bl_value"].lower()
                and (e["is_domain"] or not domains_only)]  # fmt: skip

    def get(self, entry_id: str) -> dict[str, Any]:
        found = next((e for e in self.entries if e["id"] == entry_id.lower()), None)
        if found is None:
            raise ApiError(404, "Block list entry not found")
        return found

    def create(self, leads: Leads, now: int, value: str) -> dict[str, Any]:
        value = value.strip()
        if not value or value.startswith("@") or value.endswith("@"):
            raise ApiError(400, "body/bl_value must be an email or a domain")
        self.made += 1
        entry = {"id": uuid7(now // 1000, self.made, self.seed),
                 "timestamp_created": format_rfc3339(now), "organization_id": self.organization,
                 "bl_value": value, "is_domain": "@" not in value}  # fmt: skip
        self.entries.append(entry)
        for k in self._leads(leads, value):
            spans = leads.held.setdefault(k, [])
            if not spans or spans[-1][1] != NEVER:  # not held now: held from now on
                spans.append((now, NEVER))
        return entry

    def delete(self, leads: Leads, now: int, entry_id: str) -> dict[str, Any]:
        entry = self.get(entry_id)
        self.entries.remove(entry)
        for k in self._leads(leads, entry["bl_value"]):
            email = leads.person(k)["email"]
            if not any(blocks(e["bl_value"], email) for e in self.entries):
                spans = leads.held[k]
                spans[-1] = (spans[-1][0], now)
        return entry

    @staticmethod
    def _leads(leads: Leads, value: str) -> list[int]:
        return [k for k in range(len(leads)) if blocks(value, leads.person(k)["email"])]
