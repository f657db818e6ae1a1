"""Everything that is Unify's to the rest of the product (sources.common.vendors)."""

from __future__ import annotations

import argparse
from typing import Any

from sources.common.vendors import VendorReport, VendorSpec, add_since, given
from sources.unify import unify_source
from sources.unify.actions import UNIFY_ACTIONS, actions_client
from sources.unify.extraction import UnifySettings
from sources.unify.settings import DOCUMENTED_VALUES, SOURCE_NAME, UNIFY_TABLES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_since(parser, "enrollments updated since this date")
    parser.add_argument(
        "--backfill", choices=("bulk", "list"), default=None,
        help="how a first load reads enrollments: a Bulk API query job (bulk, the default) or"
        " the list endpoint (list: slower, but keeps created_at)",
    )  # fmt: skip
    parser.add_argument(
        "--no-enrollment-steps", dest="enrollment_steps", action="store_false", default=None,
        help="skip enrollment steps (they cost a Bulk API query job per export)",
    )  # fmt: skip


def options(args: argparse.Namespace) -> dict[str, Any]:
    return given({"initial_updated_after": args.since, "backfill": args.backfill,
                  "enrollment_steps": args.enrollment_steps})  # fmt: skip


SPEC = VendorSpec(
    name=SOURCE_NAME, title="Unify", color="#00a58e", source=unify_source, settings=UnifySettings,
    tables=UNIFY_TABLES,
    # its funnel by sequence, widest first (unify.funnel_by_sequence)
    report=VendorReport(),
    add_arguments=add_arguments, options=options, actions=UNIFY_ACTIONS,
    actions_client=actions_client, documented_values=DOCUMENTED_VALUES,
    # "rate-limited to 100,000 requests per five minute window": per key or per account, it
    # does not say; so every workspace's loads share one
    rate_budget="vendor",
)  # fmt: skip
