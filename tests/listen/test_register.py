"""`listen --register URL` against the Instantly sandbox: the webhook made once, its secret
kept in `.dlt/secrets.toml` (never printed), the world's events delivered to the listener and
stored each once, and `--unregister` removing it."""

from __future__ import annotations

import stat
import time

from tests.instantly.environment import cli_env
from tests.listen.listener import Listener


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
    secrets_file = tmp_path / ".dlt" / "secrets.toml"
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
