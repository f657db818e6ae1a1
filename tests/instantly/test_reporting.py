"""Instantly's reporting views against numbers computed from the sandbox's own records, on
DuckDB and PostgreSQL, and `sequence-funnel report instantly`."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from tests.instantly.environment import cli_env
from tests.instantly.truth import instant
from tests.support.cli import BUILDS_MODELS, run_cli

COUNTS = ("enrolled", "started", "replied", "positive_replies", "bounced", "opted_out",
          "canceled", "finished")  # fmt: skip


def _truth(leads: list[dict]) -> tuple[dict[str, list[int]], dict]:
    """By campaign and by cohort week: a person counts once per campaign (by email; a lead
    without one is a person of its own)."""
    people: dict[tuple, list[dict]] = defaultdict(list)
    for lead in leads:
        if lead["campaign"]:
            person = lead["email"].lower() if lead["email"] else f"instantly-lead:{lead['id']}"
            people[(lead["campaign"], person)].append(lead)
    by_campaign: dict[str, list[int]] = defaultdict(lambda: [0] * 8)
    by_week: dict = defaultdict(lambda: [0] * 8)
    for (campaign, _), rows in people.items():
        facts = (
            1, any(r["timestamp_last_contact"] for r in rows),
            any(r["email_reply_count"] > 0 for r in rows),
            any(r.get("lt_interest_status") in (1, 2, 3, 4) for r in rows),
            any(r["status"] == -1 for r in rows), any(r["status"] == -2 for r in rows),
            any(r["status"] == -3 for r in rows), any(r["status"] == 3 for r in rows),
        )  # fmt: skip
        first = min(instant(r["timestamp_created"]) for r in rows)
        week = (first - timedelta(days=first.weekday())).date()
        for totals in (by_campaign[campaign], by_week[week]):
            for k, fact in enumerate(facts):
                totals[k] += int(bool(fact))
    return dict(by_campaign), dict(by_week)


def test_the_funnel_views_count_what_the_world_holds(instantly, loader, warehouse):
    server = instantly(leads=900)
    load = loader(server.base_url, warehouse)
    load.run()
    gone = set(server.state.delete_leads(25))
    load.run()
    load.build_models()
    leads = [x for x in server.state.leads_now() if x["id"] not in gone]
    by_campaign, by_week = _truth(leads)
    columns = ", ".join(COUNTS)
    rows = warehouse.rows(f"select campaign_id, {columns} from instantly.funnel_by_campaign")
    assert {r[0]: list(r[1:]) for r in rows} == by_campaign
    weeks = warehouse.rows(f"select cohort_week, {columns} from instantly.funnel_by_cohort_week")
    assert {r[0]: list(r[1:]) for r in weeks} == by_week
    outcomes = warehouse.rows("select sum(leads) from instantly.interest_outcomes")
    assert outcomes == [(sum(1 for x in leads if x["campaign"]),)]
    sent = warehouse.rows("select sum(sent) from instantly.funnel_by_account")
    emails = server.state.emails_now()
    assert sent == [(sum(e["ue_type"] == 1 for e in emails),)]
    steps = warehouse.rows("select count(*), count(subject) from instantly.step_variant_funnel")
    assert steps[0][0] > 0 and steps[0][0] == steps[0][1]  # every step row finds its copy


def test_the_report_command_prints_the_funnel_by_campaign(instantly, tmp_path):
    server = instantly(leads=400)
    env = cli_env(server.base_url, tmp_path) | BUILDS_MODELS
    assert run_cli(tmp_path, env, vendor="instantly").returncode == 0
    shown = run_cli(tmp_path, env, command="report", vendor="instantly")
    assert shown.returncode == 0, shown.stderr
    names = {c["name"] for c in server.state.world.campaigns}
    assert sum(name[:20] in shown.stdout for name in names) >= 3
    assert "total (people per campaign)" in shown.stdout and " leads in 5 campaigns" in shown.stdout
