"""Everything that is Sequenzy's to the rest of the product (sources.common.vendors)."""

from __future__ import annotations

import argparse
from typing import Any

from sources.common.vendors import (
    Member,
    VendorMembers,
    VendorReport,
    VendorSpec,
    add_since,
    given,
)
from sources.sequenzy import sequenzy_source
from sources.sequenzy.actions import SEQUENZY_ACTIONS, actions_client
from sources.sequenzy.extraction import SequenzySettings
from sources.sequenzy.helpers import companies, make_client
from sources.sequenzy.settings import DOCUMENTED_VALUES, SEQUENZY_TABLES, SOURCE_NAME
from sources.sequenzy.webhooks import WEBHOOKS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_since(parser, "events since this date (default: each sequence's creation)")


def options(args: argparse.Namespace) -> dict[str, Any]:
    return given({"initial_since": args.since})


def members(settings: SequenzySettings) -> list[Member]:
    """With `companies`, the companies of the account key: `all`, or the ids listed."""
    wanted = {c.strip() for c in (settings.companies or "").split(",") if c.strip()}
    if not wanted:
        return []
    with make_client(settings.api_key, settings.base_url, settings.policy) as client:
        found = companies(client)
    return [Member(str(c["id"]), c.get("name")) for c in found
            if "all" in wanted or c["id"] in wanted]  # fmt: skip


SPEC = VendorSpec(
    name=SOURCE_NAME, title="Sequenzy", color="#e0533b", source=sequenzy_source,
    settings=SequenzySettings, tables=SEQUENZY_TABLES,
    # its funnel by sequence, widest first (sequenzy.funnel_by_sequence). Its replies are
    # people, from its inbox (n/a until the conversations are loaded); it classifies no reply
    # (positive: n/a). The view beside it keeps the vendor's own counts of messages.
    report=VendorReport(),
    add_arguments=add_arguments, options=options, actions=SEQUENZY_ACTIONS,
    actions_client=actions_client, documented_values=DOCUMENTED_VALUES,
    # 100 requests a minute per API key (its MCP's README)
    rate_budget="key",
    # an account-scoped key picks a company with `x-company-id` (the SDK's account docs); its
    # companies are the workspaces, none of them the key's own
    members=VendorMembers(asked="companies", listed=members, setting="company_id", own=False),
    # a cancel or a pause moves no count: after one, every sequence is read, not only those
    # whose counts moved (sources.sequenzy.activity)
    after_act={"quiet_refresh_minutes": 0},
    webhooks=WEBHOOKS,
)  # fmt: skip
