"""Sequenzy runs read only the sequences whose activity moved (sources.sequenzy.activity):
one request counts every sequence's sends, and a quiet sequence waits for its refresh, and
nothing is lost while it waits."""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.sequenzy import DEFAULT_API_KEY
from sources.sequenzy.activity import digests, whole
from tests.sequenzy.test_load import DEFAULT_REFRESH
from tests.sequenzy.truth import assert_matches_truth

LISTINGS = ("subscribers", "conversations", "metrics")  # read in full, each on its own schedule
EVERY_RUN = {f"{listing}_refresh_minutes": 0 for listing in LISTINGS}


def _counts(base_url: str) -> dict[str, list[Any]]:
    """Each sequence's email steps' counts, as the sandbox answers them."""
    answer = httpx.get(f"{base_url}/metrics/emails", params={"limit": 100, "sort": "step"},
                       headers={"authorization": f"Bearer {DEFAULT_API_KEY}"}).json()  # fmt: skip
    assert answer["pagination"]["totalPages"] == 1
    found: dict[str, list[Any]] = {}
    for row in answer["emails"]:
        found.setdefault(row["sequenceId"], []).append((row["automationNodeId"], row["stats"]))
    return {sequence: sorted(rows, key=lambda r: r[0]) for sequence, rows in found.items()}


def test_a_nothing_new_run_is_the_listing_and_the_counts_of_every_sequence(sequenzy, loader):
    """Within the refresh intervals, a run where nothing changed reads the sequences listing
    and one page of every sequence's email counts: 2 requests, whatever the sequences."""
    server = sequenzy(enrollments=600, sequences=6)
    load = loader(server.base_url)
    load.run(**DEFAULT_REFRESH)
    again = load.run(**DEFAULT_REFRESH)
    assert again.requests == 2 and again.rows == {}


def test_the_sequences_whose_counts_moved_are_read_and_the_load_is_exact(sequenzy, loader):
    """Half an hour on, some sequences sent, and only those are read again: their unsettled
    enrollments and their events, two requests each. With the full listings read again (they
    are due hourly), the warehouse is the world's."""
    server = sequenzy(enrollments=900, sequences=6)
    load = loader(server.base_url)
    load.run(**DEFAULT_REFRESH)
    before = _counts(server.base_url)
    server.state.advance(1800)
    after = _counts(server.base_url)
    moved = [s for s in after if after[s] != before.get(s)]
    assert 0 < len(moved) < len(server.state.world.sequences)
    again = load.run(**DEFAULT_REFRESH)
    assert again.requests == 2 + 2 * len(moved)
    load.run(*LISTINGS, **EVERY_RUN)
    assert_matches_truth(load.warehouse, server.state)


def test_changes_the_counts_cannot_show_wait_for_the_refresh_and_none_is_lost(sequenzy, loader):
    """Changes that send nothing (a contact paused, running tokens cancelled in the app, a
    contact enrolled) leave the counts as they were: the next run reads nothing but the
    listing and the counts; a run once the quiet sequences are due loads every change, and the
    warehouse is the world's."""
    server = sequenzy(enrollments=600)
    load = loader(server.base_url)
    load.run(**DEFAULT_REFRESH)
    state = server.state
    live = next(s.body["id"] for s in state.world.sequences
                if s.body["effectiveStatus"] == "live")  # fmt: skip
    waiting = [e for e in state.enrollments_now()
               if e["sequenceId"] == live and e["status"] == "waiting"]  # fmt: skip
    headers = {"authorization": f"Bearer {DEFAULT_API_KEY}"}
    paused = httpx.post(f"{server.base_url}/sequences/{live}/enrollments/pause", headers=headers,
                        json={"subscriberIds": [waiting[0]["subscriberId"]]})  # fmt: skip
    assert paused.status_code == 200 and paused.json()["enrollments"][0]["outcome"] == "paused"
    cancelled = state.touch(3)
    enrolled_ids = {e["subscriberId"] for e in state.enrollments_now() if e["sequenceId"] == live}
    idle = next(p for p in state.world.subscribers
                if p["status"] == "active" and p["email"] and p["id"] not in enrolled_ids)  # fmt: skip
    enrolled = httpx.post(f"{server.base_url}/sequences/{live}/enroll", headers=headers,
                          json={"subscriberIds": [idle["id"]]})  # fmt: skip
    assert enrolled.status_code == 200 and enrolled.json()["enrolled"] == 1
    before = _counts(server.base_url)
    quiet = load.run(**DEFAULT_REFRESH)
    assert quiet.requests == 2 and quiet.rows == {}
    assert _counts(server.base_url) == before
    loaded = dict(load.warehouse.rows("select id, status from sequenzy.enrollments"))
    assert loaded[waiting[0]["enrollmentId"]] == "waiting"  # not yet
    assert all(loaded[k] != "cancelled" for k in cancelled)
    due = load.run(**DEFAULT_REFRESH | {"quiet_refresh_minutes": 0})
    assert due.rows["enrollments"] == 1 + len(cancelled) + 1
    sequences = len(state.world.sequences)
    assert due.requests == 1 + 2 * sequences  # every sequence read: the counts are not asked
    load.run(*LISTINGS, **EVERY_RUN)
    assert_matches_truth(load.warehouse, state)


def _step(sequence: str, node: str, sent: int) -> dict[str, Any]:
    return {"sequenceId": sequence, "automationNodeId": node, "emailId": f"e-{node}",
            "stats": {"sent": sent, "opened": 0}}  # fmt: skip


def test_a_digest_moves_with_its_own_sequences_counts_or_listing_row_only():
    listed = [{"id": "a", "status": "active"}, {"id": "b", "status": "active"}]
    steps = [_step("a", "1", 5), _step("a", "2", 0), _step("b", "3", 7)]
    first = digests(listed, steps)
    assert first is not None and first["a"] != first["b"]
    assert digests(listed, list(reversed(steps))) == first  # page order does not matter
    sent = digests(listed, [_step("a", "1", 6), *steps[1:]])
    assert sent is not None and sent["a"] != first["a"] and sent["b"] == first["b"]
    paused = digests([listed[0], {"id": "b", "status": "paused"}], steps)
    assert paused is not None and paused["a"] == first["a"] and paused["b"] != first["b"]
    assert digests(listed, None) is None


def test_pages_of_counts_that_moved_while_read_are_not_whole():
    """Counts moving between pages can show a step twice and another not at all: the totals
    still add up, but the digests would be wrong, so the run reads every sequence."""
    steps = [_step("a", "1", 5), _step("a", "2", 0), _step("b", "3", 7)]
    assert whole(steps, 3)
    assert not whole([steps[0], steps[0], steps[2]], 3)
    assert not whole(steps[:2], 3)
