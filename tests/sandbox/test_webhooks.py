"""The sandboxes' webhooks fail as the vendors' do: a receiver that never answers gets each
delivery retried on the sandbox's clock, then the webhook disabled (Instantly: five deliveries
failed in a row, until `resume`; Sequenzy: failing for 7 days, `autoDisabledAt`)."""

from __future__ import annotations

import time

import httpx

from sandbox.instantly import DEFAULT_API_KEY as INSTANTLY_KEY
from sandbox.sequenzy import DEFAULT_API_KEY as SEQUENZY_KEY
from tests.listen.listener import free_port


def _drain(hooks, state, seconds: float) -> None:
    """Move the clock `seconds` on, an hour at a time, letting what falls due be sent."""
    for _ in range(int(seconds // 3_600)):
        state.advance(3_600)
        deadline = time.monotonic() + 30
        while hooks.dispatcher.pending():
            assert time.monotonic() < deadline
            time.sleep(0.01)


def test_an_instantly_webhook_failing_five_deliveries_in_a_row_is_disabled_until_resumed(
    instantly,
):
    server = instantly(leads=300)
    headers = {"authorization": f"Bearer {INSTANTLY_KEY}"}
    dead = f"http://127.0.0.1:{free_port()}/gone"
    made = httpx.post(server.base_url + "/webhooks", headers=headers,
                      json={"target_hook_url": dead, "event_type": "all_events"}).json()  # fmt: skip
    hooks = server.state.hooks
    _drain(hooks, server.state, 2 * 86_400)
    hook = httpx.get(f"{server.base_url}/webhooks/{made['id']}", headers=headers).json()
    assert hook["status"] == -1 and hook["timestamp_error"]
    log = httpx.get(server.base_url + "/webhook-events", headers=headers,
                    params={"success": "false", "limit": 100}).json()["items"]  # fmt: skip
    assert log and {e["retry_count"] for e in log} == {0, 1, 2, 3}  # each tried 4 times
    spent = {e["retry_group_id"] for e in log if not e["will_retry"]}
    assert len(spent) == 5  # five events' retries spent: then no more deliveries
    attempts = len(hooks.log)
    _drain(hooks, server.state, 86_400)
    assert len(hooks.log) == attempts
    resumed = httpx.post(f"{server.base_url}/webhooks/{made['id']}/resume", headers=headers)
    assert resumed.json()["status"] == 1


def test_a_sequenzy_endpoint_failing_for_seven_days_is_disabled(sequenzy):
    server = sequenzy(enrollments=300)
    headers = {"authorization": f"Bearer {SEQUENZY_KEY}"}
    dead = f"http://127.0.0.1:{free_port()}/gone"
    made = httpx.post(server.base_url + "/webhooks", headers=headers,
                      json={"name": "x", "url": dead, "events": ["email.sent"]}).json()  # fmt: skip
    hooks = server.state.hooks
    _drain(hooks, server.state, 6 * 86_400)
    [endpoint] = httpx.get(server.base_url + "/webhooks", headers=headers).json()["webhooks"]
    assert endpoint["status"] == "enabled" and endpoint["failingSince"]
    _drain(hooks, server.state, 2 * 86_400)
    [endpoint] = httpx.get(server.base_url + "/webhooks", headers=headers).json()["webhooks"]
    assert endpoint["status"] == "disabled" and endpoint["autoDisabledAt"]
    deliveries = httpx.get(f"{server.base_url}/webhooks/{made['webhook']['id']}/deliveries",
                           headers=headers, params={"limit": 100}).json()["deliveries"]  # fmt: skip
    assert deliveries and all(d["status"] in ("pending", "failed") for d in deliveries)
    assert any(d["attempts"] > 1 for d in deliveries)  # retried before it gave up
