"""Everything that is Instantly's to the rest of the product (sources.common.vendors)."""

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
from sources.instantly import instantly_source
from sources.instantly.actions import INSTANTLY_ACTIONS, actions_client
from sources.instantly.extraction import InstantlySettings
from sources.instantly.helpers import group_members, make_client
from sources.instantly.settings import DOCUMENTED_VALUES, INSTANTLY_TABLES, SOURCE_NAME
from sources.instantly.webhooks import WEBHOOKS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_since(parser, "emails created since this date")
    parser.add_argument(
        "--email-bodies", dest="email_bodies", action="store_true", default=None,
        help="also load each email's text and HTML body (default: subject and preview)",
    )  # fmt: skip


def options(args: argparse.Namespace) -> dict[str, Any]:
    return given({"initial_created_after": args.since, "email_bodies": args.email_bodies})


def members(settings: InstantlySettings) -> list[Member]:
    """With `workspace_group`, each accepted member of the admin key's workspace group."""
    if not settings.workspace_group:
        return []
    with make_client(settings.api_key, settings.base_url, settings.policy) as client:
        return [Member(m["sub_workspace_id"], m.get("sub_workspace_name"))
                for m in group_members(client)]  # fmt: skip


SPEC = VendorSpec(
    name=SOURCE_NAME, title="Instantly", color="#5460e6", source=instantly_source,
    settings=InstantlySettings, tables=INSTANTLY_TABLES,
    # its funnel by campaign, widest first (instantly.funnel_by_campaign); a lead is a person
    # in one campaign
    report=VendorReport(view="funnel_by_campaign", base_table="leads", words=("campaign", "lead")),
    add_arguments=add_arguments, options=options, actions=INSTANTLY_ACTIONS,
    actions_client=actions_client, documented_values=DOCUMENTED_VALUES,
    # the limits apply to the entire workspace, whatever its keys (its rate-limit page)
    rate_budget="workspace",
    # an admin key acts on each member of its group with `x-as-workspace` (the vendor's
    # workspace-group guide); the admin's own workspace is loaded too
    members=VendorMembers(asked="workspace_group", listed=members, setting="as_workspace",
                          own=True),
    # every action changes a campaign, a subsequence or a lead: after one, the catalog and the
    # leads are read now, not when their refresh intervals come round (sources.instantly.catalog,
    # .leads)
    after_act={"catalog_refresh_minutes": 0, "leads_refresh_minutes": 0},
    webhooks=WEBHOOKS,
)  # fmt: skip
