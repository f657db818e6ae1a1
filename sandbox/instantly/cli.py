"""`python -m sandbox instantly`: the Instantly sandbox's own flags on top of the shared ones."""

from __future__ import annotations

import argparse

from sandbox.common.cli import add_common_arguments, fault_config, serve
from sandbox.instantly import (
    DEFAULT_API_KEY,
    DOCUMENTED_LIMITS,
    PREFIX,
    InstantlySandbox,
    WindowLimit,
)

HELP = "the Instantly API v2: campaigns, subsequences, accounts, leads, emails, analytics"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser, port=8766, key_header="Bearer key")
    parser.add_argument("--campaigns", type=int, default=12)
    parser.add_argument("--accounts", type=int, default=8)
    parser.add_argument(
        "--leads",
        type=int,
        default=1_000,
        help="leads at the start (a tenth more arrive over 30 days)",
    )
    parser.add_argument("--unpaid", action="store_true", help="a workspace without a paid plan")
    parser.add_argument(
        "--emails-window", type=float, default=60.0, metavar="SECONDS",
        help="the window of GET /emails' 20 requests (60, as documented; less to scale time)",
    )  # fmt: skip


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    faults = fault_config(args, parser)
    key = args.api_key or DEFAULT_API_KEY
    limits = tuple(
        WindowLimit(w.requests, args.emails_window, w.path) if w.path else w
        for w in DOCUMENTED_LIMITS
    )
    sandbox = InstantlySandbox.create(
        campaigns=args.campaigns, accounts=args.accounts, leads=args.leads, seed=args.seed,
        api_keys={key: frozenset({"all:all"})}, paid_plan=not args.unpaid, faults=faults,
        frozen_clock=args.frozen_clock, rate_limits=() if args.no_rate_limit else limits,
    )  # fmt: skip
    banner = (
        f"Instantly sandbox: {args.campaigns} campaigns, {args.accounts} accounts, "
        f"{args.leads:,} leads"
    )
    serve(sandbox.app, args.port, banner, PREFIX, f"Authorization: Bearer {key}")
