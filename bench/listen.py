"""`python -m bench.listen`: the listener (`sequence-funnel listen`, issue #34) under 500 signed
Sequenzy deliveries a second for 30 s on loopback (sandbox.common.burst), loading into DuckDB
every second as it does by default. While it runs, a reader takes its turn on the DuckDB file
every half second (as any run of ours does) and notes when each event became visible to a
query. Reports the rate reached, and the time from a delivery's first attempt to the row a
query sees: p50, p95 (goal: under 5 s) and the worst. Writes bench/LISTEN.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import orjson

from bench.harness import PY, ROOT, machine
from pipelines.turns import duckdb_turn
from sandbox.common.burst import deliver
from sandbox.sequenzy.webhooks import sign

RESULTS = ROOT / "bench" / "LISTEN.md"
RATE, SECONDS = 500, 30
SECRET = "whsec_bench_5f2c"
GOAL_P95 = 5.0


def _made(n: int) -> tuple[str, bytes, dict[str, str]]:
    event = {"id": f"evt_{n:06d}", "type": "email.replied", "createdAt": "2026-12-07T10:00:00Z",
             "data": {"subscriberId": f"sub_{n}", "email": f"p{n}@example.com"}}  # fmt: skip
    body, stamp = orjson.dumps(event), str(int(time.time()))
    headers = {"content-type": "application/json", "x-sequenzy-timestamp": stamp,
               "x-sequenzy-signature": sign(SECRET, stamp, body)}  # fmt: skip
    return "/webhooks/sequenzy", body, headers


def _watch(database: str, seen: dict[str, float], stop: threading.Event) -> None:
    """When each event first shows in `sequenzy.webhook_events`, by the monotonic clock."""
    while not stop.wait(0.5):
        if not Path(database).is_file():
            continue
        try:
            with duckdb_turn(database, wait=30, read_only=True):
                db = duckdb.connect(database, read_only=True)
                try:
                    keys = db.execute("select event_key from sequenzy.webhook_events").fetchall()
                finally:
                    db.close()
        except duckdb.Error:
            continue  # no table yet
        now = time.monotonic()
        for (key,) in keys:
            seen.setdefault(key, now)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-listen-") as scratch:
        work = Path(scratch)
        database = str(work / "warehouse.duckdb")
        port = 18000 + os.getpid() % 1000
        env = os.environ | {"LISTEN__SEQUENZY__SIGNING_SECRETS": SECRET, "LISTEN__PORT": str(port),
                            "DESTINATION__DUCKDB__CREDENTIALS": database,
                            "RUNTIME__DLTHUB_TELEMETRY": "false",
                            # the steady state: no models' build at the first batch
                            "FUNNEL__BUILD": "false"}  # fmt: skip
        argv = [PY, "-m", "pipelines.cli", "listen", "--pipelines-dir", str(work / "state")]
        process = subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        seen: dict[str, float] = {}
        stop = threading.Event()
        watcher = threading.Thread(target=_watch, args=(database, seen, stop), daemon=True)
        try:
            time.sleep(3)  # it starts
            watcher.start()
            total = RATE * SECONDS
            sent = asyncio.run(deliver(port, _made, list(range(total)), RATE))
            deadline = time.monotonic() + 60
            while len(seen) < total and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            stop.set()
            process.terminate()
            process.wait(timeout=60)
        waits = [seen[f"evt_{n:06d}"] - sent.first_sent[n] for n in range(total)
                 if f"evt_{n:06d}" in seen]  # fmt: skip
        return {"deliveries": total, "seconds": sent.seconds, "rate": total / sent.seconds,
                "visible": len(waits), "p50": _percentile(waits, 0.5),
                "p95": _percentile(waits, 0.95), "worst": max(waits)}  # fmt: skip


def render(r: dict[str, float]) -> str:
    met = "met" if r["p95"] < GOAL_P95 and r["visible"] == r["deliveries"] else "not met"
    return "\n".join([
        "# The listener under load", "",
        f"Measured by `python -m bench.listen` on {machine()}.", "",
        f"{r['deliveries']:,.0f} signed Sequenzy deliveries offered at {RATE} a second on "
        f"loopback: sent in {r['seconds']:.1f} s ({r['rate']:.0f} a second), each stored "
        "before it was acknowledged, loaded into DuckDB every second.", "",
        "| from a delivery to a row a query sees | seconds |", "| --- | --- |",
        f"| p50 | {r['p50']:.2f} |", f"| p95 (goal: under {GOAL_P95:.0f} s) | {r['p95']:.2f} |",
        f"| worst | {r['worst']:.2f} |", "",
        f"Goal {met}: {r['visible']:,.0f} of {r['deliveries']:,.0f} events visible.", "",
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.listen", description=__doc__)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    text = render(run())
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
