"""`GET /conversations`: the company's inbox, as the SDK's `ConversationSummary` objects.

Each reply a subscriber sent to a sequence's email (sandbox.sequenzy.events: 4 % of deliveries)
opens a conversation of its own, whose `context` is `{type: "sequence", label: <the sequence's
name>}`: the API names the sequence, not its id. Two more came to the inbox address
(`context.type` "inbox"). A third of the replies' conversations are closed. Newest first by
last message; `status` is `open` unless asked (`all`, `closed`: the sandbox's choice, as an inbox
shows), spam is never listed (the world has none), pages by number.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from sandbox.common.clock import format_rfc3339
from sandbox.sequenzy import events
from sandbox.sequenzy.protocol import int_param
from sandbox.sequenzy.world import DAY, SequenzyWorld

REPLY = len(events.TYPES)  # the first unlisted kind
INBOX = "hello@acme.example.com"
MAX_LIMIT = 100  # the SDK names no bound: the sandbox caps pages there


def _name(person: dict[str, Any]) -> str | None:
    names = [n for n in (person.get("firstName"), person.get("lastName")) if n]
    return " ".join(names) or None


def all_conversations(world: SequenzyWorld, now: int) -> list[dict[str, Any]]:
    """Every conversation up to `now`, newest last message first."""
    out = []
    for seq, sequence in enumerate(world.sequences):
        found = events.sequence_events(world, seq, now)
        replies = events.where(found, found.kind == REPLY)
        for i in range(len(replies.kind)):
            k, j, at = int(replies.enrollment[i]), int(replies.email[i]), int(replies.at[i])
            person = world.subscribers[int(world.enrollments.subscriber[k])]
            context = {"type": "sequence", "label": sequence.body["name"]}
            status = "closed" if (k + j) % 3 == 0 else "open"
            conversation_id = world.ids["email"].make((k * 8 + j) * 16 + 14)
            subject = f"Re: {sequence.emails[j]['subject']}"
            out.append(_conversation(conversation_id, at, person, subject, status, context, None))
    for n, person in enumerate(world.subscribers[:2]):  # mail to the inbox address
        at = now - (n + 1) * DAY
        out.append(_conversation(world.ids["email"].make(n * 16 + 13), at, person, "A question",
                                 "open", {"type": "inbox", "label": "Inbox"}, INBOX))  # fmt: skip
    out.sort(key=lambda c: (c["lastMessageAt"], c["id"]), reverse=True)
    return out


def _conversation(conversation_id: str, at: int, person: dict[str, Any], subject: str,
                  status: str, context: dict[str, str], recipient: str | None
                  ) -> dict[str, Any]:  # fmt: skip
    stamp = format_rfc3339(at)
    return {
        "id": conversation_id, "subject": subject, "status": status, "context": context,
        "subscriberId": person["id"], "subscriberEmail": person["email"],
        "subscriberName": _name(person), "createdAt": stamp, "lastMessageAt": stamp,
        "lastMessageBy": "subscriber", "lastMessagePreview": {
            "type": "inbound", "text": "Thanks, happy to talk next week."},
        "messageCount": 1, "hasUnread": status == "open", "spam": False,
        "recipientAddress": recipient,
    }  # fmt: skip


def list_conversations(world: SequenzyWorld, now: int, request: Request) -> Any:
    query = request.query_params
    status = query.get("status") or "open"
    rows = [c for c in all_conversations(world, now) if status == "all" or c["status"] == status]
    if query.get("spam") == "true":
        rows = []
    if query.get("unread") == "true":
        rows = [c for c in rows if c["hasUnread"]]
    words = (query.get("search") or "").lower()
    searched = ("subject", "subscriberEmail", "subscriberName")
    if words:
        rows = [c for c in rows if words in " ".join(str(c[k] or "") for k in searched).lower()]
    if query.get("recipient"):
        rows = [
            c for c in rows if (c["recipientAddress"] or "").lower() == query["recipient"].lower()
        ]
    limit = min(int_param(request, "limit", 20), MAX_LIMIT)
    page = int_param(request, "page", 1)
    pagination = {"page": page, "limit": limit, "total": len(rows),
                  "totalPages": -(-len(rows) // limit)}  # fmt: skip
    return {"conversations": rows[(page - 1) * limit : page * limit], "pagination": pagination}
