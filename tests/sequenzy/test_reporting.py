"""Sequenzy's reporting views against numbers computed from the sandbox's own records and event
stream, on DuckDB and PostgreSQL, and `sequence-funnel report sequenzy`."""

from __future__ import annotations

from sandbox.sequenzy import events
from tests.funnel import truth
from tests.sequenzy.environment import cli_env
from tests.support.cli import loaded_then_reported


def _people(state) -> tuple[dict, dict]:
    """By sequence and by cohort week, as the marts count (tests/funnel/truth): a person once per
    sequence. Each with the people delivered to and who clicked, from the events of their
    enrollments there."""
    enrollments, _ = truth.sequenzy(state)
    pairs = truth.person_sequences(enrollments)
    whose = {e.vendor_id: (e.sequence, e.person) for e in enrollments}
    seen: dict[str, set] = {"delivery": set(), "click": set()}
    for event in state.events_now():
        if event.event["eventType"] in seen and event.enrollment_id in whose:
            seen[event.event["eventType"]].add(whose[event.enrollment_id])
    out = []
    for key in (lambda r: r.sequence.removeprefix("sequenzy:"),
                lambda r: truth.week(r.first_enrolled_at)):  # fmt: skip
        out.append({g: (*truth.measures(rs), *(sum((r.sequence, r.person) in seen[k] for r in rs)
                                               for k in ("delivery", "click")))
                    for g, rs in truth.grouped(pairs, key).items()})  # fmt: skip
    return out[0], out[1]


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
    columns = f"{truth.MEASURES}, delivered, clicked"
    rows = warehouse.rows(f"select sequence_id, {columns} from sequenzy.funnel_by_sequence")
    truth.assert_same({r[0]: r[1:] for r in rows}, by_sequence, "funnel_by_sequence")
    weeks = warehouse.rows(f"select cohort_week, {columns} from sequenzy.funnel_by_cohort_week")
    truth.assert_same({r[0]: r[1:] for r in weeks}, by_week, "funnel_by_cohort_week")
    assert all(r[-1] for r in rows) and all(r[5] is None for r in rows)  # clicks; no positive
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
        "select sequence_id, enrolled, reached, opened, replied, replies"
        " from sequenzy.funnel_by_sequence"
    )
    by_sequence, _ = _people(server.state)
    # nothing sent yet; replies unknown: the inbox is not loaded, and nor are the metrics
    assert {r[0]: tuple(r[1:]) for r in rows} == {
        s: (v[0], 0, 0, None, None) for s, v in by_sequence.items()
    }
    steps = warehouse.rows(
        "select count(*), sum(sent), count(replies) from sequenzy.funnel_by_step"
    )
    emails = sum(len(s.emails) for s in server.state.world.sequences)
    assert steps == [(emails, 0, 0)]  # every email step, nothing sent yet, replies unknown


def test_the_report_command_prints_the_funnel_by_sequence(sequenzy, tmp_path):
    server = sequenzy(enrollments=400)
    shown = loaded_then_reported(tmp_path, cli_env(server.base_url, tmp_path), "sequenzy")
    lines = shown.splitlines()
    assert lines[0].split()[1:] == ["enrolled", "reached", "opened", "replied", "positive",
                                    "bounced", "unsub", "stopped", "finished", "reply", "%"]  # fmt: skip
    for sequence in server.state.world.sequences:
        assert any(line.startswith(sequence.body["name"]) for line in lines)
    assert "total (people per sequence)" in shown
    assert all(line.split()[-6] == "n/a" for line in lines[1:-1])  # no reply is classified
    assert lines[-1].endswith(f"{len(server.state.enrollments_now())} enrollments in 4 sequences")
