"""`sequence-funnel act instantly ...` against the sandbox: subsequences and campaigns paused
and resumed, leads moved into a subsequence and out, each once; plans send nothing."""

from __future__ import annotations

import signal
import subprocess
from collections import Counter

from sandbox.instantly import FaultConfig
from tests.instantly.environment import cli_env
from tests.support.cli import ROOT, cli, kill_when, run_cli
from tests.support.warehouses import DuckDBWarehouse


def _posts(server) -> Counter:
    """Writes the sandbox served (the leads listing is a read made as a POST)."""
    return Counter({k: v for k, v in server.sandbox.faults.by_path.items()
                    if k.startswith("POST ") and not k.endswith("/leads/list")})  # fmt: skip


def _act(tmp_path, env, action, select, *args):
    return run_cli(tmp_path, env, action, "--select", select, *args, command="act",
                   vendor="instantly")  # fmt: skip


def _scheduled(env):
    """From here on, a schedule's refresh intervals (15 minutes for the catalog, 60 for the
    leads): the load after an apply reads what it changed anyway."""
    return {k: v for k, v in env.items()
            if not k.endswith(("CATALOG_REFRESH_MINUTES", "LEADS_REFRESH_MINUTES"))}  # fmt: skip


def _loaded(instantly, tmp_path):
    server = instantly(leads=400, campaigns=12)  # some of them active
    env = cli_env(server.base_url, tmp_path)
    assert run_cli(tmp_path, env, vendor="instantly").returncode == 0
    return server, env, DuckDBWarehouse(tmp_path / "warehouse.duckdb")


def test_subsequences_and_campaigns_are_paused_and_resumed_once(instantly, tmp_path):
    server, env, warehouse = _loaded(instantly, tmp_path)
    env = _scheduled(env)
    active = "select id from instantly.subsequences where status = 1 order by id limit 2"
    chosen = [r[0] for r in warehouse.rows(active)]
    assert len(chosen) == 2
    planned = _act(tmp_path, env, "pause-subsequence", active)
    assert planned.returncode == 0 and _posts(server) == Counter()
    paused = _act(tmp_path, env, "pause-subsequence", active, "--apply")
    assert paused.returncode == 0 and "applied: 2 done, 0 skipped" in paused.stdout, paused.stderr
    status = {s["id"]: s["status"] for s in server.state.world.subsequences}
    assert [status[i] for i in chosen] == [2, 2]
    shown = warehouse.rows(f"select status from instantly.subsequences"
                           f" where id in ({', '.join(repr(i) for i in chosen)})")  # fmt: skip
    assert shown == [(2,), (2,)]  # the refresh after the apply
    picked = (
        f"select id from instantly.subsequences where id in ({', '.join(repr(i) for i in chosen)})"
    )
    again = _act(tmp_path, env, "pause-subsequence", picked, "--apply")
    assert again.returncode == 0 and "applied: 0 done, 2 skipped" in again.stdout
    resumed = _act(tmp_path, env, "resume-subsequence", picked, "--apply", "--no-refresh")
    assert resumed.returncode == 0 and "applied: 2 done" in resumed.stdout
    campaign = "select id from instantly.campaigns where status = 1 order by id limit 1"
    (campaign_id,) = warehouse.rows(campaign)[0]  # an active campaign
    held = _act(tmp_path, env, "pause-campaign", campaign, "--apply", "--no-refresh")
    assert held.returncode == 0 and "applied: 1 done" in held.stdout
    expected = Counter({f"POST /api/v2/subsequences/{i}/{verb}": 1 for i in chosen
                        for verb in ("pause", "resume")})  # fmt: skip
    expected[f"POST /api/v2/campaigns/{campaign_id}/pause"] = 1
    assert _posts(server) == expected


def test_leads_are_moved_into_a_subsequence_and_out_once(instantly, tmp_path):
    server, env, warehouse = _loaded(instantly, tmp_path)
    select = ("select l.id, min(s.id) as subsequence_id from instantly.leads l"
              " join instantly.subsequences s on s.parent_campaign = l.campaign"
              " where l.subsequence_id is null group by l.id order by l.id limit 3")  # fmt: skip
    rows = warehouse.rows(select)
    assert len({r[0] for r in rows}) == 3
    moved = _act(tmp_path, _scheduled(env), "move-lead", select, "--apply")
    assert moved.returncode == 0 and "applied: 3 done" in moved.stdout, moved.stderr
    leads = ", ".join(repr(r[0]) for r in rows)
    those = f"select id, subsequence_id from instantly.leads where id in ({leads}) order by id"
    assert warehouse.rows(those) == rows  # the refresh after the apply read the leads
    again = _act(tmp_path, env, "move-lead", those, "--apply", "--no-refresh")
    assert again.returncode == 0 and "applied: 0 done, 3 skipped" in again.stdout
    out = _act(tmp_path, env, "remove-lead", f"select id from instantly.leads where id in ({leads})",
               "--apply")  # fmt: skip
    assert out.returncode == 0 and "applied: 3 done" in out.stdout, out.stderr
    assert _posts(server) == Counter({"POST /api/v2/leads/subsequence/move": 3,
                                      "POST /api/v2/leads/subsequence/remove": 3})  # fmt: skip


