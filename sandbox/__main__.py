"""`python -m sandbox unify --port 8765 --enrollments 100000 --seed 42 [faults...]`."""

from __future__ import annotations

import argparse
import sys

from sandbox.common.server import bind_loopback, serve_forever


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a share is a number from 0 to 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    vendors = parser.add_subparsers(dest="vendor", required=True)
    unify = vendors.add_parser("unify", help="the Unify Sequences API v1")
    unify.add_argument("--port", type=int, default=8765, help="loopback port (0 picks a free one)")
    unify.add_argument("--enrollments", type=int, default=1000, help="100 to 1,000,000")
    unify.add_argument("--seed", type=int, default=42)
    unify.add_argument(
        "--api-key", default=None, help="accepted x-api-key (default: the sandbox key)"
    )
    unify.add_argument("--frozen-clock", action="store_true", help="time moves only when advanced")
    unify.add_argument("--no-rate-limit", action="store_true", help="drop the 100k/5 min limit")
    unify.add_argument(
        "--list-order",
        choices=("newest_first", "oldest_first"),
        default="newest_first",
        help="order of GET /enrollments (undocumented by the vendor; clients must not rely on it)",
    )
    faults = unify.add_argument_group("faults (shares of API requests, all 0 by default)")
    for name in ("rate_limited", "server_error", "drop", "truncate", "bad_json", "slow"):
        faults.add_argument(f"--{name.replace('_', '-')}", type=_share, default=0.0)
    faults.add_argument("--slow-seconds", type=float, default=5.0)
    faults.add_argument("--retry-after", type=int, default=1, help="Retry-After of injected 429s")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    faults.add_argument("--rps", type=float, default=None, help="requests-per-second cap")
    faults.add_argument("--fault-seed", type=int, default=0)
    args = parser.parse_args(argv)

    from sandbox.unify import DEFAULT_API_KEY, DOCUMENTED_LIMIT, FaultConfig, UnifySandbox

    if not 1 <= args.enrollments <= 1_000_000:
        parser.error("--enrollments must be between 1 and 1,000,000")
    try:
        config = FaultConfig(
            rate_limited=args.rate_limited, server_error=args.server_error, drop=args.drop,
            truncate=args.truncate, bad_json=args.bad_json, slow=args.slow,
            slow_seconds=args.slow_seconds, retry_after=args.retry_after,
            latency_ms=args.latency_ms, rps=args.rps, seed=args.fault_seed,
        )  # fmt: skip
        config.validate()
    except ValueError as exc:
        parser.error(str(exc))
    key = args.api_key or DEFAULT_API_KEY
    sandbox = UnifySandbox.create(
        args.enrollments, args.seed, api_keys=frozenset({key}), faults=config,
        rate_limit=None if args.no_rate_limit else DOCUMENTED_LIMIT,
        frozen_clock=args.frozen_clock, list_order=args.list_order,
    )  # fmt: skip
    sock = bind_loopback(args.port)
    server = f"http://127.0.0.1:{sock.getsockname()[1]}"
    base = UnifySandbox.base_url(server)
    print(f"Unify sandbox: {args.enrollments} enrollments (seed {args.seed})", flush=True)
    print(f"  base URL: {base}\n  x-api-key: {key}\n  admin: {server}/_sandbox/stats", flush=True)
    serve_forever(sandbox.app, sock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
