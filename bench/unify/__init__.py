"""Unify's benchmark: list and Bulk API backfills, each against a raw fetch of the same requests
(its own ceiling), the models' first build, a scheduled run with nothing new and one with 1,000
changes, latency, and a small workspace's first load; and the targets of the speed issue."""

from __future__ import annotations

from bench.harness import PY, ROOT, Bench, Result, source_env
from bench.replay import ReplayProxy
from sources.unify.query_jobs import NDJSON_PAGE_SIZE

KEY = "unify-sandbox-key"
WORLD_FLAG = "--enrollments"  # what the sandbox's size is counted in
COUNTED = "enrollments"
RESULTS = ROOT / "bench" / "unify" / "RESULTS.md"
SECONDARY = {"a", "b", "c", "e"}  # left out of the extra, larger run (`--also`)
SMALL = 20_000  # a new user's first load on a small workspace: its own run, (a) and (b) only
SMALL_SKIP = {"c", "f", "e"}
CHANGED = 1_000  # enrollments a scheduled run finds changed (g)
RAW = "bench.unify.raw_fetch"
JOBS = {"enrollments": ("enrollments",), "both": ("enrollments", "enrollment-steps")}


def environment(base_url: str) -> dict[str, str]:
    # the list endpoint, unless a scenario asks for the Bulk API
    return source_env("unify", KEY, base_url, backfill="list", enrollment_steps="false",
                      query_job_poll_seconds="0.2")  # fmt: skip


BULK = {"SOURCES__UNIFY__BACKFILL": "bulk"}
DEFAULT = BULK | {"SOURCES__UNIFY__ENROLLMENT_STEPS": "true"}  # the CLI's defaults


def _ceiling(bench: Bench, name: str, label: str, jobs: tuple[str, ...] = ()) -> Result:
    args = (str(NDJSON_PAGE_SIZE), *jobs)  # the connector's page size: the same requests
    return bench.ceiling(RAW, KEY, label, args, name)


def scenarios(bench: Bench, skip: set[str]) -> list[Result]:
    results: list[Result] = []
    if "a" not in skip:
        results.append(_ceiling(bench, "a", "ceiling: list pages, raw fetch + JSON parse"))
    if "b" not in skip:
        results.append(bench.ours("b", "list backfill, all tables (this project)"))
    if "c" not in skip:
        folder = bench.folder("c")
        command = [PY, "-m", "bench.unify.rest_api_baseline", bench.sandbox.base_url, KEY,
                   str(folder / "rest.duckdb"), str(folder / "p")]  # fmt: skip
        seconds, rss, requests, _ = bench.measure(command, bench.base_env)
        rows = bench.table_rows(folder / "rest.duckdb", "rest_api", COUNTED)
        results.append(Result("c", "dlt rest_api source, defaults", rows, seconds, rss, requests))
    if "f" not in skip:
        results += _bulk_and_schedule(bench)
    if "e" not in skip:
        results += _latency(bench, with_bulk="f" not in skip)
    return results


def _bulk_and_schedule(bench: Bench) -> list[Result]:
    """The default first loads against ceilings with their jobs' pages; then, on the CLI's
    defaults (models built), the runs a schedule makes."""
    label = "ceiling: list pages + the enrollments job's"
    out = [_ceiling(bench, "a2", label, JOBS["enrollments"])]
    label = "bulk backfill: list pass + a bulk-only-tables job"
    out.append(bench.ours("f", label, ceiling="a2", **BULK))
    label = "ceiling: list pages + both jobs' (enrollments, steps)"
    out.append(_ceiling(bench, "a3", label, JOBS["both"]))
    label = "default first load: bulk backfill + enrollment steps (the CLI's)"
    out.append(bench.ours("f1", label, ceiling="a3", **DEFAULT))
    build = DEFAULT | {"FUNNEL__BUILD": "true"}
    out.append(bench.ours("f2", "the models' first build (a nothing-new run after f1)",
                          fresh=False, ceiling="", **build))  # fmt: skip
    out[-1].scenario = "m"
    out.append(bench.ours("f3", "nothing-new scheduled run (CLI defaults)", fresh=False,
                          ceiling="", **build))  # fmt: skip
    out[-1].scenario = "d"
    bench.sandbox.touch(CHANGED)
    out.append(bench.ours("f4", f"scheduled run, {CHANGED:,} enrollments changed (CLI defaults)",
                          fresh=False, ceiling="", **build))  # fmt: skip
    out[-1].scenario = "g"
    return out


