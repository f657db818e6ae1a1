"""Everything that is Acme's to the rest of the product (sources.common.vendors)."""

from __future__ import annotations

import argparse
from typing import Any

from sources.acme import acme_source
from sources.acme.settings import ACME_TABLES, SOURCE_NAME, AcmeSettings
from sources.common.vendors import VendorReport, VendorSpec, add_since, given


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_since(parser, "enrollments updated since this date")


def options(args: argparse.Namespace) -> dict[str, Any]:
    return given({"initial_updated_after": args.since})


SPEC = VendorSpec(
    name=SOURCE_NAME, title="Acme", color="#8a6d3b", source=acme_source,
    settings=AcmeSettings, tables=ACME_TABLES,
    report=VendorReport(),  # its funnel by sequence (acme.funnel_by_sequence)
    add_arguments=add_arguments, options=options,
)  # fmt: skip
