"""What the listener hears shows in the funnel before the next load: the models are built over
`webhook_events` after its first batch, and being views they show each event as it lands.
Sequenzy's replies (its event stream has none) and Instantly's replies after a lead's last
polled change make the enrollments replied; a polled row is never taken back."""

from __future__ import annotations

import json
import time

from tests.instantly.environment import cli_env as instantly_env
from tests.listen.listener import Listener
from tests.sequenzy.environment import cli_env as sequenzy_env
from tests.support.cli import BUILDS_MODELS, run_cli
from tests.support.warehouses import DuckDBWarehouse


def test_replies_heard_by_webhook_show_in_the_funnel_before_the_next_load(
    instantly, sequenzy, tmp_path
):
    servers = {"instantly": instantly(leads=1000), "sequenzy": sequenzy(enrollments=600)}
    env = {**instantly_env(servers["instantly"].base_url, tmp_path),
           **sequenzy_env(servers["sequenzy"].base_url, tmp_path), **BUILDS_MODELS}  # fmt: skip
    for vendor in servers:
        assert run_cli(tmp_path, env, vendor=vendor).returncode == 0
    warehouse = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    polled = dict(warehouse.rows(
        "select vendor_enrollment_id, replied from funnel.enrollments"
        " where vendor in ('instantly', 'sequenzy')"
    ))  # fmt: skip
    listener = Listener(tmp_path, {k: v for k, v in env.items()
                                   if k.startswith(("SOURCES__", "DESTINATION__", "FUNNEL__"))})  # fmt: skip
    assert listener.run("--register", listener.url).returncode == 0
    listener.start()
    try:
        for server in servers.values():
            server.state.advance(2 * 86_400)
        deadline = time.monotonic() + 120
        while any(s.state.hooks.dispatcher.pending() for s in servers.values()) \
                or listener.unloaded() \
                or listener.log.read_text().count("the funnel's models read") < 2:  # fmt: skip
            assert time.monotonic() < deadline, listener.log.read_text()
            time.sleep(0.2)
    finally:
        listener.stop()

    heard = warehouse.rows(
        "select e.sequence_id, e.subscriber_id, f.replied from funnel.enrollments f"
        " join sequenzy.enrollments e on e.id = f.vendor_enrollment_id where f.vendor = 'sequenzy'"
    )
    replied = {(d["data"]["sequenceId"], d["data"]["subscriberId"])
               for d in (json.loads(b) for b in servers["sequenzy"].state.hooks.bodies.values())
               if d["type"] == "email.replied"}  # fmt: skip
    loaded = {(s, p) for s, p, _ in heard}
    assert replied & loaded, "some replies came to loaded enrollments"
    assert {(s, p) for s, p, r in heard if r} >= replied & loaded

    leads = warehouse.rows(
        "select l.campaign, lower(l.email), f.replied from funnel.enrollments f"
        " join instantly.leads l on l.id = f.vendor_enrollment_id where f.vendor = 'instantly'"
    )
    answered = {(e["payload"]["campaign_id"], e["payload"]["lead_email"].lower())
                for e in servers["instantly"].state.hooks.log
                if e["payload"]["event_type"] == "reply_received"}  # fmt: skip
    assert answered & {(c, m) for c, m, _ in leads}
    assert {(c, m) for c, m, r in leads if r} >= answered & {(c, m) for c, m, _ in leads}

    now = dict(warehouse.rows(
        "select vendor_enrollment_id, replied from funnel.enrollments"
        " where vendor in ('instantly', 'sequenzy')"
    ))  # fmt: skip
    assert all(now[k] for k, was in polled.items() if was)  # nothing polled is taken back
