"""`python -m sandbox unify`: the Unify sandbox's own flags on top of the shared ones."""

from __future__ import annotations

import argparse

from sandbox.common.cli import add_common_arguments, fault_config, serve
from sandbox.unify import DEFAULT_API_KEY, DOCUMENTED_LIMIT, PREFIX, UnifySandbox
from sandbox.unify.store import MAX_ENROLLMENTS

HELP = "the Unify Sequences API v1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser, port=8765, key_header="x-api-key")
    parser.add_argument("--enrollments", type=int, default=1000,
                        help=f"1 to {MAX_ENROLLMENTS:,}")  # fmt: skip
    parser.add_argument(
        "--list-order",
        choices=("newest_first", "oldest_first"),
        default="newest_first",
        help="order of GET /enrollments (undocumented by the vendor; clients must not rely on it)",
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    if not 1 <= args.enrollments <= MAX_ENROLLMENTS:
        parser.error(f"--enrollments must be between 1 and {MAX_ENROLLMENTS:,}")
    faults = fault_config(args, parser)
    key = args.api_key or DEFAULT_API_KEY
    sandbox = UnifySandbox.create(
        args.enrollments, args.seed, api_keys=frozenset({key}), faults=faults,
        rate_limit=None if args.no_rate_limit else DOCUMENTED_LIMIT,
        frozen_clock=args.frozen_clock, list_order=args.list_order,
    )  # fmt: skip
    banner = f"Unify sandbox: {args.enrollments} enrollments (seed {args.seed})"
    serve(sandbox.app, args.port, banner, PREFIX, f"x-api-key: {key}")
