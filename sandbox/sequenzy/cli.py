"""`python -m sandbox sequenzy`: the Sequenzy sandbox's own flags on top of the shared ones."""

from __future__ import annotations

import argparse

from sandbox.common.cli import add_common_arguments, fault_config, serve
from sandbox.sequenzy import DEFAULT_API_KEY, DOCUMENTED_LIMITS, PREFIX, SequenzySandbox

HELP = "the Sequenzy API v1: sequences, enrollments, subscribers"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser, port=8767, key_header="Bearer key")
    parser.add_argument("--sequences", type=int, default=6)
    parser.add_argument(
        "--enrollments", type=int, default=2_000,
        help="enrollments at the start (a tenth more arrive over 30 days)",
    )  # fmt: skip


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    faults = fault_config(args, parser)
    key = args.api_key or DEFAULT_API_KEY
    sandbox = SequenzySandbox.create(
        sequences=args.sequences, enrollments=args.enrollments, seed=args.seed,
        api_keys={key: frozenset({"all"})}, faults=faults, frozen_clock=args.frozen_clock,
        rate_limits=() if args.no_rate_limit else DOCUMENTED_LIMITS,
    )  # fmt: skip
    banner = f"Sequenzy sandbox: {args.sequences} sequences, {args.enrollments:,} enrollments"
    serve(sandbox.app, args.port, banner, PREFIX, f"Authorization: Bearer {key}")
