"""The Instantly source against its sandbox: exact tables, cheap nothing-new runs, increments."""

from __future__ import annotations

from sandbox.instantly import WindowLimit
from tests.instantly.loading import instantly_loader
from tests.instantly.truth import assert_matches_truth


def test_a_full_load_equals_the_world_table_by_table(instantly, loader):
    server = instantly(leads=600)
    load = loader(server.base_url)
    summary = load.run()
    assert (
        summary.rows["leads"] == 600 and summary.rows["emails"] == server.state.counts()["emails"]
    )
    assert_matches_truth(load.warehouse, server.state)


def test_a_nothing_new_run_within_the_refresh_intervals_is_one_request(instantly, loader):
    """Leads have no updated-since filter, so they are read in full only every hour (as are
    analytics; the catalog every 15 minutes): a run in between reads the emails, one page."""
    server = instantly(leads=300)
    load = loader(server.base_url)
    defaults = {"catalog_refresh_minutes": 15, "leads_refresh_minutes": 60,
                "analytics_refresh_minutes": 60}  # fmt: skip
    load.run(**defaults)
    again = load.run(**defaults)
    assert again.requests == 1 and again.rows == {}


def test_a_full_last_page_that_names_a_next_one_costs_one_empty_page_and_no_row(instantly, loader):
    """300 leads are three full pages, the third still naming a next one (the vendor's
    documented quirk): the client reads the empty fourth and stops."""
    server = instantly(leads=300)
    load = loader(server.base_url)
    load.run("leads")
    served = server.sandbox.faults.stats
    assert server.state.counts()["leads"] == 300
    assert served["requests"] == 4
    assert load.warehouse.rows("select count(*) from instantly.leads") == [(300,)]


def test_the_client_keeps_within_the_emails_limit_and_a_429_without_retry_after_backs_off(
    instantly, tmp_path
):
    """The emails limit scaled down (4 a second on the server; the client set to 3, a margin
    for the network's jitter): paced, the server never refuses; unpaced, its 429s (without
    Retry-After, as the vendor's) are backed off from and the load is still exact."""
    limited = (WindowLimit(4, 1.0, "/api/v2/emails"),)
    server = instantly(leads=500, rate_limits=limited)
    paced = instantly_loader(tmp_path / "paced", server.base_url).run(
        "emails", emails_requests_per_window=3, emails_window_seconds=1
    )
    assert paced.requests > 12 and paced.retries == 0
    assert server.sandbox.faults.stats["limited"] == 0
    other = instantly(leads=500, rate_limits=limited)
    load = instantly_loader(tmp_path / "pushed", other.base_url)
    pushed = load.run("emails", backoff_initial=0.3, max_attempts=10)
    assert other.sandbox.faults.stats["limited"] > 0 and pushed.retries > 0
    emails = load.warehouse.rows("select count(*) from instantly.emails")
    assert emails == [(other.state.counts()["emails"],)]


def test_the_resources_of_one_load_share_the_workspace_limit(instantly, tmp_path):
    """dlt takes items from the resources in turn, so leads, emails, analytics and the catalog
    are all being read in the same second: the workspace's 100 a second is for all of them.
    Scaled down (10 a second on the server; the client's share 8, a margin for jitter), a full
    load is never refused."""
    server = instantly(leads=600, rate_limits=(WindowLimit(10, 1.0),))
    summary = instantly_loader(tmp_path, server.base_url).run(
        rate_share=0.08, emails_requests_per_window=1_000
    )
    assert summary.requests > 40 and summary.retries == 0
    assert server.sandbox.faults.stats["limited"] == 0


def test_the_loaded_analytics_agree_with_the_loaded_rows(instantly, loader):
    server = instantly(leads=700)
    load = loader(server.base_url)
    load.run()
    mismatches = load.warehouse.rows("""
        with sent as (
            select campaign_id, count(*) filter (where ue_type = 1) as sent,
                   count(*) filter (where ue_type = 2 and not is_auto_reply) as replies
            from instantly.emails where subsequence_id is null group by campaign_id
        ), members as (select campaign, count(*) as leads from instantly.leads group by campaign),
        daily as (select campaign_id, sum(sent) as sent from instantly.campaign_analytics_daily
                  group by campaign_id)
        select a.campaign_id from instantly.campaign_analytics a
        left join sent s on s.campaign_id = a.campaign_id
        left join members m on m.campaign = a.campaign_id
        left join daily d on d.campaign_id = a.campaign_id
        where a.emails_sent_count <> coalesce(s.sent, 0)
           or a.reply_count <> coalesce(s.replies, 0)
           or a.leads_count <> coalesce(m.leads, 0)
           or a.emails_sent_count <> coalesce(d.sent, 0)
    """)
    assert mismatches == []
    assert load.warehouse.rows("select count(*) from instantly.campaign_analytics") == [(5,)]


def test_deleted_leads_campaigns_and_steps_are_recorded(instantly, loader):
    server = instantly(leads=400)
    load = loader(server.base_url)
    load.run()
    gone_leads = server.state.delete_leads(3)
    world = server.state.world
    campaign = world.campaigns[0]
    server.state.delete_campaign(campaign["id"])
    changed = world.campaigns[1]
    dropped = changed["sequences"][0]["steps"].pop()
    load.run()
    deletions = load.warehouse.rows("select id from instantly.lead_deletions")
    assert sorted(r[0] for r in deletions) == sorted(gone_leads)
    flagged = load.warehouse.rows(
        f"select name, is_deleted from instantly.campaigns where id = '{campaign['id']}'"
    )
    assert flagged == [(campaign["name"], True)]
    last = len(changed["sequences"][0]["steps"])
    left = load.warehouse.rows(
        f"select count(*) from instantly.campaign_steps where campaign_id = '{changed['id']}'"
        f" and step = {last}"
    )
    assert dropped and left == [(0,)]


def test_a_chunked_emails_backfill_commits_each_chunk_and_ends_exact(instantly, loader):
    """A chunk of no time at all: a load takes its first page and those the page thread had
    already asked for (its hand-over holds two, one more in flight), and commits them; the
    next load goes on after the last page taken."""
    server = instantly(leads=300)
    load = loader(server.base_url)
    first = load.run("emails", chunked=False, email_chunk_seconds=0)
    assert 100 <= first.rows["emails"] <= 400 and "emails_resume" in load.state("emails")
    asked = server.sandbox.faults.by_path["GET /api/v2/emails"]
    assert first.rows["emails"] == 100 * asked  # no page asked for was thrown away
    rest = load.run("emails", email_chunk_seconds=0)
    assert len(rest.load_ids) > 1 and "emails_resume" not in load.state("emails")
    total = load.warehouse.rows("select count(*), count(distinct id) from instantly.emails")
    assert total == [(server.state.counts()["emails"],) * 2]


def test_a_field_the_api_adds_later_lands_as_a_new_column(instantly, loader, monkeypatch):
    from sandbox.instantly import render

    server = instantly(leads=200)
    load = loader(server.base_url)
    load.run("leads")
    original = render.lead_from
    monkeypatch.setattr(render, "lead_from", lambda world, k, state: {
        **original(world, k, state), "ai_score": 0.5 + k % 3, "tags": ["warm", k % 2],
    })  # fmt: skip
    server.state.advance(3600)
    server.state.touch(200)
    load.run("leads")
    rows = load.warehouse.rows("select count(*) from instantly.leads where ai_score is not null")
    assert rows == [(200,)]
