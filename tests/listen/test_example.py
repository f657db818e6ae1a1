"""docs/listen.md's worked example, run as written against the Instantly and Sequenzy
sandboxes: `PUBLIC_URL` and `LISTEN__PORT` a loopback URL and port, everything else the page's
commands and query."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx

from tests.instantly.environment import cli_env as instantly_env
from tests.listen.listener import free_port
from tests.sequenzy.environment import cli_env as sequenzy_env
from tests.support.cli import ROOT
from tests.support.warehouses import DuckDBWarehouse


def _example() -> tuple[list[list[str]], str]:
    text = (ROOT / "docs" / "listen.md").read_text()
    block = text.split("## A worked example", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line.split("  #")[0].strip() for line in block.strip().splitlines()]
    assert lines[0].startswith("export PUBLIC_URL=")  # the reader's own URL: the test's here
    commands = []
    for line in lines[1:]:
        words = line.split()
        assert words[0] == ".venv/bin/sequence-funnel"
        commands.append([w.replace('"$PUBLIC_URL"', "{url}") for w in words[1:]])
    query = re.findall(r"```sql\n(.*?)```", text, re.S)[0]
    return commands, query


def test_the_worked_example_receives_both_vendors_events_into_the_warehouse(
    instantly, sequenzy, tmp_path
):
    servers = {"instantly": instantly(leads=300), "sequenzy": sequenzy(enrollments=400)}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**instantly_env(servers["instantly"].base_url, tmp_path),
           **sequenzy_env(servers["sequenzy"].base_url, tmp_path),
           "LISTEN__PORT": str(port), "DLT_DATA_DIR": str(tmp_path / "dlt")}  # fmt: skip
    (register, listen, unregister), query = _example()

    def argv(words: list[str]) -> list[str]:
        return [sys.executable, "-m", "pipelines.cli", *(w.format(url=url) for w in words)]

    made = subprocess.run(argv(register), cwd=tmp_path, env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert "Instantly: registered" in made.stdout and "Sequenzy: registered" in made.stdout
    log = (tmp_path / "listen.log").open("w")
    process = subprocess.Popen(argv(listen), cwd=tmp_path, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "never answered"
            time.sleep(0.05)
        for server in servers.values():
            server.state.advance(86_400)
        deadline = time.monotonic() + 60
        while any(s.state.hooks.dispatcher.pending() for s in servers.values()):
            assert time.monotonic() < deadline, "never delivered"
            time.sleep(0.1)
        time.sleep(3)  # a micro-batch (every 2 s) loads what came in
    finally:
        process.terminate()
        assert process.wait(timeout=60) == 0, (tmp_path / "listen.log").read_text()
    rows = dict(DuckDBWarehouse(tmp_path / "warehouse.duckdb").rows(query))
    sent = {d["eventType"] for d in servers["sequenzy"].state.hooks.deliveries}
    assert set(rows) == sent and sum(rows.values()) == len(
        {d["eventId"] for d in servers["sequenzy"].state.hooks.deliveries}
    )
    gone = subprocess.run(argv(unregister), cwd=tmp_path, env=env, capture_output=True, text=True)
    assert gone.returncode == 0, gone.stderr
    assert not servers["instantly"].state.hooks.webhooks
    assert not servers["sequenzy"].state.hooks.endpoints
