"""`make bench`: the connector against the ceiling and against dlt's defaults, in one run.

Each scenario is a fresh child process (wall time and peak RSS from wait4), against one sandbox
process on loopback (requests counted by the sandbox). Results go to bench/results/latest.json
and bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import httpx

ROOT = Path(__file__).resolve().parents[1]
KEY = "unify-sandbox-key"
PY = sys.executable


@dataclass
class Result:
    scenario: str
    label: str
    rows: int
    seconds: float
    peak_rss_mb: float
    requests: int
    rows_per_s: float = 0.0
    ratio: float | None = None


class Sandbox:
    def __init__(self, enrollments: int) -> None:
        command = [PY, "-m", "sandbox", "unify", "--port", "0", "--enrollments", str(enrollments),
                   "--no-rate-limit", "--frozen-clock", "--seed", "42"]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if match := re.search(r"base URL: (http://127\.0\.0\.1:\d+)(/sequences/v1)", line):
                self.server, self.base_url = match.group(1), match.group(1) + match.group(2)
                break
        time.sleep(0.5)

    def requests(self) -> int:
        return httpx.get(self.server + "/_sandbox/stats").json()["requests"].get("requests", 0)

    def faults(self, **config: float) -> None:
        httpx.put(self.server + "/_sandbox/faults", json=config).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def measure(
    sandbox: Sandbox, command: list[str], env: dict[str, str]
) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS (MB), requests made, and stdout of one child process."""
    before = sandbox.requests()
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{text[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, sandbox.requests() - before, text


def table_rows(database: Path, dataset: str) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.sql(f"select count(*) from {dataset}.enrollments").fetchall()[0][0]


def run_all(enrollments: int, work: Path, skip: set[str]) -> list[Result]:
    sandbox = Sandbox(enrollments)
    base_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "DESTINATION__"))
    }
    base_env |= {"RUNTIME__DLTHUB_TELEMETRY": "false", "SOURCES__UNIFY__API_KEY": KEY,
                 "SOURCES__UNIFY__BASE_URL": sandbox.base_url,
                 # the list endpoint, unless a scenario asks for the Bulk API
                 "SOURCES__UNIFY__BACKFILL": "list", "SOURCES__UNIFY__ENROLLMENT_STEPS": "false",
                 "SOURCES__UNIFY__QUERY_JOB_POLL_SECONDS": "0.2"}  # fmt: skip
    results: list[Result] = []

    def ours(name: str, label: str, fresh: bool = True, **env: str) -> Result:
        folder = work / name.rstrip("0123456789")
        if fresh:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        database = folder / "warehouse.duckdb"
        child_env = base_env | {"DESTINATION__DUCKDB__CREDENTIALS": str(database)} | env
        command = [
            PY,
            "-m",
            "pipelines.unify_pipeline",
            "--quiet",
            "--pipelines-dir",
            str(folder / "p"),
        ]
        seconds, rss, requests, text = measure(sandbox, command, child_env)
        loaded = re.search(r"enrollments\s+([\d,]+)", text)
        rows = int(loaded.group(1).replace(",", "")) if loaded else 0
        return Result(name, label, rows, seconds, rss, requests)

    try:
        if "a" not in skip:
            seconds, rss, requests, text = measure(
                sandbox, [PY, "-m", "bench.raw_fetch", sandbox.base_url, KEY], base_env
            )
            rows = int(re.search(r"ROWS=(\d+)", text).group(1))
            results.append(
                Result("a", "ceiling: raw fetch + JSON parse", rows, seconds, rss, requests)
            )
        if "b" not in skip:
            results.append(ours("b", "backfill, all tables (this project)"))
        if "d" not in skip:
            results.append(ours("b2", "nothing-new incremental run", fresh=False))
            results[-1].scenario = "d"
        if "c" not in skip:
            folder = work / "c"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            command = [PY, "-m", "bench.rest_api_baseline", sandbox.base_url, KEY,
                       str(folder / "rest.duckdb"), str(folder / "p")]  # fmt: skip
            seconds, rss, requests, text = measure(sandbox, command, base_env)
            rows = table_rows(folder / "rest.duckdb", "rest_api")
            results.append(
                Result("c", "dlt rest_api source, defaults", rows, seconds, rss, requests)
            )
        if "f" not in skip:
            results.append(ours("f", "backfill through a Bulk API query job (NDJSON pages)",
                                SOURCES__UNIFY__BACKFILL="bulk"))  # fmt: skip
            results.append(ours("f1", "bulk backfill + enrollment steps (the CLI's default)",
                                SOURCES__UNIFY__BACKFILL="bulk",
                                SOURCES__UNIFY__ENROLLMENT_STEPS="true"))  # fmt: skip
        if "e" not in skip:
            sandbox.faults(latency_ms=100)
            results.append(ours("e", "backfill, +100 ms a page (16 concurrent windows)"))
            results.append(ours("e1", "backfill, +100 ms a page, one cursor",
                                SOURCES__UNIFY__CONCURRENCY="1"))  # fmt: skip
            if "f" not in skip:
                results.append(ours("e2", "bulk backfill, +100 ms a request",
                                    SOURCES__UNIFY__BACKFILL="bulk"))  # fmt: skip
            sandbox.faults(latency_ms=0)
    finally:
        sandbox.stop()
    ceiling = next((r for r in results if r.scenario == "a"), None)
    for r in results:
        r.rows_per_s = r.rows / r.seconds if r.seconds else 0.0
        if ceiling and ceiling.rows_per_s and r.scenario != "d":
            r.ratio = r.rows_per_s / ceiling.rows_per_s
    return results


