"""`listen --register URL` against the Instantly and Sequenzy sandboxes: the webhook made once,
its secret kept in `.dlt/secrets.toml` (never printed), the world's events delivered to the
listener and stored each once, and `--unregister` removing it."""

from __future__ import annotations

import stat
import time

from tests.instantly.environment import cli_env
from tests.listen.listener import Listener
from tests.sequenzy.environment import cli_env as sequenzy_env


def test_registered_webhooks_deliver_the_world_s_events_each_stored_once(instantly, tmp_path):
    server = instantly(leads=300)
    hooks = server.state.hooks
    env = {k: v for k, v in cli_env(server.base_url, tmp_path).items()
           if k.startswith("SOURCES__INSTANTLY__")}  # fmt: skip
    listener = Listener(tmp_path, env)
    made = listener.run("--register", listener.url)
    assert made.returncode == 0, made.stderr
    target = f"{listener.url}/webhooks/instantly"
    assert f"Instantly: registered {target}" in made.stdout
    assert "Sequenzy: not registered" in made.stdout  # no key for it
    secrets_file = listener.cwd / ".dlt" / "secrets.toml"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    [hook] = hooks.webhooks
    secret = hook["headers"]["x-sequence-funnel-secret"]
    assert f'secret = "{secret}"' in secrets_file.read_text()
    assert secret not in made.stdout + made.stderr
    again = listener.run("--register", listener.url)
    assert again.returncode == 0 and "Instantly: already registered" in again.stdout
    assert len(hooks.webhooks) == 1

    listener.start()  # its secret from .dlt/secrets.toml
    try:
        server.state.advance(2 * 86_400)
        deadline = time.monotonic() + 60
        while hooks.dispatcher.pending():
            assert time.monotonic() < deadline, "never delivered"
            time.sleep(0.1)
        delivered = [e for e in hooks.log if e["success"]]
        assert delivered and len(delivered) == len(hooks.log)
        stored = listener.stored("instantly")
        assert len(stored) == len(set(stored)) == len(delivered)
    finally:
        listener.stop()
    gone = listener.run("--unregister", listener.url)
    assert gone.returncode == 0 and "Instantly: removed 1 webhook(s)" in gone.stdout
    assert hooks.webhooks == []


def test_sequenzy_s_signing_secret_is_kept_once_shown_and_its_signed_deliveries_stored_once(
    sequenzy, tmp_path
):
    server = sequenzy(enrollments=500, duplicate_webhooks=0.2)
    hooks = server.state.hooks
    env = {k: v for k, v in sequenzy_env(server.base_url, tmp_path).items()
           if k.startswith("SOURCES__SEQUENZY__")}  # fmt: skip
    listener = Listener(tmp_path, env)
    made = listener.run("--register", listener.url)
    assert made.returncode == 0 and "Sequenzy: registered" in made.stdout, made.stderr
    [endpoint] = hooks.endpoints
    [secret] = [k["secret"] for k in hooks.keys[endpoint["id"]]]
    assert secret in (listener.cwd / ".dlt" / "secrets.toml").read_text()
    assert secret not in made.stdout + made.stderr
    assert "email.replied" in endpoint["events"]
    assert "Sequenzy: already registered" in listener.run("--register", listener.url).stdout

    listener.start()
    try:
        server.state.advance(86_400)
        deadline = time.monotonic() + 60
        # a duplicate sent in the same second as its twin carries the same signature: refused
        # as a replay (409), it is retried later, signed anew, and acknowledged as a duplicate
        while hooks.dispatcher.pending() or any(d["status"] != "succeeded"
                                                for d in hooks.deliveries):  # fmt: skip
            assert time.monotonic() < deadline, "never delivered"
            time.sleep(0.1)
            if not hooks.dispatcher.pending():
                server.state.advance(600)  # the retries fall due
        assert {d["lastStatusCode"] for d in hooks.deliveries} == {200}
        events = {d["eventId"] for d in hooks.deliveries}
        assert len(hooks.deliveries) > len(events)  # some delivered twice
        assert sorted(listener.stored("sequenzy")) == sorted(events)  # each once
    finally:
        listener.stop()
    assert listener.run("--unregister", listener.url).returncode == 0
    assert hooks.endpoints == []
