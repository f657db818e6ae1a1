"""Unify's benchmark: its scenarios (list and Bulk API backfills, latency) and its targets."""

from __future__ import annotations

from bench.harness import PY, ROOT, Bench, Result

KEY = "unify-sandbox-key"
WORLD_FLAG = "--enrollments"  # what the sandbox's size is counted in
COUNTED = "enrollments"
RESULTS = ROOT / "bench" / "RESULTS.md"
SECONDARY = {"a", "c", "d", "e"}  # left out of the extra, larger run (`--also`)


def environment(base_url: str) -> dict[str, str]:
    return {
        "SOURCES__UNIFY__API_KEY": KEY, "SOURCES__UNIFY__BASE_URL": base_url,
        # the list endpoint, unless a scenario asks for the Bulk API
        "SOURCES__UNIFY__BACKFILL": "list", "SOURCES__UNIFY__ENROLLMENT_STEPS": "false",
        "SOURCES__UNIFY__QUERY_JOB_POLL_SECONDS": "0.2",
    }  # fmt: skip


def scenarios(bench: Bench, skip: set[str]) -> list[Result]:
    results: list[Result] = []
    base_url = bench.sandbox.base_url
    if "a" not in skip:
        results.append(
            bench.ceiling("bench.unify.raw_fetch", KEY, "ceiling: raw fetch + JSON parse")
        )
    if "b" not in skip:
        results.append(bench.ours("b", "backfill, all tables (this project)"))
    if "d" not in skip:
        results.append(bench.ours("b2", "nothing-new incremental run", fresh=False))
        results[-1].scenario = "d"
    if "c" not in skip:
        folder = bench.folder("c")
        command = [PY, "-m", "bench.unify.rest_api_baseline", base_url, KEY,
                   str(folder / "rest.duckdb"), str(folder / "p")]  # fmt: skip
        seconds, rss, requests, _ = bench.measure(command, bench.base_env)
        rows = bench.table_rows(folder / "rest.duckdb", "rest_api", COUNTED)
        results.append(Result("c", "dlt rest_api source, defaults", rows, seconds, rss, requests))
    if "f" not in skip:
        results.append(bench.ours("f", "default backfill: list pass + a bulk-only-tables job",
                                  SOURCES__UNIFY__BACKFILL="bulk"))  # fmt: skip
        results.append(bench.ours("f1", "default backfill + enrollment steps (the CLI's default)",
                                  SOURCES__UNIFY__BACKFILL="bulk",
                                  SOURCES__UNIFY__ENROLLMENT_STEPS="true"))  # fmt: skip
    if "e" not in skip:
        bench.sandbox.faults(latency_ms=100)
        results.append(bench.ours("e", "backfill, +100 ms a page (16 concurrent windows)"))
        results.append(bench.ours("e1", "backfill, +100 ms a page, one cursor",
                                  SOURCES__UNIFY__CONCURRENCY="1"))  # fmt: skip
        if "f" not in skip:
            results.append(bench.ours("e2", "default backfill, +100 ms a request",
                                      SOURCES__UNIFY__BACKFILL="bulk"))  # fmt: skip
        bench.sandbox.faults(latency_ms=0)
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
