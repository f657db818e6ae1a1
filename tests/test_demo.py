"""`make demo` as a new user meets it: piped into `head` it still ends well, and the worlds it
loads end now, not in the future of the person reading them."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb

LATEST = {
    "unify": "select max(updated_at) from unify.enrollments",
    "instantly": "select max(timestamp_created) from instantly.leads",
    "sequenzy": "select max(event_time) from sequenzy.events",
}


def test_the_demo_piped_into_head_exits_0_and_its_worlds_end_now(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("sequence-funnel")
    env = os.environ | {"RUNTIME__DLTHUB_TELEMETRY": "false"}
    shown = subprocess.run(
        ["bash", "-c", f"set -o pipefail; '{script}' demo | head -3"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    ended = datetime.now(UTC)
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    assert len(shown.stdout.splitlines()) == 3

    with duckdb.connect(str(tmp_path / "_demo" / "sequence_funnel.duckdb"), read_only=True) as con:
        latest = {vendor: con.execute(sql).fetchone()[0] for vendor, sql in LATEST.items()}
        tools = con.execute("select count(*) from funnel.funnel_by_vendor").fetchone()[0]
    assert tools == 3  # the rest of the demo ran, its output gone to a closed pipe
    for vendor, at in latest.items():
        assert at is not None and at <= ended, (vendor, at, ended)


READER = """
import duckdb, sys, time
connection = duckdb.connect(sys.argv[1], read_only=True)  # a notebook left open on the demo
print("open", flush=True)
time.sleep(30)
"""


def test_the_demo_refuses_a_held_file_in_one_line_naming_it_and_its_holder(tmp_path: Path) -> None:
    database = tmp_path / "_demo" / "sequence_funnel.duckdb"
    database.parent.mkdir()
    duckdb.connect(str(database)).close()
    reader = subprocess.Popen([sys.executable, "-c", READER, str(database)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert reader.stdout is not None and reader.stdout.readline() == "open\n"
        script = Path(sys.executable).with_name("sequence-funnel")
        env = os.environ | {"RUNTIME__DLTHUB_TELEMETRY": "false"}
        shown = subprocess.run([str(script), "demo"], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=120)  # fmt: skip
    finally:
        reader.kill()
        reader.wait()
    assert shown.returncode == 4, shown.stderr
    (line,) = shown.stderr.strip().splitlines()
    assert line.startswith(f"error: The DuckDB file {database} is open in another process"
                           f" (PID {reader.pid},")  # fmt: skip
    assert "--wait SECONDS" in line and database.is_file()  # nothing deleted under the reader