def _move_select(warehouse, count: int) -> tuple[str, list[tuple]]:
    select = ("select l.id, min(s.id) as subsequence_id from instantly.leads l"
              " join instantly.subsequences s on s.parent_campaign = l.campaign"
              f" where l.subsequence_id is null group by l.id order by l.id limit {count}")  # fmt: skip
    return select, warehouse.rows(select)


def _in_subsequence(server) -> dict[str, str | None]:
    return {lead["id"]: lead.get("subsequence_id") for lead in server.state.leads_now()}


def test_a_kill_while_moving_leads_then_a_rerun_moves_each_once(instantly, tmp_path):
    server, env, warehouse = _loaded(instantly, tmp_path)
    select, rows = _move_select(warehouse, 30)
    server.sandbox.faults.configure(FaultConfig(latency_ms=60))
    argv = cli(tmp_path, "move-lead", "--select", select, "--apply", "--no-refresh", "--max", "50",
               command="act", vendor="instantly")  # fmt: skip
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip

    def some_moved() -> bool:  # and the rest to come
        return _posts(server)["POST /api/v2/leads/subsequence/move"] >= 5

    assert kill_when(process, some_moved) == -signal.SIGKILL
    again = _act(tmp_path, env, "move-lead", select, "--apply", "--no-refresh", "--max", "50")
    assert again.returncode == 0, again.stderr
    where = _in_subsequence(server)
    assert {lead: where[lead] for lead, _ in rows} == dict(rows)
    moves = _posts(server)["POST /api/v2/leads/subsequence/move"]
    assert len(rows) <= moves <= len(rows) + 1  # the one a kill cuts off may be sent again


def test_under_faults_leads_are_moved_and_subsequences_paused_all_the_same(instantly, tmp_path):
    server, env, warehouse = _loaded(instantly, tmp_path)
    select, rows = _move_select(warehouse, 10)
    active = "select id from instantly.subsequences where status = 1 order by id limit 3"
    chosen = [r[0] for r in warehouse.rows(active)]
    server.sandbox.faults.configure(FaultConfig(server_error=0.08, drop=0.05, truncate=0.05,
                                                bad_json=0.04, seed=9))  # fmt: skip
    moved = _act(tmp_path, env, "move-lead", select, "--apply", "--no-refresh")
    paused = _act(tmp_path, env, "pause-subsequence", active, "--apply", "--no-refresh")
    assert moved.returncode == 0 and paused.returncode == 0, moved.stderr + paused.stderr
    where = _in_subsequence(server)
    assert {lead: where[lead] for lead, _ in rows} == dict(rows)
    status = {s["id"]: s["status"] for s in server.state.world.subsequences}
    assert [status[i] for i in chosen] == [2] * len(chosen)


def test_emails_are_blocked_once_though_answers_are_lost_and_nothing_more_is_sent_to_them(
    instantly, tmp_path
):
    server, env, warehouse = _loaded(instantly, tmp_path)
    select = ("select distinct lower(email) as email from instantly.leads"
              " where status = 1 and email is not null order by 1 limit 6")  # fmt: skip
    emails = [r[0] for r in warehouse.rows(select)]
    assert len(emails) == 6
    server.sandbox.faults.configure(FaultConfig(writes_only=True, truncate=0.3, bad_json=0.2,
                                                drop=0.2, seed=3))  # fmt: skip
    blocked = _act(tmp_path, env, "block-email", select, "--apply")
    assert blocked.returncode == 0 and "applied: 6 done" in blocked.stdout, blocked.stderr
    stats = server.sandbox.faults.stats
    assert stats["truncate"] + stats["bad_json"] > 0  # a block made whose answer was lost
    server.sandbox.faults.configure(FaultConfig())
    world = server.state.world
    assert Counter(e["bl_value"] for e in world.blocklist.entries) == Counter(emails)  # once each
    loaded = warehouse.rows("select bl_value from instantly.block_list_entries order by 1")
    assert [r[0] for r in loaded] == emails  # the refresh after the apply

    before = {m["id"] for m in server.state.emails_now()}
    server.state.advance(30 * 86_400)
    new = [m for m in server.state.emails_now() if m["id"] not in before]
    assert new and not [m for m in new if m["ue_type"] in (1, 3) and m["lead"] in emails]

    chosen = ("select distinct lower(email) as email from instantly.leads"
              f" where lower(email) in ({', '.join(repr(e) for e in emails)})")  # fmt: skip
    freed = f"select email from ({chosen}) s order by email limit 2"
    unblocked = _act(tmp_path, env, "unblock-email", freed, "--apply")
    assert unblocked.returncode == 0 and "applied: 2 done" in unblocked.stdout, unblocked.stderr
    assert sorted(e["bl_value"] for e in world.blocklist.entries) == emails[2:]
    loaded = warehouse.rows("select bl_value from instantly.block_list_entries order by 1")
    assert [r[0] for r in loaded] == emails[2:]  # an entry gone is deleted from the table
    again = _act(tmp_path, env, "block-email", chosen, "--apply", "--no-refresh")
    assert again.returncode == 0 and "applied: 2 done, 4 skipped" in again.stdout
