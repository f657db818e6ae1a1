"""Instantly's reporting views against numbers computed from the sandbox's own records, on
DuckDB and PostgreSQL, and `sequence-funnel report instantly`."""

from __future__ import annotations

from tests.funnel import truth
from tests.instantly.environment import cli_env
from tests.support.cli import loaded_then_reported


def test_the_funnel_views_count_what_the_world_holds(instantly, loader, warehouse):
    """By campaign and by cohort week, as the marts count (tests/funnel/truth): a person once
    per campaign (by email; a lead without one is a person of its own), deleted leads left out."""
    server = instantly(leads=900)
    load = loader(server.base_url, warehouse)
    load.run()
    server.state.delete_leads(25)
    load.run()
    load.build_models()
    enrollments, _ = truth.instantly(server.state)  # the leads the API still holds
    pairs = truth.person_sequences(enrollments)
    for view, group, key in (
        ("funnel_by_campaign", "campaign_id", lambda r: r.sequence.removeprefix("instantly:")),
        ("funnel_by_cohort_week", "cohort_week", lambda r: truth.week(r.first_enrolled_at)),
    ):
        rows = warehouse.rows(f"select {group}, {truth.MEASURES} from instantly.{view}")
        expected = {g: truth.measures(rs) for g, rs in truth.grouped(pairs, key).items()}
        truth.assert_same({r[0]: r[1:] for r in rows}, expected, view)
    leads = server.state.leads_now()
    outcomes = warehouse.rows("select sum(leads) from instantly.interest_outcomes")
    assert outcomes == [(sum(1 for x in leads if x["campaign"]),)]
    sent = warehouse.rows("select sum(sent) from instantly.funnel_by_account")
    emails = server.state.emails_now()
    assert sent == [(sum(e["ue_type"] == 1 for e in emails),)]
    steps = warehouse.rows("select count(*), count(subject) from instantly.step_variant_funnel")
    assert steps[0][0] > 0 and steps[0][0] == steps[0][1]  # every step row finds its copy


def test_the_report_command_prints_the_funnel_by_campaign(instantly, tmp_path):
    server = instantly(leads=400)
    shown = loaded_then_reported(tmp_path, cli_env(server.base_url, tmp_path), "instantly")
    names = {c["name"] for c in server.state.world.campaigns}
    assert sum(name[:20] in shown for name in names) >= 3
    assert "total (people per campaign)" in shown and " leads in 5 campaigns" in shown
