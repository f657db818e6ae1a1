"""(a) Sequenzy's ceiling: every enrollment page and every event page fetched with httpx and
parsed, nothing else: the requests a backfill makes for its two large tables (enrollments of
every status, 500 a page; events of every type in windows of 90 days from each sequence's
creation to the API's clock, 500 a page)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

TYPES = "send,delivery,bounce,complaint,open,click,unsubscribe,delivery_delay,transport_failure"
WINDOW = timedelta(days=90)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def main(base_url: str, api_key: str) -> int:
    enrollments = events = 0
    headers = {"authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
        listed = client.get("/sequences").raise_for_status()
        now = parsedate_to_datetime(listed.headers["date"])
        for sequence in listed.json()["sequences"]:
            path = f"/sequences/{sequence['id']}"
            offset = 0
            while True:
                query: dict[str, str | int] = {
                    "status": "active,waiting,paused,completed,failed,cancelled", "limit": 500,
                    "sort": "enrolled_at_asc", "offset": offset,
                }  # fmt: skip
                page = client.get(f"{path}/enrollments", params=query).raise_for_status().json()
                enrollments += len(page["enrollments"])
                offset += len(page["enrollments"])
                if not page["pagination"]["hasMore"]:
                    break
            low = datetime.fromisoformat(sequence["createdAt"].replace("Z", "+00:00"))
            while True:
                high = min(now, low + WINDOW)
                number = 1
                while True:
                    window: dict[str, str | int] = {
                        "eventTypes": TYPES, "start": _iso(low), "end": _iso(high),
                        "limit": 500, "page": number,
                    }  # fmt: skip
                    url = f"/metrics{path}/events"
                    page = client.get(url, params=window).raise_for_status().json()
                    events += len(page["events"])
                    if number >= page["pagination"]["totalPages"]:
                        break
                    number += 1
                if high >= now:
                    break
                low = high
    print(f"ROWS={enrollments + events} ENROLLMENTS={enrollments} EVENTS={events}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
