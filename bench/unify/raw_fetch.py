"""Unify's ceilings: every enrollment page fetched with httpx and parsed, nothing else; with
job kinds named after the page size (`enrollments`, `enrollment-steps`), also one Bulk API query
job of each, polled as the connector polls and every NDJSON results page (of that size) fetched
and parsed: the ceiling of the bulk scenarios, which make the same requests.

`python -m bench.unify.raw_fetch <base URL> <key> <results page size> [kind ...]`"""

from __future__ import annotations

import json
import sys
import time

import httpx

NDJSON = {"accept": "application/x-ndjson"}


def list_pages(client: httpx.Client) -> int:
    rows, cursor = 0, None
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        body = client.get("/enrollments", params=params).raise_for_status().json()
        rows += len(body["enrollments"])
        cursor = body["next_cursor"]
        if not cursor:
            return rows


def job_pages(client: httpx.Client, kind: str, page_size: int, poll: float) -> int:
    job_id = client.post(f"/{kind}/query-jobs").raise_for_status().json()["job_id"]
    while (job := client.get(f"/{kind}/query-jobs/{job_id}").json())["status"] != "FINISHED":
        time.sleep(poll)
        poll = min(15.0, poll * 1.5)
    rows, page = 0, 1
    while rows < job["total_rows"]:
        params = {"page": page, "page_size": page_size}
        answer = client.get(f"/{kind}/query-jobs/{job_id}/results", params=params, headers=NDJSON)
        answer.raise_for_status()
        rows += len([json.loads(line) for line in answer.content.splitlines()])
        page += 1
    return rows


def main(base_url: str, api_key: str, page_size: str, *jobs: str) -> int:
    with httpx.Client(base_url=base_url, headers={"x-api-key": api_key}, timeout=60) as client:
        rows = list_pages(client)
        for kind in jobs:  # polled from 0.2 s, as bench.unify.environment sets for our loads
            found = job_pages(client, kind, int(page_size), 0.2)
            print(f"{kind.upper().replace('-', '_')}_ROWS={found}")
    print(f"ROWS={rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
