"""dlt source for the Instantly API v2: campaigns, leads, emails and the vendor's analytics.

One resource per table family, so that `instantly_source().with_resources("emails")` loads just
those tables:

- `campaigns`: campaigns, campaign_steps, subsequences, subsequence_steps (catalog.py);
- `accounts`: the sending accounts, keyed by email (catalog.py);
- `block_list`: block_list_entries, the emails and domains it sends nothing to (catalog.py);
- `leads`: leads and lead_deletions (leads.py);
- `emails`: emails, incremental on timestamp_created (emails.py);
- `analytics`: campaign_analytics, campaign_analytics_daily, campaign_analytics_steps,
  subsequence_analytics (analytics.py).

Marks and refresh times live in dlt state, committed with the data of the same load.
"""

from __future__ import annotations

from dlt.sources import DltResource

from sources.common.configuration import merged_resources, settings_source
from sources.common.stats import RunStats
from sources.instantly.analytics import analytics
from sources.instantly.catalog import accounts, block_list, campaigns
from sources.instantly.emails import emails
from sources.instantly.extraction import InstantlyRun, InstantlySettings
from sources.instantly.leads import leads


@settings_source(InstantlySettings)
def instantly_source(settings: InstantlySettings, stats: RunStats) -> list[DltResource]:
    """The Instantly tables, in six resources (see the module's docstring); its arguments are
    the fields of InstantlySettings."""
    run = InstantlyRun(settings, stats)
    return merged_resources(run, campaigns, accounts, block_list, leads, emails, analytics)
