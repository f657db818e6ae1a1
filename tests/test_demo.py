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
