"""`python -m sandbox acme`: the Acme sandbox's own flags on top of the shared ones."""

from __future__ import annotations

import argparse

from sandbox.acme import DEFAULT_API_KEY, PREFIX, AcmeSandbox
from sandbox.common.cli import add_common_arguments, fault_config, serve

HELP = "Acme Outreach (the template vendor): sequences, enrollments"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser, port=8769, key_header="Bearer key")
    parser.add_argument("--enrollments", type=int, default=500)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    key = args.api_key or DEFAULT_API_KEY
    sandbox = AcmeSandbox.create(
        args.enrollments,
        args.seed,
        api_key=key,
        faults=fault_config(args, parser),
        frozen_clock=args.frozen_clock,
    )
    banner = f"Acme sandbox: {args.enrollments:,} enrollments"
    serve(sandbox.app, args.port, banner, PREFIX, f"Authorization: Bearer {key}")
