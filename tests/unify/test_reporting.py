"""Reporting views against numbers computed independently from the sandbox, on DuckDB and on
PostgreSQL; enrollment history; the `report` command; the notebook, executed."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipelines import reporting
from tests.conftest import counts_as_postgres
from tests.funnel import truth
from tests.support.cli import BUILDS_MODELS, ROOT, run_cli
from tests.support.warehouses import DuckDBWarehouse
from tests.unify.bulk_truth import expected_steps
from tests.unify.environment import cli_env
from tests.unify.loading import STEPS, Loader
from tests.unify.truth import instant

# The fonts `make setup` installs for the notebook's CJK and emoji names (Debian packages)
FONTS_INSTALLED = all(
    Path(p).exists() for p in ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
                               "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf")
)  # fmt: skip


def _history_snapshot(state) -> set[tuple]:
    return {
        (e["id"], instant(e["updated_at"]), e["status"], e["is_replied"], e["is_bounced"],
         e["is_opted_out"], e["is_canceled"], instant(e["started_at"]), instant(e["ended_at"]))
        for e in state.all_enrollments()
    }  # fmt: skip


def _truth_funnels(state) -> dict[str, dict]:
    """Funnels by sequence, mailbox and cohort week, as the marts count them (tests/funnel/truth:
    the counting rule written out again), the mailbox that of the person's latest enrollment in
    the sequence."""
    enrollments, _ = truth.unify(state, with_steps=True)
    mailboxes = {e["id"]: e["mailbox"]["id"] for e in state.all_enrollments()}
    latest: dict[tuple[str, str], truth.Enrollment] = {}
    for e in enrollments:
        known = latest.get((e.sequence, e.person))
        if known is None or (e.enrolled_at, e.vendor_id) > (known.enrolled_at, known.vendor_id):
            latest[(e.sequence, e.person)] = e
    pairs = truth.person_sequences(enrollments)
    keys = {
        "sequence": lambda r: r.sequence.removeprefix("unify:"),
        "mailbox": lambda r: mailboxes[latest[(r.sequence, r.person)].vendor_id],
        "week": lambda r: truth.week(r.first_enrolled_at),
    }
    return {k: {g: truth.measures(rows) for g, rows in truth.grouped(pairs, key).items()}
            for k, key in keys.items()}  # fmt: skip


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def reported_world(request, unify_for_module, tmp_path_factory):
    """Two loads with a day of activity between, then the models built, as a CLI load does;
    once per destination for every test here (they only read)."""
    tmp_path = tmp_path_factory.mktemp("reported")
    if request.param == "duckdb":
        warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    else:
        warehouse = request.getfixturevalue("postgres_server").new_database()
    server = unify_for_module(enrollments=1200)
    load = Loader(tmp_path, server.base_url, warehouse)
    load.run(**STEPS)
    history = _history_snapshot(server.state)
    server.state.advance(86400)
    load.run(**STEPS)
    history |= _history_snapshot(server.state)
    assert load.build_models().status == "built"
    return server, load, history


@pytest.fixture
def reported(request, reported_world):
    if request.node.callspec.params["reported_world"] == "postgres":
        counts_as_postgres(request)  # counted in the session's PostgreSQL line
    return reported_world


def test_funnel_views_equal_the_sandbox_by_sequence_mailbox_and_cohort(reported):
    server, load, _ = reported
    expected = _truth_funnels(server.state)
    for key, view, group in (("sequence", "funnel_by_sequence", "sequence_id"),
                             ("mailbox", "funnel_by_mailbox", "mailbox_id"),
                             ("week", "funnel_by_cohort_week", "cohort_week")):  # fmt: skip
        rows = load.warehouse.rows(f"select {group}, {truth.MEASURES} from unify.{view}")
        truth.assert_same({r[0]: r[1:] for r in rows}, expected[key], view)


def test_step_funnel_replies_and_reply_times_equal_the_sandbox(reported):
    server, load, _ = reported
    per_step: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for s in expected_steps(server.state):
        sequence_id, number, step_type, status = s[3], s[5], s[6], s[7]
        sent_at, opens, clicks, reply = s[17], s[18], s[19], s[22]
        if number is not None:
            counts = per_step[(sequence_id, number, step_type)]
            hits = (status == "FINISHED", sent_at is not None, (opens or 0) > 0,
                    (clicks or 0) > 0, reply is not None)  # fmt: skip
            for k, hit in enumerate(hits):
                counts[k] += int(hit)
    rows = load.warehouse.rows(
        "select sequence_id, step_number, step_type, executed, sent, opened, clicked, replied"
        " from unify.step_funnel"
    )
    assert {tuple(r[:3]): [int(v) for v in r[3:]] for r in rows} == dict(per_step)
    assert {r[2] for r in rows} >= {"AUTOMATIC_EMAIL", "PHONE_CALL"}  # not every step sends

    waits: dict[str, list[float]] = defaultdict(list)
    categories: dict[tuple, int] = defaultdict(int)
    for e in server.state.all_enrollments():
        reply = e["reply_email_message"]
        if reply and reply["received_at"] and e["started_at"]:
            hours = (instant(reply["received_at"]) - instant(e["started_at"])).total_seconds()
            waits[e["sequence"]["id"]].append(hours / 3600)
        for c in reply["classifications"] if reply else []:
            categories[(e["sequence"]["id"], c["category"])] += 1
    names = {s.id: s.body["name"] for s in server.state.world.sequences}
    rows = load.warehouse.rows(
        "select sequence_id, sequence, replies, median_hours, p90_hours"
        " from unify.time_to_first_reply"
    )
    assert rows
    for sequence_id, name, replies, median, p90 in rows:
        assert name == names[sequence_id]
        assert replies == len(waits[sequence_id])
        assert float(median) == pytest.approx(np.percentile(waits[sequence_id], 50), abs=1e-6)
        assert float(p90) == pytest.approx(np.percentile(waits[sequence_id], 90), abs=1e-6)
    breakdown = load.warehouse.rows(
        "select sequence_id, category, replies from unify.reply_classification_breakdown"
    )
    assert {(r[0], r[1]): r[2] for r in breakdown} == dict(categories)


COUNT_COLUMNS = {
    *reporting.MEASURES[:-1],
    "in_progress",
    "replies",
    "executed",
    "sent",
    "opened",
    "clicked",
    "replied",
    "started",
    "bounced",
    "opted_out",
    "finished",
}


def test_every_count_a_view_gives_is_a_64_bit_integer(reported):
    """DuckDB sums integers as HUGEINT, which pandas reads as float64 (`started 1270.0`);
    PostgreSQL sums bigints as numeric. Every count is a bigint, on both."""
    _, load, _ = reported
    models = (ROOT / "dbt" / "models" / "reporting" / "unify").glob("unify__*.sql")
    views = sorted({p.stem.removeprefix("unify__") for p in models} - {"funnel_person_sequence"})
    assert len(views) == 8  # its 0/1 facts aside, every report view Unify has
    rows = load.warehouse.rows(
        "select table_name, column_name, data_type from information_schema.columns"
        " where table_schema = 'unify' and table_name in"
        f" ({', '.join(repr(v) for v in views)})"
    )
    counts = {(t, c): d.lower() for t, c, d in rows if c in COUNT_COLUMNS}
    assert {t for t, _ in counts} == set(views) - {"enrollment_history_intervals"}
    assert {k: d for k, d in counts.items() if d != "bigint"} == {}


def test_history_keeps_every_version_once_and_feeds_the_daily_series(reported):
    _, load, history = reported
    rows = load.warehouse.rows(
        "select enrollment_id, updated_at, status, is_replied, is_bounced, is_opted_out,"
        " is_canceled, started_at, ended_at from unify.enrollment_history"
    )
    assert len(rows) == len(set(rows)) and set(rows) == history
    assert any(n > 1 for n in _versions(rows).values())  # the day of activity added versions
    open_ended = load.warehouse.rows(
        "select count(*) from unify.enrollment_history_intervals where valid_to is null"
    )[0][0]
    assert open_ended == len({r[0] for r in rows})  # one current version per enrollment
    versions = load.warehouse.rows(
        "select enrollment_id, updated_at, status, is_replied, started_at, is_canceled,"
        " is_bounced, is_opted_out, is_excluded, is_paused, is_blocked"
        " from unify.enrollment_history"
    )
    names = ("is_canceled", "is_bounced", "is_opted_out", "is_excluded", "is_paused", "is_blocked")
    firsts: dict[str, dict] = defaultdict(dict)
    for eid, at, status, replied, started, *flags in sorted(versions, key=lambda r: r[1]):
        f = firsts[eid]
        if started is not None:
            f.setdefault("started", started)
        if replied:
            f.setdefault("replied", at)
        if (
            truth.unify_state({"status": status, **dict(zip(names, flags, strict=True))})
            == "finished"
        ):
            f.setdefault("finished", at)  # as the status map says
    expected: dict = defaultdict(lambda: [0, 0, 0])
    for f in firsts.values():
        for k, event in enumerate(("started", "replied", "finished")):
            if event in f:
                expected[f[event].date()][k] += 1
    daily = load.warehouse.rows("select day, started, replied, finished from unify.daily_funnel")
    assert {d: [int(v) for v in rest] for d, *rest in daily} == dict(expected)


def _versions(rows: list[tuple]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row[0]] += 1
    return counts


def test_a_rerun_adds_no_history_version(unify, loader):
    server = unify(enrollments=600)
    load = loader(server.base_url)
    load.run(**STEPS)
    before = load.warehouse.rows("select count(*) from unify.enrollment_history")
    load.run(**STEPS)  # the lookback re-reads rows already loaded
    assert load.warehouse.rows("select count(*) from unify.enrollment_history") == before


def test_the_report_command_prints_the_funnel_after_a_cli_load(unify, tmp_path):
    server = unify(enrollments=800)
    env = cli_env(server.base_url, tmp_path) | BUILDS_MODELS
    assert run_cli(tmp_path, env).returncode == 0
    report = run_cli(tmp_path, env, command="report")
    assert report.returncode == 0, report.stderr
    lines = report.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["sequence", "enrolled", "reached"]
    enrollments = server.state.all_enrollments()
    pairs = {(e["sequence"]["id"], e["person"]["id"]) for e in enrollments}
    total = lines[-2]
    assert total.startswith(reporting.TOTAL_LABEL)
    assert int(total[len(reporting.TOTAL_LABEL) :].split()[0].replace(",", "")) == len(pairs)
    people = {e["person"]["id"] for e in enrollments}
    sequences = {e["sequence"]["id"] for e in enrollments}
    assert len(people) < len(pairs)  # people in two sequences: the total is not people
    assert lines[-1] == (
        f"{len(people):,} people and {len(enrollments):,} enrollments in {len(sequences)} sequences"
    )


def test_the_readmes_query_counts_what_the_marts_count(unify, loader):
    """The docs' first query, as written, gives the cross-vendor mart's numbers: people."""
    server = unify(enrollments=900)
    load = loader(server.base_url)
    load.run()
    load.build_models()
    readme = (ROOT / "docs" / "vendors" / "unify.md").read_text().split("## Query the result", 1)[1]
    snippet = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert '"sequence_funnel.duckdb"' in snippet
    scope: dict = {}
    exec(snippet.replace('"sequence_funnel.duckdb"', repr(load.warehouse.path)), scope)
    readme_rows = [tuple(r) for r in scope["funnel"].itertuples(index=False)]
    marts = load.warehouse.rows(
        "select sequence, enrolled, reached, replied, reply_rate_pct from funnel.funnel_by_sequence"
        " where vendor = 'unify' order by enrolled desc, sequence"
    )
    assert readme_rows == [tuple(map(_plain, r)) for r in marts] and readme_rows
    enrollments = load.warehouse.rows("select count(*) from unify.enrollments")[0][0]
    assert sum(r[1] for r in readme_rows) < enrollments  # people, not enrollments


def _plain(value: Any) -> Any:
    return float(value) if type(value).__name__ == "Decimal" else value


def test_the_report_before_any_load_is_one_line_and_exit_2(unify, tmp_path):
    server = unify(enrollments=100)
    report = run_cli(tmp_path, cli_env(server.base_url, tmp_path), command="report")
    assert report.returncode == 2 and len(report.stderr.strip().splitlines()) == 1
    assert (
        "run a load first" in report.stderr and str(tmp_path / "warehouse.duckdb") in report.stderr
    )
    # it only reads: no empty database file, no pipeline state for a later load to find
    assert not (tmp_path / "warehouse.duckdb").exists() and not (tmp_path / "pipelines").exists()
