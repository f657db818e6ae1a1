"""Sequenzy's benchmark: a backfill against the raw-fetch ceiling, the nothing-new run, the
requests each table costs against the fewest the API allows, and a backfill under the key's
documented 100 requests a minute against the floor that limit sets. Rows are enrollments plus
events, the two tables that scale."""

from __future__ import annotations

import math
import re

from bench.harness import ROOT, Bench, Result, Sandbox, source_env

KEY = "sequenzy-sandbox-key"
WORLD_FLAG = "--enrollments"
COUNTED = ("enrollments", "events")
RESULTS = ROOT / "bench" / "sequenzy" / "RESULTS.md"
SECONDARY = {"a", "d", "g", "r"}  # left out of the extra, larger run (`--also`)
LIMITED_ENROLLMENTS = 100_000  # the world of the limited scenario (g), at the real limits
PER_MINUTE = 100  # the key's documented limit

# "METHOD /path" of each table's requests, the ids in the paths left out
PATHS = {
    "list": re.compile(r"GET /api/v1/sequences$"),
    "details": re.compile(r"GET /api/v1/sequences/[^/]+$"),
    "enrollments": re.compile(r"GET /api/v1/sequences/[^/]+/enrollments$"),
    "subscribers": re.compile(r"GET /api/v1/subscribers$"),
    "conversations": re.compile(r"GET /api/v1/conversations$"),
    "events": re.compile(r"GET /api/v1/metrics/sequences/[^/]+/events$"),
    "metrics": re.compile(r"GET /api/v1/metrics/sequences/[^/]+$"),
    "counts": re.compile(r"GET /api/v1/metrics/emails$"),
}
NOTHING_NEW_REQUESTS, NOTHING_NEW_SECONDS = 8, 1.5  # the goals (issue "Speed, round three")


def environment(base_url: str) -> dict[str, str]:
    # the sandbox runs without limits here: the client's pace lifted to match
    return source_env("sequenzy", KEY, base_url, requests_per_minute="1000000",
                      requests_per_second="1000000")  # fmt: skip


def by_table(paths: dict[str, int]) -> dict[str, int]:
    """Requests per kind (list, details, enrollments, ...), from requests per path."""
    counts = dict.fromkeys(PATHS, 0)
    for path, made in paths.items():
        kind = next((k for k, pattern in PATHS.items() if pattern.match(path)), None)
        if kind is not None:
            counts[kind] += made
    return counts


def scenarios(bench: Bench, skip: set[str]) -> list[Result]:
    results: list[Result] = []
    if "a" not in skip:
        results.append(
            bench.ceiling(
                "bench.sequenzy.raw_fetch",
                KEY,
                "ceiling: raw fetch + JSON parse (enrollments, events)",
            )
        )
    results += bench.backfill_and_nothing_new(skip)
    if "r" not in skip:
        results += bench.replayed("bench.sequenzy.raw_fetch", KEY, "enrollments, events")
    if "g" not in skip:
        limited = Sandbox("sequenzy", [WORLD_FLAG, str(LIMITED_ENROLLMENTS)], limited=True)
        env = {"SOURCES__SEQUENZY__BASE_URL": limited.base_url,
               "SOURCES__SEQUENZY__REQUESTS_PER_MINUTE": str(PER_MINUTE),
               "SOURCES__SEQUENZY__REQUESTS_PER_SECOND": "20"}  # fmt: skip
        label = (f"backfill under the documented limits (100 a minute, 20 a second),"
                 f" {LIMITED_ENROLLMENTS:,} enrollments")  # fmt: skip
        results.append(bench.limited(limited, label, env))
    return results


def fewest(made: dict[str, int], ceiling: dict[str, int]) -> int:
    """The fewest requests a full load can make: the ceiling's enrollment and event pages (no
    overlap, no step back), the list, each sequence's details and metrics, the subscribers and
    the conversations (the inbox, where the replies are)."""
    return (ceiling["enrollments"] + ceiling["events"] + 1 + made["details"] + made["metrics"]
            + made["subscribers"] + made["conversations"] + made["counts"])  # fmt: skip


def floor_seconds(requests: int) -> float:
    """The documented limit's floor for `requests`: 100 a minute, the first 100 at once."""
    return (math.ceil(requests / PER_MINUTE) - 1) * 60.0


def targets(results: list[Result], extra: list[Result]) -> list[tuple[str, str, bool | None]]:
    by = {r.scenario: r for r in results}
    out: list[tuple[str, str, bool | None]] = []
    if "b" in by and by["b"].ratio is not None:
        out.append(("backfill x ceiling (enrollments + events)", f"{by['b'].ratio:.2f} x", None))
    if "br" in by and by["br"].ratio is not None:
        out.append(("backfill x ceiling, both on replayed pages (enrollments + events)",
                    f"{by['br'].ratio:.2f} x", None))  # fmt: skip
    if "a" in by and "b" in by:
        made, ceiling = by_table(by["b"].paths), by_table(by["a"].paths)
        least = fewest(made, ceiling)
        out.append(("backfill requests vs the fewest the API allows",
                    f"{by['b'].requests:,} vs {least:,}",
                    by["b"].requests <= 1.01 * least + made["details"]))  # fmt: skip
        for table, size in (("enrollments", 500), ("events", 500)):
            rows = by["b"].parts[table]
            out.append((f"{table}: requests per {size} rows (fewest {ceiling[table]:,}"
                        f" for {rows:,})",
                        f"{made[table]:,} ({size * made[table] / max(1, rows):.3f})",
                        made[table] <= 1.01 * ceiling[table] + made["details"]))  # fmt: skip
    if "d" in by:
        d = by["d"]
        out.append((f"nothing-new: the list and every sequence's counts (goal: at most"
                    f" {NOTHING_NEW_REQUESTS} requests, {NOTHING_NEW_SECONDS} s)",
                    f"{d.requests} req, {d.seconds:.2f} s",
                    d.requests <= NOTHING_NEW_REQUESTS
                    and d.seconds <= NOTHING_NEW_SECONDS))  # fmt: skip
    if "g" in by:
        g = by["g"]
        floor = floor_seconds(g.requests)
        out.append((f"limited backfill within 10 % of the floor ({g.requests:,} requests at"
                    f" 100 a minute: {floor:.0f} s)",
                    f"{g.seconds:.1f} s ({g.seconds / floor - 1:+.1%})",
                    g.seconds <= 1.1 * floor))  # fmt: skip
    return out
