"""(a) Unify's ceiling: every enrollment page fetched with httpx and parsed, nothing else."""

from __future__ import annotations

import sys

import httpx


def main(base_url: str, api_key: str) -> int:
    rows, cursor = 0, None
    with httpx.Client(base_url=base_url, headers={"x-api-key": api_key}, timeout=60) as client:
        while True:
            params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
            body = client.get("/enrollments", params=params).raise_for_status().json()
            rows += len(body["enrollments"])
            cursor = body["next_cursor"]
            if not cursor:
                break
    print(f"ROWS={rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
