"""What every `python -m sandbox <vendor>` shares: the server, key, clock and fault flags."""

from __future__ import annotations

import argparse

from sandbox.common.faults import FaultConfig
from sandbox.common.server import bind_loopback, serve_forever


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a share is a number from 0 to 1")
    return value


def add_common_arguments(parser: argparse.ArgumentParser, *, port: int, key_header: str) -> None:
    parser.add_argument("--port", type=int, default=port, help="loopback port (0 picks a free one)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--api-key", default=None, help=f"accepted {key_header} (default: the sandbox key)"
    )
    parser.add_argument("--frozen-clock", action="store_true", help="time moves only when advanced")
    parser.add_argument(
        "--no-rate-limit", action="store_true", help="drop the vendor's documented rate limits"
    )
    faults = parser.add_argument_group("faults (shares of API requests, all 0 by default)")
    for name in ("rate_limited", "server_error", "drop", "truncate", "bad_json", "slow"):
        faults.add_argument(f"--{name.replace('_', '-')}", type=_share, default=0.0)
    faults.add_argument("--slow-seconds", type=float, default=5.0)
    faults.add_argument("--retry-after", type=int, default=1, help="Retry-After of injected 429s")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    faults.add_argument("--rps", type=float, default=None, help="requests-per-second cap")
    faults.add_argument("--fault-seed", type=int, default=0)


def fault_config(args: argparse.Namespace, parser: argparse.ArgumentParser) -> FaultConfig:
    """The faults the flags ask for; a usage error (exit 2) when they cannot hold together."""
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
    return config


def serve(app: object, port: int, banner: str, base_path: str, credentials: str) -> None:
    """Bind, print where the sandbox is and how to reach it, serve until interrupted."""
    sock = bind_loopback(port)
    server = f"http://127.0.0.1:{sock.getsockname()[1]}"
    print(banner, flush=True)
    print(f"  base URL: {server}{base_path}\n  {credentials}", flush=True)
    print(f"  admin: {server}/_sandbox/stats", flush=True)
    serve_forever(app, sock)
