"""The `analytics` resource: the vendor's own counts, beside the rows they summarise.

When due (`analytics_refresh_minutes`): totals for every campaign in one call (`GET
/campaigns/analytics` without ids), then per campaign its daily counts and its counts by step and
variant. The daily and step rows carry no campaign id and a call without `campaign_id` sums every
campaign (docs/vendors/instantly.md, Campaigns and subsequences), so each is asked per campaign and
the id added. Daily counts keep changing for days after (late opens, replies): the first load reads
every day, later ones re-read the last `analytics_days` days, merged on (campaign, date). Step
counts are totals and are read whole. Subsequence totals come per parent campaign.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import dlt

from sources.common.instants import format_instant, server_time
from sources.common.state import due, mark_done
from sources.instantly import rows
from sources.instantly.extraction import InstantlyRun
from sources.instantly.helpers import pages
from sources.instantly.settings import INSTANTLY_TABLES

ANALYTICS_READ = "analytics_read_at"


def analytics(run: InstantlyRun) -> Iterator[Any]:
    state = dlt.current.resource_state()
    if not due(state, ANALYTICS_READ, run.settings.refresh("analytics")):
        return
    first = ANALYTICS_READ not in state
    with run.client() as client:
        campaigns = [c for page, _ in pages(client, "/campaigns") for c in page]
        answer = client.get("/campaigns/analytics")
        now = server_time(answer.headers, timedelta(0))  # the days are the API's, not ours
        since = now.date() - timedelta(days=run.settings.analytics_days)
        window = {} if first else {"start_date": since.isoformat()}
        totals = rows.campaign_analytics_rows(answer.body or [], format_instant(now))
        yield INSTANTLY_TABLES.tagged("campaign_analytics", totals)
        for campaign in campaigns:
            cid = campaign["id"]
            daily = client.get("/campaigns/analytics/daily", {"campaign_id": cid, **window}).body
            if daily:
                yield INSTANTLY_TABLES.tagged("campaign_analytics_daily",
                                              rows.daily_rows(cid, daily))  # fmt: skip
            steps = client.get("/campaigns/analytics/steps", {"campaign_id": cid}).body
            if steps:
                yield INSTANTLY_TABLES.tagged("campaign_analytics_steps",
                                              rows.step_analytics_rows(cid, steps))  # fmt: skip
            subs = client.get("/subsequences/analytics", {"campaign_id": cid}).body
            if subs:
                sub_rows = rows.subsequence_analytics_rows(cid, subs)
                yield INSTANTLY_TABLES.tagged("subsequence_analytics", sub_rows)
    mark_done(state, ANALYTICS_READ)
