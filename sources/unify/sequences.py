"""The `sequences` resource: sequences and their steps, and sequences gone from the listing.

Sequences are listed in full when a listing is due (extraction.py); the steps of a sequence are
read again only when its `updated_at` changed. A sequence the listing lacks but enrollments name
or an earlier run loaded is looked up by id: a 404 means deleted, and it keeps what the state
remembers of it, flagged `is_deleted`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sources.common.http import ApiClient
from sources.common.instants import parse_instant
from sources.common.paging import concurrent_pages
from sources.unify import sequence_rows
from sources.unify.extraction import UnifyRun
from sources.unify.helpers import get_sequence, pages
from sources.unify.settings import UNIFY_TABLES


def sequences(run: UnifyRun) -> Iterator[Any]:
    state = run.source_state()
    with run.client(run.settings.concurrency) as client:
        listing = run.listing(client)
        if listing is not None:
            for page in listing.pages:
                yield UNIFY_TABLES.tagged("sequences", page)
            known: dict[str, dict[str, Any]] = state.setdefault("sequences", {})
            changed = [
                sequence_id
                for sequence_id, sequence in listing.listed.items()
                if known.get(sequence_id, {}).get("updated_at") != sequence["updated_at"]
            ]
            # Concurrently: dlt takes this resource's items in turn with the enrollments', in one
            # thread, so a sequence's steps read after another's would hold the enrollments back a
            # request's latency each (5 s for 50 sequences at 100 ms, bench/unify/RESULTS.md).
            steps_of = concurrent_pages(
                lambda sequence_id: [_steps(client, sequence_id)], changed, run.settings.concurrency
            )
            for steps in steps_of:
                if steps:
                    yield UNIFY_TABLES.tagged("sequence_steps", sequence_rows.step_rows(steps))
            for sequence_id, sequence in listing.listed.items():
                known[sequence_id] = remembered(sequence)
        if not run.selected("enrollments"):  # else enrollments looks up what it names, after
            listed = None if listing is None else set(listing.listed)
            yield from unlisted_sequences(client, state, {}, listed)


def _steps(client: ApiClient, sequence_id: str) -> list[dict[str, Any]]:
    """Every step of a sequence, in the order the API lists them (every page)."""
    path = f"/sequences/{sequence_id}/steps"
    return [
        step for response in pages(client, path, "steps", []) for step in response.body["steps"]
    ]


def unlisted_sequences(
    client: ApiClient,
    state: dict[str, Any],
    embedded: dict[str, dict[str, Any]],
    listed: set[str] | None,
) -> Iterator[Any]:
    """Sequences that enrollments name (`embedded`) or we loaded before, but the listing lacks:
    deleted, or created after the listing. The API says which. Without a listing this run
    (`listed` None), only sequences never seen before are looked up."""
    known: dict[str, dict[str, Any]] = state.setdefault("sequences", {})
    candidates = (
        set(embedded) - set(known) if listed is None else (set(embedded) | set(known)) - listed
    )
    rows = []
    for sequence_id in sorted(candidates):
        if known.get(sequence_id, {}).get("is_deleted"):
            continue
        sequence = get_sequence(client, sequence_id)
        if sequence is not None:
            rows.append(sequence_rows.sequence_row(sequence))
            known[sequence_id] = remembered(sequence)
            continue
        last = known.get(sequence_id) or remembered(embedded[sequence_id])
        row = {"id": sequence_id, "name": last.get("name"), "is_paused": last.get("is_paused")}
        row["created_at"] = parse_instant(last["created_at"]) if last.get("created_at") else None
        rows.append(row | {"owner_id": last.get("owner_id"), "is_deleted": True})
        known[sequence_id] = last | {"is_deleted": True}
    if rows:
        yield UNIFY_TABLES.tagged("sequences", rows)


def remembered(sequence: dict[str, Any]) -> dict[str, Any]:
    """What state keeps of a sequence: enough to detect change and to name it once deleted."""
    return {
        "updated_at": sequence.get("updated_at"),
        "name": sequence.get("name"),
        "is_paused": sequence.get("is_paused"),
        "created_at": sequence.get("created_at"),
        "owner_id": (sequence.get("owner") or {}).get("id"),
    }