def _latency(bench: Bench, with_bulk: bool) -> list[Result]:
    """+100 ms a request, against a raw fetch of the same requests with the same latency."""
    bench.sandbox.faults(latency_ms=100)
    out = [
        _ceiling(bench, "a4", "ceiling +100 ms a page: list pages, one cursor"),
        bench.ours("e", "list backfill, +100 ms a page (16 concurrent windows)", ceiling="a4"),
    ]
    label = "list backfill, +100 ms a page, one cursor"
    out.append(bench.ours("e1", label, ceiling="a4", SOURCES__UNIFY__CONCURRENCY="1"))
    if with_bulk:
        out.append(_ceiling(bench, "a5", "ceiling +100 ms a request: list + enrollments job",
                            JOBS["enrollments"]))  # fmt: skip
        out.append(bench.ours("e2", "bulk backfill, +100 ms a request", ceiling="a5", **BULK))
    bench.sandbox.faults(latency_ms=0)
    return out + _replayed(bench)


def _replayed(bench: Bench) -> list[Result]:
    """(e) and (e1) again, their pages recorded first and then replayed after 100 ms each
    (bench.replay): the same requests with no sandbox on the cores, as a real API would be."""
    proxy = ReplayProxy(bench.sandbox.server)
    env = {"SOURCES__UNIFY__BASE_URL": proxy.server + bench.sandbox.base_url[len(
        bench.sandbox.server):]}  # fmt: skip
    one = {"SOURCES__UNIFY__CONCURRENCY": "1"}
    try:
        bench.ours("e3", "recording", ceiling="", **env)
        bench.ours("e4", "recording", ceiling="", **env, **one)
        proxy.replay(latency_ms=100)
        runs = [bench.ours("e3", "list backfill, +100 ms a page, 16 windows, pages replayed",
                           ceiling="", **env),
                bench.ours("e4", "list backfill, +100 ms a page, one cursor, pages replayed",
                           ceiling="", **env, **one)]  # fmt: skip
    finally:
        proxy.stop()
    for run in runs:
        run.label += f" ({proxy.misses} not recorded)" if proxy.misses else ""
    return runs


def targets(results: list[Result], extra: list[Result]) -> list[tuple[str, str, bool | None]]:
    by = {r.scenario: r for r in results + extra}
    out: list[tuple[str, str, bool | None]] = []

    def ratio(scenario: str, name: str, least: float) -> None:
        if scenario in by and by[scenario].ratio is not None:
            value = by[scenario].ratio or 0.0
            out.append((f"{name} >= {least} x its ceiling", f"{value:.2f} x", value >= least))

    ratio("f1", "default first load (f1)", 0.5)
    ratio("b", "list backfill (b)", 0.6)
    ratio("f", "bulk backfill (f)", 0.6)
    ratio(f"b@{SMALL:,}", f"small backfill, {SMALL:,} (start-up included)", 0.5)
    if "f1" in by:
        rss = by["f1"].peak_rss_mb
        out.append(("default first load peak RSS <= 300 MB", f"{rss:.0f} MB", rss <= 300))
        for big in (r for r in extra if r.scenario.startswith("f1@")):
            growth = big.peak_rss_mb / rss - 1
            name = f"peak RSS at {big.parts.get(COUNTED, big.rows):,} within 10 % of 100,000"
            out.append((name, f"{big.peak_rss_mb:.0f} MB ({growth:+.1%})", abs(growth) <= 0.10))
    if "d" in by:
        d = by["d"]
        ok = d.requests == 1 and d.seconds <= 2.0
        out.append(("nothing-new: 1 request, <= 2.0 s", f"{d.requests} req, {d.seconds:.2f} s", ok))
    if "g" in by:
        g = by["g"]
        name = f"{CHANGED:,} changed: <= 2.5 s"
        out.append((name, f"{g.seconds:.2f} s ({g.rows:,} rows)", g.seconds <= 2.5))
    for many, one, name in (("e", "e1", ""), ("e3", "e4", ", pages replayed")):
        if many in by and one in by and by[one].rows_per_s:
            gain = by[many].rows_per_s / by[one].rows_per_s
            out.append((f"+100 ms a page{name}: >= 8 x one cursor", f"{gain:.1f} x", gain >= 8))
    return out
