"""The `campaigns`, `accounts` and `block_list` resources: what a workspace sends from, and to
whom it sends nothing, listed in full.

Campaigns, their steps, their subsequences (listed per campaign, by `parent_campaign`) and
those subsequences' steps are small: each listing reads them all, when the catalog is due
(`catalog_refresh_minutes`). A campaign or subsequence gone from the listing is kept and
flagged `is_deleted`, from what state remembers of it (its object without the step copy). Steps
a campaign no longer has are deleted from its steps table (a `removed` row, dlt's hard delete),
so the steps table is always the campaign's current sequence.

The block list (`GET /block-lists-entries`: the emails and domains the workspace sends nothing
to) is listed in full with the catalog. An entry gone from it (unblocked) is deleted from its
table (dlt's hard delete, from the ids state kept of the last listing), so the table is the
block list as it now stands: the models read a lead on it as held (docs/guards.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import dlt

from sources.common.http import ApiClient
from sources.common.state import due, mark_done
from sources.instantly import rows
from sources.instantly.extraction import InstantlyRun
from sources.instantly.helpers import pages
from sources.instantly.settings import INSTANTLY_TABLES

CATALOG_LISTED = "catalog_listed_at"


def _due(run: InstantlyRun) -> dict[str, Any] | None:
    """The resource's state when the catalog is due for a listing, else None."""
    state: dict[str, Any] = dlt.current.resource_state()
    return state if due(state, CATALOG_LISTED, run.settings.refresh("catalog")) else None


def campaigns(run: InstantlyRun) -> Iterator[Any]:
    state = _due(run)
    if state is None:
        return
    with run.client() as client:
        listed = [c for page, _ in pages(client, "/campaigns") for c in page]
        yield from _family(state, "campaigns", listed, rows.campaign_row, "campaign_steps",
                           "campaign_id", rows.campaign_step_rows)  # fmt: skip
        subsequences = [s for c in listed for s in _subsequences(client, c["id"])]
    yield from _family(state, "subsequences", subsequences, rows.subsequence_row,
                       "subsequence_steps", "subsequence_id",
                       rows.subsequence_step_rows)  # fmt: skip
    mark_done(state, CATALOG_LISTED)


def _subsequences(client: ApiClient, campaign_id: str) -> list[dict[str, Any]]:
    listed = pages(client, "/subsequences", {"parent_campaign": campaign_id})
    return [s for page, _ in listed for s in page]


def _family(
    state: dict[str, Any],
    table: str,
    listed: list[dict[str, Any]],
    row_of: Callable[..., dict[str, Any]],
    steps_table: str,
    parent_key: str,
    steps_of: Callable[[dict[str, Any]], list[dict[str, Any]]],
) -> Iterator[Any]:
    """Rows of `table` and `steps_table` for a complete listing, with deletions and removed
    steps; state keeps each parent (for a deletion) and its step shape (for removed steps)."""
    known: dict[str, dict[str, Any]] = state.setdefault(table, {})
    out = [row_of(entity) for entity in listed]
    steps: list[dict[str, Any]] = []
    listed_ids = {entity["id"] for entity in listed}
    for entity in listed:
        current = steps_of(entity)
        shape = sorted((r["step"], r["variant"]) for r in current)
        before = {tuple(k) for k in known.get(entity["id"], {}).get("steps", [])}
        gone = before - set(shape)
        steps += current + [{parent_key: entity["id"], "step": s, "variant": v, "removed": True}
                            for s, v in sorted(gone)]  # fmt: skip
        kept = {k: v for k, v in entity.items() if k != "sequences"}
        known[entity["id"]] = {"entity": kept, "steps": [list(k) for k in shape]}
    for entity_id, last in known.items():
        if entity_id not in listed_ids and not last.get("deleted"):
            out.append(row_of(last["entity"], deleted=True))
            last["deleted"] = True
    if out:
        yield INSTANTLY_TABLES.tagged(table, out)
    if steps:
        yield INSTANTLY_TABLES.tagged(steps_table, steps)


def accounts(run: InstantlyRun) -> Iterator[Any]:
    state = _due(run)
    if state is None:
        return
    with run.client() as client:
        for page, _ in pages(client, "/accounts"):
            yield INSTANTLY_TABLES.tagged("accounts", [rows.account_row(a) for a in page])
    mark_done(state, CATALOG_LISTED)


def block_list(run: InstantlyRun) -> Iterator[Any]:
    state = _due(run)
    if state is None:
        return
    with run.client() as client:
        listed = [e for page, _ in pages(client, "/block-lists-entries") for e in page]
    ids = {e["id"] for e in listed}
    gone = [{"id": i, "removed": True} for i in state.get("ids", []) if i not in ids]
    if listed or gone:
        yield INSTANTLY_TABLES.tagged("block_list_entries", [dict(e) for e in listed] + gone)
    state["ids"] = sorted(ids)
    mark_done(state, CATALOG_LISTED)
