"""Every status a vendor's document defines has a common state in its status map
(dbt/models/staging/<vendor>/<vendor>__status_map.csv), the one place the mapping lives: a
status the vendor adds to its document fails here first."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pipelines import funnel

SANDBOX = Path(__file__).resolve().parents[2] / "sandbox"
STATES = {"active", "paused", "finished", "canceled", "failed", "bounced", "unsubscribed"}


def _schemas(vendor: str) -> dict:
    return json.loads((SANDBOX / vendor / "openapi.json").read_text())["components"]["schemas"]


def documented_statuses() -> set[tuple[str, str]]:
    """Unify: the coarse status with each of the enrollment's stop or hold flags, or none (the
    staging model names the first flag set); Instantly: the lead's status numbers; Sequenzy: the
    enrollment's statuses."""
    unify = _schemas("unify")
    flags = [k[3:] for k in unify["SequenceEnrollment"]["properties"]
             if k.startswith("is_") and k != "is_replied"]  # fmt: skip
    statuses = {("unify", f"{s} {flag}".strip())
                for s in unify["SequenceEnrollmentStatus"]["enum"] for flag in ["", *flags]}  # fmt: skip
    statuses |= {
        ("instantly", str(s)) for s in _schemas("instantly")["Lead"]["properties"]["status"]["enum"]
    }
    # the SDK's enums accept any value besides the documented ones (`anyOf [enum, {}]`)
    status = _schemas("sequenzy")["SequenceEnrollmentListResponseEnrollmentsItem"]["properties"]
    enums = [s["enum"] for s in status["status"]["anyOf"] if "enum" in s]
    statuses |= {("sequenzy", s) for s in enums[0]}
    return statuses


def test_every_documented_status_has_one_common_state():
    rows = []
    for path in funnel.project_dir().rglob("*__status_map.csv"):
        with path.open() as f:
            rows += list(csv.DictReader(f))
    mapped = {(r["vendor"], r["vendor_status"]): r["state"] for r in rows}
    assert len(mapped) == len(rows), "a vendor status is mapped twice"
    assert set(mapped.values()) <= STATES
    documented = documented_statuses()
    assert len(documented) == 3 * 6 + 6 + 6  # as the documents stand
    missing = documented - set(mapped)
    assert not missing, (
        f"no common state for {sorted(missing)}: add them to the vendor's status map"
    )
    assert mapped[("unify", "IN_PROGRESS paused")] == "paused"
    assert mapped[("unify", "FINISHED canceled")] == "canceled"
    assert mapped[("instantly", "-2")] == "unsubscribed"
    assert mapped[("sequenzy", "waiting")] == "active"
    assert mapped[("sequenzy", "paused")] == "paused"
