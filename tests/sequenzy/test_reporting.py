"""Sequenzy's reporting views against numbers computed from the sandbox's own records and event
stream, on DuckDB and PostgreSQL, and `sequence-funnel report sequenzy`."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sandbox.sequenzy import events
from tests.sequenzy.environment import cli_env
from tests.sequenzy.truth import instant
from tests.support.cli import BUILDS_MODELS, run_cli

PEOPLE = ("enrolled", "sent", "delivered", "opened", "clicked", "bounced", "opted_out",
          "in_progress", "finished", "canceled", "failed")  # fmt: skip
KINDS = {"send": 1, "delivery": 2, "open": 3, "click": 4, "bounce": 5, "unsubscribe": 6}
STATUSES = {"active": 7, "waiting": 7, "paused": 7, "completed": 8, "cancelled": 9, "failed": 10}


def _people(state) -> tuple[dict[str, list[int]], dict]:
    """By sequence and by cohort week: a subscriber counts once per sequence."""
    facts: dict[tuple, list[int]] = defaultdict(lambda: [1] + [0] * 10)
    first: dict[tuple, object] = {}
    for e in state.enrollments_now():
        key = (e["sequenceId"], e["subscriberId"])
        facts[key][STATUSES[e["status"]]] = 1
        started = instant(e["enrollmentStartedAt"])
        first[key] = min(first.get(key, started), started)
    for truth in state.events_now():
        ev = truth.event
        if ev["eventType"] in KINDS:
            facts[(truth.sequence_id, ev["subscriberId"])][KINDS[ev["eventType"]]] = 1
    by_sequence: dict[str, list[int]] = defaultdict(lambda: [0] * 11)
    by_week: dict = defaultdict(lambda: [0] * 11)
    for key, flags in facts.items():
        week = (first[key] - timedelta(days=first[key].weekday())).date()
        for totals in (by_sequence[key[0]], by_week[week]):
            for k, flag in enumerate(flags):
                totals[k] += flag
    return dict(by_sequence), dict(by_week)


def _vendor_counts(state) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """The vendor's own counts, all time: per sequence (replies, conversions) and per email
    step (sends, deliveries, opens, clicks, bounces, unsubscribes, replies)."""
    world, now = state.world, state.clock.now_us()
    by_sequence, by_step = {}, {}
    for k, sequence in enumerate(world.sequences):
        found = events.sequence_events(world, k, now)
        stats = events.stats(found)
        by_sequence[sequence.body["id"]] = (stats["replies"], stats["conversions"])
        for j, email in enumerate(sequence.emails):
            s = events.stats(events.where(found, found.email == j))
            by_step[email["nodeId"]] = (s["sent"], s["delivered"], s["opened"], s["clicked"],
                                        s["bounced"], s["unsubscribed"], s["replies"])  # fmt: skip
    return by_sequence, by_step


def test_the_funnel_views_count_what_the_world_holds(sequenzy, loader, warehouse):
    server = sequenzy(enrollments=700)
    load = loader(server.base_url, warehouse)
    load.run()
    server.state.advance(86_400)
    server.state.touch(8)  # cancellations: statuses change after the first load
    load.run()
    load.build_models()
    by_sequence, by_week = _people(server.state)
    columns = ", ".join(PEOPLE)
    rows = warehouse.rows(f"select sequence_id, {columns} from sequenzy.funnel_by_sequence")
    assert {r[0]: list(r[1:]) for r in rows} == by_sequence
    weeks = warehouse.rows(f"select cohort_week, {columns} from sequenzy.funnel_by_cohort_week")
    assert {r[0]: list(r[1:]) for r in weeks} == by_week
    replies, steps = _vendor_counts(server.state)
    assert sum(v[0] for v in replies.values()) > 0  # the world has replies to count
    rows = warehouse.rows(
        "select sequence_id, replies, conversions from sequenzy.funnel_by_sequence"
    )
    assert {r[0]: tuple(r[1:]) for r in rows} == replies
    rows = warehouse.rows(
        "select node_id, sent, delivered, opened, clicked, bounced, unsubscribed, replies"
        " from sequenzy.funnel_by_step"
    )
    assert {r[0]: tuple(r[1:]) for r in rows} == steps  # the stream agrees with the metrics


def test_the_views_stand_before_any_event_or_metric_is_loaded(sequenzy, loader, warehouse):
    server = sequenzy(enrollments=300)
    load = loader(server.base_url, warehouse)
    load.run("sequences", "enrollments")
    load.build_models()
    rows = warehouse.rows(
        "select sequence_id, enrolled, sent, replies from sequenzy.funnel_by_sequence"
    )
    by_sequence, _ = _people(server.state)
    assert {r[0]: tuple(r[1:]) for r in rows} == {
        s: (v[0], 0, None) for s, v in by_sequence.items()
    }
    steps = warehouse.rows(
        "select count(*), sum(sent), count(replies) from sequenzy.funnel_by_step"
    )
    emails = sum(len(s.emails) for s in server.state.world.sequences)
    assert steps == [(emails, 0, 0)]  # every email step, nothing sent yet, replies unknown


def test_the_report_command_prints_the_funnel_by_sequence(sequenzy, tmp_path):
    server = sequenzy(enrollments=400)
    env = cli_env(server.base_url, tmp_path) | BUILDS_MODELS
    assert run_cli(tmp_path, env, vendor="sequenzy").returncode == 0
    shown = run_cli(tmp_path, env, command="report", vendor="sequenzy")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split()[1:] == ["enrolled", "sent", "delivered", "opened", "clicked",
                                    "replies*", "conversions*", "bounced", "opt-out", "open",
                                    "%"]  # fmt: skip
    for sequence in server.state.world.sequences:
        assert any(line.startswith(sequence.body["name"]) for line in lines)
    assert "total (people per sequence)" in shown.stdout
    assert "* replies, conversions: the vendor's own counts of messages" in shown.stdout
    assert lines[-1].endswith(f"{len(server.state.enrollments_now())} enrollments in 4 sequences")
