"""(a) Instantly's ceiling: every lead page and every email page fetched with httpx and parsed,
nothing else (the same requests a backfill makes for its two large tables)."""

from __future__ import annotations

import sys

import httpx


def main(base_url: str, api_key: str) -> int:
    leads = emails = 0
    headers = {"authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
        after = None
        while True:
            body = {"limit": 100} | ({"starting_after": after} if after else {})
            page = client.post("/leads/list", json=body).raise_for_status().json()
            leads += len(page["items"])
            after = page.get("next_starting_after")
            if not page["items"] or not after:
                break
        after = None
        while True:
            query = {"limit": "100", "sort_order": "asc", "preview_only": "true"}
            if after:
                query["starting_after"] = after
            page = client.get("/emails", params=query).raise_for_status().json()
            emails += len(page["items"])
            after = page.get("next_starting_after")
            if not page["items"] or not after:
                break
    print(f"ROWS={leads + emails} LEADS={leads} EMAILS={emails}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
