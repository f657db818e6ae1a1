"""Everything that is Sequenzy's to the rest of the product (sources.common.vendors)."""

from __future__ import annotations

import argparse
from typing import Any

from sources.common.vendors import VendorReport, VendorSpec, add_since, given
from sources.sequenzy import sequenzy_source
from sources.sequenzy.actions import SEQUENZY_ACTIONS, actions_client
from sources.sequenzy.extraction import SequenzySettings
from sources.sequenzy.settings import DOCUMENTED_VALUES, SEQUENZY_TABLES, SOURCE_NAME


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_since(parser, "events since this date (default: each sequence's creation)")


def options(args: argparse.Namespace) -> dict[str, Any]:
    return given({"initial_since": args.since})


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
)  # fmt: skip
