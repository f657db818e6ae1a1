"""Listing enrollments: complete paging under change, filters against the truth, activity."""

from __future__ import annotations

import collections

import pytest

from sandbox.common.clock import format_rfc3339
from sandbox.unify import UnifySandbox, render
from sandbox.unify.validation import parse_rfc3339


def test_the_other_documented_order_is_oldest_created_first(unify):
    rows, _ = unify(enrollments=250, list_order="oldest_first").page_all()
    created = [parse_rfc3339(r["created_at"]) for r in rows]
    assert created == sorted(created) and len(set(r["id"] for r in rows)) == 250


def test_paging_returns_every_enrollment_once_in_a_stable_order(unify):
    server = unify(enrollments=1234)
    rows, requests = server.page_all()
    assert requests == 13
    truth = server.state.all_enrollments()
    assert sorted(rows, key=lambda r: r["id"]) == sorted(truth, key=lambda r: r["id"])
    created = [r["created_at"] for r in rows]
    assert [parse_rfc3339(c) for c in created] == sorted(map(parse_rfc3339, created), reverse=True)


@pytest.mark.parametrize("order", ["newest_first", "oldest_first"])
def test_paging_while_enrollments_change_returns_each_exactly_once(unify, order):
    server = unify(enrollments=3000, frozen_clock=False, list_order=order)
    state = server.state
    expected = {r["id"] for r in state.all_enrollments()}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        body = server.client.get("/enrollments", params=params).json()
        seen += [r["id"] for r in body["enrollments"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        state.touch(25)  # updates between pages: updated_at moves, order must not
        state.advance(3600)  # activity: starts, replies, bounces, finishes
    assert len(seen) == len(set(seen))  # nobody twice
    assert expected <= set(seen)  # everyone who was there at the first page
    arrived = set(seen) - expected  # a forward pass also reaches people enrolled meanwhile
    assert arrived <= {r["id"] for r in state.all_enrollments()} - expected
    assert order == "oldest_first" or not arrived


def test_new_enrollments_during_paging_do_not_disturb_it(unify):
    server = unify(enrollments=500)
    first = server.client.get("/enrollments", params={"limit": 100}).json()
    free = {r["person"]["id"] for r in server.state.all_enrollments()}
    busy = {r["person"]["id"] for r in server.state.all_enrollments() if r["status"] != "FINISHED"}
    person = sorted(free - busy)[0]
    body = {
        "sequence_id": server.state.world.sequences[0].id,
        "person_id": person,
        "mailbox_emails": [server.state.world.mailboxes[0]["email"]],
    }
    assert server.client.post("/enrollments", json=body).status_code == 201
    ids = [r["id"] for r in first["enrollments"]]
    cursor = first["next_cursor"]
    while cursor:
        page = server.client.get("/enrollments", params={"limit": 100, "cursor": cursor}).json()
        ids += [r["id"] for r in page["enrollments"]]
        cursor = page["next_cursor"]
    assert len(ids) == len(set(ids)) == 500


def _truth(server, keep):
    return sorted(r["id"] for r in server.state.all_enrollments() if keep(r))


def test_filters_match_the_truth(unify):
    server = unify(enrollments=2000)
    truth = server.state.all_enrollments()
    seq = collections.Counter(r["sequence"]["id"] for r in truth).most_common(1)[0][0]
    mailbox = truth[7]["mailbox"]["id"]
    play = next(r["enrolled_by_play"]["id"] for r in truth if r["enrolled_by_play"])
    person = truth[11]["person"]["id"]
    stamps = sorted(r["updated_at"] for r in truth)
    low, high = stamps[500], stamps[1500]
    cases = {
        "sequence_id": (seq, lambda r: r["sequence"]["id"] == seq),
        "mailbox_id": (mailbox, lambda r: r["mailbox"]["id"] == mailbox),
        "enrolled_by_play_id": (play, lambda r: (r["enrolled_by_play"] or {}).get("id") == play),
        "person_id": (person, lambda r: r["person"]["id"] == person),
        "status": (["DRAFT", "IN_PROGRESS"], lambda r: r["status"] != "FINISHED"),
        "updated_after": (low, lambda r: parse_rfc3339(r["updated_at"]) >= parse_rfc3339(low)),
        "updated_before": (high, lambda r: parse_rfc3339(r["updated_at"]) <= parse_rfc3339(high)),
    }
    for name, (value, keep) in cases.items():
        rows, _ = server.page_all(**{name: value})
        assert sorted(r["id"] for r in rows) == _truth(server, keep), name
        assert rows, name
    both, _ = server.page_all(updated_after=low, updated_before=low, status="FINISHED")
    exact = _truth(server, lambda r: r["updated_at"] == low and r["status"] == "FINISHED")
    assert sorted(r["id"] for r in both) == exact and exact  # both bounds are inclusive


def test_a_well_formed_unknown_id_filters_to_nothing(unify):
    rows, requests = unify().page_all(sequence_id="3c90c3cc-0d44-4b50-8888-8dd25736052a")
    assert (rows, requests) == ([], 1)


def test_a_cursor_belongs_to_its_query(unify):
    c = unify().client
    cursor = c.get("/enrollments", params={"limit": 10, "status": "FINISHED"}).json()["next_cursor"]
    same = c.get("/enrollments", params={"limit": 50, "status": "FINISHED", "cursor": cursor})
    assert same.status_code == 200  # the page size may change between pages
    other = c.get("/enrollments", params={"limit": 10, "status": "DRAFT", "cursor": cursor})
    assert other.status_code == 400
    assert other.json()["errors"][0]["code"] == "invalid_cursor"
    on_sequences = c.get("/sequences", params={"cursor": cursor})
    assert on_sequences.status_code == 400


def test_a_nothing_new_incremental_query_is_one_request(unify):
    server = unify(enrollments=5000)
    newest = max(r["updated_at"] for r in server.state.all_enrollments())
    rows, requests = server.page_all(updated_after=newest)
    assert requests == 1 and rows and all(r["updated_at"] == newest for r in rows)


def test_a_page_renders_only_its_rows(unify, monkeypatch):
    server = unify(enrollments=100_000)
    rendered: list[int] = []
    real = render.enrollments

    def counting(world, table, indexes):
        rendered.append(len(indexes))
        return real(world, table, indexes)

    monkeypatch.setattr(render, "enrollments", counting)
    newest = server.state.table.updated_at.max()
    for params in ({"limit": 100}, {"limit": 100, "updated_after": format_rfc3339(int(newest))}):
        body = server.client.get("/enrollments", params=params).json()
        assert body["enrollments"]
    assert rendered[0] == 100 and rendered[1] <= 100


def test_generation_is_deterministic_per_seed():
    a = UnifySandbox.create(400, 3, anchor_us=1_790_000_000_000_000).state.all_enrollments()
    b = UnifySandbox.create(400, 3, anchor_us=1_790_000_000_000_000).state.all_enrollments()
    c = UnifySandbox.create(400, 4, anchor_us=1_790_000_000_000_000).state.all_enrollments()
    assert a == b
    assert {r["id"] for r in a}.isdisjoint({r["id"] for r in c})


def test_seeded_funnel_is_plausible():
    rows = UnifySandbox.create(20_000, 1, anchor_us=1_790_000_000_000_000).state.all_enrollments()
    n = len(rows)
    share = {f: sum(r[f] for r in rows) / n for f in ("is_replied", "is_bounced", "is_canceled")}
    share |= {f: sum(r[f] for r in rows) / n for f in ("is_opted_out", "is_paused")}
    assert 0.05 < share["is_replied"] < 0.12 and 0.02 < share["is_bounced"] < 0.06
    assert 0.04 < share["is_canceled"] < 0.25 and 0.005 < share["is_opted_out"] < 0.03
    assert 0.0005 < share["is_paused"] < 0.01
    statuses = collections.Counter(r["status"] for r in rows)
    assert set(statuses) == {"DRAFT", "IN_PROGRESS", "FINISHED"}
    replies = [r["reply_email_message"] for r in rows if r["is_replied"]]
    categories = collections.Counter(c["category"] for m in replies for c in m["classifications"])
    assert set(categories) == {"AUTOMATED", "NEGATIVE", "NEUTRAL", "POSITIVE"}
    assert any(m["received_at"] is None for m in replies) and any(
        not m["classifications"] for m in replies
    )
    for field in ("first_name", "last_name", "linkedin_url"):
        assert any(r["person"][field] is None for r in rows), field
    assert any(
        not r["person"]["first_name"] or not r["person"]["first_name"].isascii() for r in rows
    )
    months = {r["created_at"][:7] for r in rows}
    assert len(months) >= 6  # timestamps spread over months
    assert any(
        r["updated_at"].endswith(".000Z") is False and "." not in r["updated_at"] for r in rows
    )
    per_person = collections.Counter(r["person"]["id"] for r in rows if r["status"] != "FINISHED")
    assert max(per_person.values()) == 1  # one active sequence per person


@pytest.mark.parametrize("hours", [1, 24 * 7])
def test_advancing_the_clock_moves_enrollments_forward(unify, hours):
    server = unify(enrollments=3000)
    state = server.state
    before = {r["id"]: r for r in state.all_enrollments()}
    start = state.clock.now_us()
    changed = state.advance(hours * 3600)
    after = {r["id"]: r for r in state.all_enrollments()}
    moved = [i for i in before if after[i]["updated_at"] != before[i]["updated_at"]]
    arrived = [i for i in after if i not in before]  # people enrolled while time passed
    assert changed == len(moved) + len(arrived) and moved
    assert len(arrived) <= 3000 / 180 * hours / 24 * 3 + 5
    for i in arrived:
        assert start < parse_rfc3339(after[i]["created_at"]) <= state.clock.now_us()
    order = {"DRAFT": 0, "IN_PROGRESS": 1, "FINISHED": 2}
    for i in moved:
        stamp = parse_rfc3339(after[i]["updated_at"])
        assert start < stamp <= state.clock.now_us()
        assert order[after[i]["status"]] >= order[before[i]["status"]]
        for flag in ("is_replied", "is_bounced", "is_opted_out", "is_canceled"):
            assert after[i][flag] >= before[i][flag]
    finished = [i for i in moved if after[i]["status"] == "FINISHED"]
    assert all(after[i]["ended_at"] for i in finished)
    # the list endpoint shows exactly the moved enrollments to an incremental reader
    rows, _ = server.page_all(updated_after=format_rfc3339(start + 1000))
    assert sorted(r["id"] for r in rows) == sorted(moved + arrived)


def test_a_backdated_touch_is_visible_with_an_old_updated_at(unify):
    server = unify(enrollments=500)
    now = server.state.clock.now_us()
    (touched,) = server.state.touch(1, backdate_seconds=300)
    row = server.client.get(f"/enrollments/{touched}").json()
    assert parse_rfc3339(row["updated_at"]) == now // 1000 * 1000 - 300_000_000