def targets(results: list[Result], extra: list[Result]) -> list[tuple[str, str, bool | None]]:
    by = {r.scenario: r for r in results}
    out: list[tuple[str, str, bool | None]] = []
    if "b" in by and by["b"].ratio is not None:
        out.append(("P1 backfill >= 0.5 x ceiling", f"{by['b'].ratio:.2f} x", by["b"].ratio >= 0.5))
    if "b" in by:
        rss = by["b"].peak_rss_mb
        out.append(("P2 backfill peak RSS <= 300 MB", f"{rss:.0f} MB", rss <= 300))
        for big in (r for r in extra if r.scenario.startswith("b@")):
            growth = big.peak_rss_mb / rss - 1
            name = f"P2 peak RSS at {big.rows:,} within 10 % of {by['b'].rows:,}"
            out.append((name, f"{big.peak_rss_mb:.0f} MB ({growth:+.1%})", abs(growth) <= 0.10))
    if "d" in by:
        d = by["d"]
        ok = d.requests == 1 and d.seconds <= 3
        out.append(
            ("P3 nothing-new: 1 request, <= 3 s", f"{d.requests} req, {d.seconds:.2f} s", ok)
        )
    if "e" in by and "e1" in by and by["e1"].rows_per_s:
        gain = by["e"].rows_per_s / by["e1"].rows_per_s
        out.append(("P4 +100 ms/page: >= 8 x one cursor", f"{gain:.1f} x", gain >= 8))
    return out


def machine() -> str:
    cpu = "unknown CPU"
    if Path("/proc/cpuinfo").exists():
        names = re.findall(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = names[0] if names else cpu
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import dlt

    versions = (
        f"Python {platform.python_version()}, dlt {dlt.__version__}, duckdb {duckdb.__version__}"
    )
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.platform()}, {versions}"


def render(results: list[Result], extra: list[Result]) -> str:
    lines = [
        "| | scenario | rows | wall s | rows/s | x ceiling | peak RSS MB | requests |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results + extra:
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        rate = "" if r.scenario == "d" else f"{r.rows_per_s:,.0f}"
        lines.append(f"| {r.scenario} | {r.label} | {r.rows:,} | {r.seconds:.2f} | {rate} | {ratio}"
                     f" | {r.peak_rss_mb:.0f} | {r.requests:,} |")  # fmt: skip
    lines += ["", "| target | measured | met |", "| --- | --- | --- |"]
    for name, value, ok in targets(results, extra):
        lines.append(f"| {name} | {value} | {'yes' if ok else 'no'} |")
    return "\n".join(lines)


NOTES = "<!-- notes: kept by bench.run across runs -->"


def write_summary(payload: dict) -> None:
    """bench/RESULTS.md: the generated figures, then the hand-written notes kept as they were."""
    path = ROOT / "bench" / "RESULTS.md"
    notes = ""
    if path.exists() and NOTES in path.read_text():
        notes = path.read_text().split(NOTES, 1)[1]
    results = [Result(**r) for r in payload["results"]]
    extra = [Result(**r) for r in payload.get("extra", [])]
    size = f"{payload['enrollments']:,} enrollments"
    intro = (f"Latest `make bench` ({payload['at']}), {size}, the sandbox on loopback in its own"
             f" process.\n\nMachine: {payload['machine']}")  # fmt: skip
    table = render(results, extra)
    notes = notes or "\n"
    path.write_text(f"# Benchmark results\n\n{intro}\n\n{table}\n\n{NOTES}{notes}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--enrollments", type=int, default=100_000)
    parser.add_argument("--skip", default="", help="scenarios to leave out, e.g. c,e")
    parser.add_argument(
        "--also", type=int, default=0, help="also a backfill at this size (P2 at 1M)"
    )
    parser.add_argument("--no-write", action="store_true", help="do not rewrite bench/RESULTS.md")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        results = run_all(args.enrollments, Path(tmp), skip)
        extra: list[Result] = []
        if args.also:
            big = run_all(args.also, Path(tmp) / "also", {"a", "c", "d", "e"})
            for r in big:
                r.scenario, r.label = f"{r.scenario}@{args.also:,}", f"{r.label} at {args.also:,}"
            extra = big
    table = render(results, extra)
    print(f"\n{args.enrollments:,} enrollments — {machine()}\n\n{table}")
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    payload = {"enrollments": args.enrollments, "machine": machine(), "at": at,
               "results": [asdict(r) for r in results],
               "extra": [asdict(r) for r in extra]}  # fmt: skip
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(payload, indent=2))
    if not args.no_write:
        write_summary(payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
