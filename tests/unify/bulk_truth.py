"""The sandbox's Bulk API truth (enrollment steps, companies) as the tables the source fills."""

from __future__ import annotations

from typing import Any

from sandbox.unify import bulk_render
from tests.unify.truth import instant

STEP_COLUMNS = (
    "id", "updated_at", "enrollment_id", "sequence_id", "sequence_version", "step_number", "type",
    "status", "is_blocked", "is_bounced", "is_canceled", "is_opted_out", "is_paused", "is_replied",
    "started_at", "ended_at", "email_message_id", "sent_at", "opens", "clicks",
    "email_is_bounced", "email_is_opted_out", "reply_email_message_id",
)  # fmt: skip
QUERIES = {
    "enrollment_steps": f"select {', '.join(STEP_COLUMNS)} from unify.enrollment_steps",
    "companies": "select id, name, domain, linkedin_url from unify.companies",
    "person_companies": "select person_id, company_id from unify.person_companies",
    "company_descriptions": "select company_id, description from unify.company_descriptions",
}


def expected_steps(state: Any) -> set[tuple]:
    with state.lock:
        now = state.now()
        n = state.table.n
        cols = {name: col[:n] for name, col in state.table.cols.items()}
        plans = [(i, p) for i in range(n) for p in bulk_render.step_plan(state.world, cols, i, now)]
        rows = bulk_render.steps(state.world, cols, plans)
    out = set()
    for s in rows:
        email, reply = s["email_message"] or {}, s["reply_email_message"]
        out.add((
            s["id"], instant(s["updated_at"]), s["enrollment"]["id"], s["sequence"]["id"],
            s["sequence"]["version"], s["step_number"], s["type"], s["status"], s["is_blocked"],
            s["is_bounced"], s["is_canceled"], s["is_opted_out"], s["is_paused"], s["is_replied"],
            instant(s["started_at"]), instant(s["ended_at"]), email.get("id"),
            instant(email.get("sent_at")), email.get("opens"), email.get("clicks"),
            email.get("is_bounced"), email.get("is_opted_out"), reply["id"] if reply else None,
        ))  # fmt: skip
    return out


def expected_companies(state: Any) -> dict[str, set[tuple]]:
    """Companies of every enrolled person, as a bulk export of all enrollments gives them."""
    world, table = state.world, state.table
    persons = sorted(set(table.person.tolist()))
    tables: dict[str, set[tuple]] = {"companies": set(), "person_companies": set(),
                                     "company_descriptions": set()}  # fmt: skip
    for p in persons:
        firm = bulk_render.company(world, p)
        person_id = world.person(p)["id"]
        tables["person_companies"].add((person_id, firm["id"] if firm else None))
        if firm:
            tables["companies"].add(
                (firm["id"], firm["name"], firm["domain"], firm["linkedin_url"])
            )
            tables["company_descriptions"].add((firm["id"], firm["description"]))
    return tables


def loaded(warehouse: Any, table: str) -> list[tuple]:
    return sorted(warehouse.rows(QUERIES[table]), key=str)
