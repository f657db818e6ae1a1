"""The Unify sandbox answers like the documented API: auth, validation, 404s and writes."""

from __future__ import annotations

import httpx
import pytest

from sandbox.unify import DEFAULT_API_KEY

UNKNOWN = "3c90c3cc-0d44-4b50-8888-8dd25736052a"  # well-formed, names nothing


def test_missing_or_wrong_key_is_401_and_never_echoed(unify):
    server = unify()
    bare = httpx.get(server.base_url + "/enrollments")
    assert bare.status_code == 401
    assert bare.json()["status"] == "unauthorized"
    wrong = httpx.get(server.base_url + "/sequences", headers={"x-api-key": "sk-wrong-123"})
    assert wrong.status_code == 401
    assert "sk-wrong-123" not in wrong.text


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("limit=0", [("too_small", ["limit"])]),
        ("limit=101", [("too_big", ["limit"])]),
        ("limit=ten", [("invalid_type", ["limit"])]),
        ("limit=5&limit=6", [("invalid_type", ["limit"])]),
        ("sequence_id=nope", [("invalid_string", ["sequence_id"])]),
        ("person_id=1234", [("invalid_string", ["person_id"])]),
        ("mailbox_id=x", [("invalid_string", ["mailbox_id"])]),
        ("enrolled_by_play_id=x", [("invalid_string", ["enrolled_by_play_id"])]),
        ("status=DONE", [("invalid_enum_value", ["status", 0])]),
        ("status=DRAFT&status=nope", [("invalid_enum_value", ["status", 1])]),
        ("updated_after=2026-01-01", [("invalid_string", ["updated_after"])]),
        ("updated_before=2026-13-01T00:00:00Z", [("invalid_string", ["updated_before"])]),
        ("updated_after=2026-01-01T00:00:00", [("invalid_string", ["updated_after"])]),
        ("cursor=bm9wZQ", [("invalid_cursor", ["cursor"])]),
        ("limit=0&status=X", [("too_small", ["limit"]), ("invalid_enum_value", ["status", 0])]),
    ],
)
def test_invalid_list_parameters_are_400_with_every_error(unify, query, errors):
    response = unify().client.get("/enrollments?" + query)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "bad_request"
    assert [(e["code"], e["path"]) for e in body["errors"]] == errors


@pytest.mark.parametrize(
    "stamp", ["2026-09-01T00:00:00Z", "2026-09-01T02:00:00+02:00", "2026-09-01T00:00:00.123456z"]
)
def test_rfc3339_forms_are_accepted(unify, stamp):
    assert unify().client.get("/enrollments", params={"updated_after": stamp}).status_code == 200


def test_unknown_ids_are_404_and_malformed_ids_400(unify):
    c = unify().client
    for method, path in [
        ("GET", f"/enrollments/{UNKNOWN}"),
        ("DELETE", f"/enrollments/{UNKNOWN}"),
        ("POST", f"/enrollments/{UNKNOWN}/pause"),
        ("GET", f"/sequences/{UNKNOWN}"),
        ("GET", f"/sequences/{UNKNOWN}/steps"),
        ("POST", f"/sequences/{UNKNOWN}/resume"),
    ]:
        response = c.request(method, path)
        assert response.status_code == 404, path
        assert response.json()["status"] == "not_found"
    bad = c.get("/enrollments/not-a-uuid")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["path"] == ["id"]


def test_unknown_route_and_method(unify):
    c = unify().client
    assert c.get("/nothing-here").json() == {"status": "not_found", "message": "Route not found"}
    response = c.put("/enrollments")
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_get_enrollment_matches_the_list(unify):
    server = unify()
    first = server.client.get("/enrollments", params={"limit": 1}).json()["enrollments"][0]
    assert server.client.get(f"/enrollments/{first['id']}").json() == first


def _free_person(server):
    """A person with no enrollment in progress, and one with a started one in progress."""
    rows = server.state.all_enrollments()
    active = {r["person"]["id"]: r for r in rows if r["status"] != "FINISHED" and r["started_at"]}
    ended = [r for r in rows if r["person"]["id"] not in active]
    return ended[0]["person"]["id"], next(iter(active.values()))


