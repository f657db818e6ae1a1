"""`sequence-funnel listen` as a process of its own, on a free loopback port, and deliveries
signed as each vendor signs them."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson

from sources.instantly.webhooks import SECRET_HEADER
from sources.sequenzy import webhooks as sequenzy_webhooks
from tests.support.cli import clean_env

SEQUENZY_SECRETS = ("whsec_old_2b7f0c", "whsec_new_91ad44")  # a rotation: both active
INSTANTLY_HEADER = "instantly-header-5e1d"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Listener:
    """`env`: the listener's settings, by default both vendors' secrets; it runs in `cwd`
    (its `.dlt/secrets.toml` is the one registration writes)."""

    def __init__(self, tmp_path: Path, env: dict[str, str] | None = None) -> None:
        # a folder of its own: `-m pipelines.cli` there must not find a `pipelines` folder (a
        # load's pipelines dir) before the package
        self.cwd = tmp_path / "listener"
        self.cwd.mkdir(exist_ok=True)
        self.pipelines = tmp_path / "state"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        secrets = {"LISTEN__SEQUENZY__SIGNING_SECRETS": ",".join(SEQUENZY_SECRETS),
                   "LISTEN__INSTANTLY__SECRET": INSTANTLY_HEADER}  # fmt: skip
        self.env = clean_env() | (secrets if env is None else env)
        self.process: subprocess.Popen | None = None
        self.log = tmp_path / "listen.log"
        self.database = tmp_path / "warehouse.duckdb"
        self.env["DESTINATION__DUCKDB__CREDENTIALS"] = str(self.database)

    def start(self, *args: str) -> None:
        argv = [sys.executable, "-m", "pipelines.cli", "listen", "--port", str(self.port),
                "--pipelines-dir", str(self.pipelines), *args]  # fmt: skip
        with self.log.open("a") as log:
            self.process = subprocess.Popen(argv, cwd=self.cwd, env=self.env, stdout=log,
                                            stderr=log)  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the listener never answered"
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout=30)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """`sequence-funnel listen <args>` to its end, where the listener runs."""
        argv = [sys.executable, "-m", "pipelines.cli", "listen", *args]
        return subprocess.run(argv, cwd=self.cwd, env=self.env, capture_output=True, text=True,
                              timeout=120)  # fmt: skip

    def unloaded(self) -> int:
        """Events stored but not yet loaded into the warehouse."""
        db = sqlite3.connect(self.pipelines / "listen" / "intake.sqlite")
        try:
            return int(db.execute("select count(*) from events where loaded = 0").fetchone()[0])
        finally:
            db.close()

    def stored(self, vendor: str) -> list[str]:
        """The event keys the intake holds for `vendor`, one row each."""
        db = sqlite3.connect(self.pipelines / "listen" / "intake.sqlite")
        try:
            rows = db.execute("select event_key from events where vendor = ?", (vendor,))
            return [key for (key,) in rows]
        finally:
            db.close()


@contextmanager
def listening(tmp_path: Path) -> Iterator[Listener]:
    listener = Listener(tmp_path)
    listener.start()
    try:
        yield listener
    finally:
        listener.stop()


def sequenzy_delivery(event: dict, secrets: tuple[str, ...] = SEQUENZY_SECRETS,
                      at: float | None = None) -> tuple[bytes, dict[str, str]]:  # fmt: skip
    """A body and the headers Sequenzy sends it with: signed once per active secret."""
    body = orjson.dumps(event)
    timestamp = str(int(time.time() if at is None else at))
    signature = " ".join(sequenzy_webhooks.signature(s, timestamp, body) for s in secrets)
    return body, {"content-type": "application/json", "x-sequenzy-timestamp": timestamp,
                  "x-sequenzy-signature": signature}  # fmt: skip


def instantly_delivery(event: dict, secret: str = INSTANTLY_HEADER) -> tuple[bytes, dict]:
    return orjson.dumps(event), {"content-type": "application/json", SECRET_HEADER: secret}
