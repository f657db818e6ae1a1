"""Instantly's benchmark: a backfill against the raw-fetch ceiling, the nothing-new run, the
requests each table costs against the fewest the API allows, and a backfill under the
documented limits against the floor they set (the emails window scaled down, so it fits a run).
Rows are leads plus emails, the two tables that scale."""

from __future__ import annotations

import math

from bench.harness import ROOT, Bench, Result, Sandbox, source_env

KEY = "instantly-sandbox-key"
WORLD_FLAG = "--leads"
COUNTED = ("leads", "emails")
RESULTS = ROOT / "bench" / "instantly" / "RESULTS.md"
SECONDARY = {"a", "d", "g", "r"}  # left out of the extra, larger run (`--also`)
LIMITED_LEADS = 10_000  # the world of the limited scenario (g)
EMAILS_WINDOW = 6.0  # seconds for the emails endpoint's 20 requests in (g): 10 x faster
CAMPAIGNS = 12  # the sandbox's default


def environment(base_url: str) -> dict[str, str]:
    # the sandbox runs without limits here: the client's emails pace lifted to match
    return source_env("instantly", KEY, base_url, emails_requests_per_window="100000",
                      emails_window_seconds="1")  # fmt: skip


def minimum_requests(leads: int, emails: int, campaigns: int = CAMPAIGNS) -> int:
    """The fewest requests a full load can make: every page of leads and emails (a full last
    page costs one empty one more), the catalog (campaigns, subsequences per campaign,
    accounts) and analytics (totals, then daily, steps, subsequences per campaign)."""

    def pages(rows: int) -> int:
        return rows // 100 + 1

    return pages(leads) + pages(emails) + (1 + campaigns + 1) + (1 + 3 * campaigns)


def scenarios(bench: Bench, skip: set[str]) -> list[Result]:
    results: list[Result] = []
    if "a" not in skip:
        results.append(
            bench.ceiling(
                "bench.instantly.raw_fetch", KEY, "ceiling: raw fetch + JSON parse (leads, emails)"
            )
        )
    results += bench.backfill_and_nothing_new(skip)
    if "r" not in skip:
        results += bench.replayed("bench.instantly.raw_fetch", KEY, "leads, emails")
    if "g" not in skip:
        limited = Sandbox("instantly", [WORLD_FLAG, str(LIMITED_LEADS), "--emails-window",
                                        str(EMAILS_WINDOW)], limited=True)  # fmt: skip
        env: dict[str, str] = {
            "SOURCES__INSTANTLY__BASE_URL": limited.base_url,
            "SOURCES__INSTANTLY__EMAILS_WINDOW_SECONDS": str(int(EMAILS_WINDOW)),
            "SOURCES__INSTANTLY__EMAILS_REQUESTS_PER_WINDOW": "20",
            # a chunk as long, in windows, as the real one (180 s = 3 windows of 60 s)
            "SOURCES__INSTANTLY__EMAIL_CHUNK_SECONDS": str(3 * EMAILS_WINDOW),
        }
        label = (f"backfill under the documented limits, {LIMITED_LEADS:,} leads,"
                 f" emails window {EMAILS_WINDOW:g} s")  # fmt: skip
        results.append(bench.limited(limited, label, env))
    return results


def floor_seconds(emails: int) -> float:
    """The documented limits' floor for a backfill's emails: 20 requests a window, the first
    20 at once (a moving window)."""
    pages = emails // 100 + 1
    return (math.ceil(pages / 20) - 1) * EMAILS_WINDOW


def targets(results: list[Result], extra: list[Result]) -> list[tuple[str, str, bool | None]]:
    by = {r.scenario: r for r in results}
    out: list[tuple[str, str, bool | None]] = []
    if "b" in by and by["b"].ratio is not None:
        out.append(("backfill x ceiling (leads + emails)", f"{by['b'].ratio:.2f} x", None))
    if "br" in by and by["br"].ratio is not None:
        out.append(("backfill x ceiling, both on replayed pages (leads + emails)",
                    f"{by['br'].ratio:.2f} x", None))  # fmt: skip
    if "b" in by:
        b = by["b"]
        least = minimum_requests(b.parts["leads"], b.parts["emails"])
        name = "backfill requests vs the fewest the API allows"
        out.append((name, f"{b.requests:,} vs {least:,}", b.requests <= least + 1))
        for table, path in (("leads", "POST /api/v2/leads/list"), ("emails", "GET /api/v2/emails")):
            made, rows = b.paths.get(path, 0), b.parts[table]
            fewest = rows // 100 + 1
            out.append((f"{table}: requests per 100 rows (fewest {fewest:,} for {rows:,})",
                        f"{made:,} ({100 * made / max(1, rows):.2f})", made == fewest))  # fmt: skip
    if "d" in by:
        d = by["d"]
        out.append(("nothing-new: 1 request", f"{d.requests} req, {d.seconds:.2f} s",
                    d.requests == 1))  # fmt: skip
    if "g" in by:
        g = by["g"]
        floor = floor_seconds(g.parts["emails"])
        out.append((f"limited backfill within 10 % of the floor ({floor:.0f} s)",
                    f"{g.seconds:.1f} s ({g.seconds / floor - 1:+.1%})",
                    g.seconds <= 1.1 * floor))  # fmt: skip
    return out