def test_create_enrollment_201_then_409_once_it_started_and_for_an_active_person(unify):
    server = unify()
    c = server.client
    sequence = c.get("/sequences", params={"limit": 1}).json()["sequences"][0]
    mailbox = server.state.world.mailboxes[1]["email"]
    person_id, active = _free_person(server)
    body = {
        "sequence_id": sequence["id"],
        "person_id": person_id,
        "mailbox_emails": ["nobody@example.org", mailbox.upper()],
    }
    created = c.post("/enrollments", json=body)
    assert created.status_code == 201
    row = created.json()
    assert (row["person"]["id"], row["sequence"]["id"]) == (person_id, sequence["id"])
    assert row["mailbox"]["email"] == mailbox and row["status"] == "IN_PROGRESS"
    assert c.get(f"/enrollments/{row['id']}").json() == row
    assert c.get("/enrollments", params={"limit": 1}).json()["enrollments"][0]["id"] == row["id"]

    # not started yet, so not active: a blind retry enrolls the person a second time
    twice = c.post("/enrollments", json=body)
    assert twice.status_code == 201 and twice.json()["id"] != row["id"]
    server.state.advance(86_400)  # both have started by now (a first step within hours)
    rows = {r["id"]: r for r in server.state.all_enrollments()}
    running = {i for i in (row["id"], twice.json()["id"]) if rows[i]["status"] != "FINISHED"}
    assert all(rows[i]["started_at"] for i in (row["id"], twice.json()["id"]))
    again = c.post("/enrollments", json=body)
    if running:
        assert again.status_code == 409
        assert again.json()["active_enrollment_id"] in running
        assert again.json() | {"message": "", "active_enrollment_id": ""} == {
            "status": "conflict", "message": "", "active_sequence_id": sequence["id"],
            "active_enrollment_id": "",
        }  # fmt: skip
    else:  # both ended within the day: the person is free again
        assert again.status_code == 201
    other = c.post("/enrollments", json=body | {"person_id": active["person"]["id"]})
    assert other.status_code == 409
    assert other.json()["active_enrollment_id"] == active["id"]


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({}, [["sequence_id"], ["person_id"], ["mailbox_emails"]]),
        ({"sequence_id": "x", "person_id": UNKNOWN, "mailbox_emails": []},
         [["sequence_id"], ["mailbox_emails"]]),
        ({"sequence_id": UNKNOWN, "person_id": UNKNOWN, "mailbox_emails": ["a@b.co"] * 11},
         [["mailbox_emails"]]),
        ({"sequence_id": UNKNOWN, "person_id": UNKNOWN, "mailbox_emails": ["a@b.co", "nope"]},
         [["mailbox_emails", 1]]),
        ([1, 2], [[]]),
    ],
)  # fmt: skip
def test_create_enrollment_validation(unify, body, paths):
    response = unify().client.post("/enrollments", json=body)
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == paths


