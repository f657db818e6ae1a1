"""Unify pipeline CLI. For now: `--demo` starts the sandbox in-process and reads it over HTTP.

The dlt source and the load into DuckDB arrive with the Unify source; this entry point (the only
product module allowed to import the sandbox) is where `make demo` starts.
"""

from __future__ import annotations

import argparse
import collections
import sys

import httpx


def run_demo(enrollments: int = 2000, seed: int = 42) -> int:
    from sandbox.unify import DEFAULT_API_KEY, UnifySandbox

    sandbox = UnifySandbox.create(enrollments, seed)
    with sandbox.serve() as server:
        base = UnifySandbox.base_url(server)
        print(f"Unify sandbox with {enrollments:,} seeded enrollments at {base}")
        statuses: collections.Counter[str] = collections.Counter()
        pages, cursor, first = 0, None, None
        with httpx.Client(base_url=base, headers={"x-api-key": DEFAULT_API_KEY}) as client:
            while True:
                params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
                page = client.get("/enrollments", params=params).raise_for_status().json()
                pages += 1
                first = first or page["enrollments"][0]
                statuses.update(e["status"] for e in page["enrollments"])
                cursor = page["next_cursor"]
                if cursor is None:
                    break
    print(f"Read {sum(statuses.values()):,} enrollments in {pages} pages:")
    for status, count in statuses.most_common():
        print(f"  {status:<12} {count:>7,}")
    if first:
        person = first["person"]
        print(f"Newest enrollment: {person['first_name']} {person['last_name']} <{person['email']}>"
              f" in “{first['sequence']['name']}”, {first['status']}")  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="unify_pipeline", description=__doc__)
    parser.add_argument("--demo", action="store_true", help="run against the embedded sandbox")
    args = parser.parse_args(argv)
    if not args.demo:
        parser.error("only --demo is available until the Unify source lands")
    return run_demo()


if __name__ == "__main__":
    sys.exit(main())
