"""Gaps healed from the vendors' delivery logs: the listener killed, the world's events failing
to reach it meanwhile, then started again with `--public-url`: what failed is stored from
Instantly's log and replayed by Sequenzy, each event once, and the vendors' own retries after
that store nothing twice."""

from __future__ import annotations

import time
from collections.abc import Callable

from sources.instantly.webhooks import key as instantly_key
from tests.instantly.environment import cli_env as instantly_env
from tests.listen.listener import Listener
from tests.sequenzy.environment import cli_env as sequenzy_env


def _until(done: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _down_then_healed(listener: Listener, state, hooks, expected: Callable[[], set[str]],
                      vendor: str) -> None:  # fmt: skip
    listener.start("--public-url", listener.url)
    listener.kill()  # down: what the world does now fails to reach it
    state.advance(86_400)
    _until(lambda: not hooks.dispatcher.pending(), "the deliveries never ended")
    assert expected() and not set(listener.stored(vendor)) & expected()
    listener.start("--public-url", listener.url)  # heals on start
    try:
        _until(lambda: set(listener.stored(vendor)) == expected(), "never healed")
        state.advance(3 * 3_600)  # the vendor's own retries come, and succeed
        _until(lambda: not hooks.dispatcher.pending(), "the retries never ended")
        stored = listener.stored(vendor)
        assert len(stored) == len(set(stored)) and set(stored) == expected()
    finally:
        listener.stop()
    assert "failed deliveries healed from its log" in listener.log.read_text()


def test_instantly_s_failed_deliveries_are_stored_from_its_log(instantly, tmp_path):
    server = instantly(leads=300)
    env = {k: v for k, v in instantly_env(server.base_url, tmp_path).items()
           if k.startswith("SOURCES__INSTANTLY__")}  # fmt: skip
    listener = Listener(tmp_path, env)
    assert listener.run("--register", listener.url).returncode == 0
    hooks = server.state.hooks

    def expected() -> set[str]:
        return {instantly_key(e["payload"], b"")[0] for e in hooks.log}

    _down_then_healed(listener, server.state, hooks, expected, "instantly")


def test_sequenzy_s_failed_deliveries_are_replayed_to_the_listener(sequenzy, tmp_path):
    server = sequenzy(enrollments=400)
    env = {k: v for k, v in sequenzy_env(server.base_url, tmp_path).items()
           if k.startswith("SOURCES__SEQUENZY__")}  # fmt: skip
    listener = Listener(tmp_path, env)
    assert listener.run("--register", listener.url).returncode == 0
    hooks = server.state.hooks

    def expected() -> set[str]:
        return {d["eventId"] for d in hooks.deliveries}

    _down_then_healed(listener, server.state, hooks, expected, "sequenzy")