def test_create_enrollment_malformed_json_and_unknown_references(unify):
    server = unify()
    c = server.client
    raw = c.post("/enrollments", content=b"{nope", headers={"content-type": "application/json"})
    assert raw.status_code == 400 and raw.json()["errors"][0]["code"] == "invalid_json"
    seq_id = server.state.world.sequences[0].id
    person_id, _ = _free_person(server)
    body = {"sequence_id": UNKNOWN, "person_id": person_id, "mailbox_emails": ["a@b.co"]}
    assert c.post("/enrollments", json=body).status_code == 404
    body = {"sequence_id": seq_id, "person_id": UNKNOWN, "mailbox_emails": ["a@b.co"]}
    assert c.post("/enrollments", json=body).status_code == 404
    body = {"sequence_id": seq_id, "person_id": person_id, "mailbox_emails": ["a@b.co"]}
    response = c.post("/enrollments", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "mailbox_not_found"


def test_pause_resume_cancel_an_enrollment(unify):
    server = unify(frozen_clock=False)
    c = server.client
    rows, _ = server.page_all(status="IN_PROGRESS")
    target = next(r for r in rows if not r["is_paused"])
    eid = target["id"]
    assert c.post(f"/enrollments/{eid}/pause").json() == {"id": eid, "is_paused": True}
    paused = c.get(f"/enrollments/{eid}").json()
    assert paused["is_paused"] and paused["updated_at"] > target["updated_at"]
    assert c.post(f"/enrollments/{eid}/resume").json() == {"id": eid, "is_paused": False}
    assert c.delete(f"/enrollments/{eid}").json() == {"id": eid, "is_canceled": True}
    canceled = c.get(f"/enrollments/{eid}").json()
    assert canceled["is_canceled"] and canceled["status"] == "FINISHED"
    assert canceled["ended_at"] is not None and not canceled["is_paused"]
    assert c.delete(f"/enrollments/{eid}").status_code == 200  # canceling twice is harmless
    refused = c.post(f"/enrollments/{eid}/pause")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "invalid_state"


def test_sequence_pause_resume_conflicts_and_delete(unify):
    server = unify()
    c = server.client
    seq = next(s for s in c.get("/sequences", params={"limit": 100}).json()["sequences"]
               if not s["is_paused"])  # fmt: skip
    sid = seq["id"]
    assert c.post(f"/sequences/{sid}/pause").json() == {"id": sid, "is_paused": True}
    conflict = c.post(f"/sequences/{sid}/pause")
    assert conflict.status_code == 409
    assert conflict.json()["status"] == "state_conflict"
    assert conflict.json()["current_is_paused"] is True
    resumed = c.post(f"/sequences/{sid}/resume").json()
    assert resumed["id"] == sid and resumed["is_paused"] is False and "owner" in resumed
    assert c.post(f"/sequences/{sid}/resume").status_code == 409

    active_before = server.page_all(sequence_id=sid, status="IN_PROGRESS")[0]
    assert c.delete(f"/sequences/{sid}").json() == {"id": sid, "is_deleted": True}
    assert c.get(f"/sequences/{sid}").status_code == 404
    listed = c.get("/sequences", params={"limit": 100}).json()["sequences"]
    assert sid not in {s["id"] for s in listed}
    for row in active_before:
        assert c.get(f"/enrollments/{row['id']}").json()["is_canceled"]


def test_sequences_and_steps_paginate_and_filter(unify):
    c = unify(enrollments=20_000).client
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = c.get("/sequences", params=params).json()
        seen += body["sequences"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 10 == len({s["id"] for s in seen})
    created = [s["created_at"] for s in seen]
    assert created == sorted(created, reverse=True)  # newest first

    sid = seen[0]["id"]
    steps = c.get(f"/sequences/{sid}/steps", params={"limit": 100}).json()["steps"]
    assert steps[0]["config"]["is_root_message"] is True
    assert steps[0]["dependencies"] == [{"parent_step_id": None, "condition": None}]
    assert all(s["sequence_id"] == sid for s in steps)
    paged, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = c.get(f"/sequences/{sid}/steps", params=params).json()
        paged += body["steps"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert paged == steps
    emails = c.get(f"/sequences/{sid}/steps", params={"type": "AUTOMATIC_EMAIL"}).json()
    assert emails["steps"] == [s for s in steps if s["type"] == "AUTOMATIC_EMAIL"]
    one = c.get(f"/sequences/{sid}/steps/{steps[-1]['id']}").json()
    assert one == steps[-1]
    assert c.get(f"/sequences/{sid}/steps/{UNKNOWN}").status_code == 404
    assert c.get(f"/sequences/{sid}/steps", params={"type": "FAX"}).status_code == 400


def test_sandbox_key_is_the_documented_default():
    assert DEFAULT_API_KEY == "unify-sandbox-key"


def test_the_command_line_says_and_keeps_the_worlds_bounds():
    """Its help and its refusal name the bounds the world itself has (1 to 2,000,000)."""
    import subprocess
    import sys

    shown = subprocess.run([sys.executable, "-m", "sandbox", "unify", "--help"],
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert shown.returncode == 0 and "1 to 2,000,000" in " ".join(shown.stdout.split())
    refused = subprocess.run([sys.executable, "-m", "sandbox", "unify", "--enrollments",
                              "2000001"], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert refused.returncode == 2
    assert "--enrollments must be between 1 and 2,000,000" in refused.stderr
