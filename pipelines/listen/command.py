"""`sequence-funnel listen`: the webhook receiver, served by uvicorn until stopped (SIGTERM or
Ctrl-C end it cleanly; a kill -9 loses nothing acknowledged, pipelines.listen.intake).

Its settings, from the environment or `.dlt/secrets.toml` like every key:
- `LISTEN__SEQUENZY__SIGNING_SECRETS`: Sequenzy's signing secrets, comma-separated (every active
  one while a secret is rotated);
- `LISTEN__INSTANTLY__SECRET`: the value of the header Instantly's webhooks are registered with.
A vendor without its setting is not listened to; with neither, the command stops in one line.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dlt.common.pipeline import get_dlt_pipelines_dir

from pipelines.summary import OK
from sources.common.errors import ConfigurationError
from sources.common.vendors import specs
from sources.common.webhooks import Webhooks

SETTINGS = "LISTEN__SEQUENZY__SIGNING_SECRETS or LISTEN__INSTANTLY__SECRET"
DEFAULT_PORT = 8787


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "listen", help="receive Instantly's and Sequenzy's webhooks (stored before acknowledged)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=None,
                        help="port to listen on (LISTEN__PORT, else 8787)")  # fmt: skip
    parser.add_argument("--destination", default="duckdb", help="any dlt destination (duckdb)")
    parser.add_argument("--pipelines-dir", default=None, help="where dlt keeps pipeline state")
    parser.add_argument(
        "--batch-seconds", type=float, default=1.0, metavar="SECONDS",
        help="load what came in into <vendor>.webhook_events this often (1)",
    )  # fmt: skip
    registering = parser.add_mutually_exclusive_group()
    registering.add_argument(
        "--register", metavar="URL",
        help="register the webhooks of every vendor with a key, to URL/webhooks/<vendor>; exit",
    )  # fmt: skip
    registering.add_argument("--unregister", metavar="URL",
                             help="remove the webhooks registered to URL; exit")  # fmt: skip
    parser.add_argument(
        "--public-url", metavar="URL", default=None,
        help="the URL the webhooks were registered with: on start, heal from each vendor's"
             " delivery log what failed to reach it",
    )  # fmt: skip
    parser.add_argument(
        "--tolerance", type=float, default=300.0, metavar="SECONDS",
        help="how far a Sequenzy delivery's timestamp may be from now (300)",
    )  # fmt: skip


def intake_path(pipelines_dir: str | None) -> Path:
    """The intake's file, beside the pipelines' state: durable where they are."""
    return Path(pipelines_dir or get_dlt_pipelines_dir()) / "listen" / "intake.sqlite"


def listened() -> dict[str, tuple[Webhooks, list[str]]]:
    """Each vendor with webhooks and a secret configured, with its secrets."""
    from pipelines.listen import registration

    found = {}
    for name, chosen in specs().items():
        if chosen.webhooks is not None and (secrets := registration.secrets_of(chosen.webhooks)):
            found[name] = (chosen.webhooks, secrets)
    if not found:
        raise ConfigurationError(f"listen has no vendor to listen to: set {SETTINGS}")
    return found


def _explained(exc: BaseException) -> tuple[str, int]:
    """The one line for a failure, every key and listener secret scrubbed, and its exit code."""
    from pipelines import errors

    keys = [key for chosen in specs().values() for key in chosen.secret_keys]
    return errors.explain(exc, errors.configured_secrets(*keys))


def main(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    from pipelines.listen import registration

    try:
        if args.register:
            return registration.register(args.register, print)
        if args.unregister:
            return registration.unregister(args.unregister, print)
        return _serve(args, say)
    except Exception as exc:  # the configuration, a vendor's refusal
        message, code = _explained(exc)
        print(f"error: {message}", file=sys.stderr)
        return code


def _heal_when_up(server: Any, intake: Any, public_url: str, chosen: Any,
                  say: Callable[[str], None]) -> None:  # fmt: skip
    """Once the listener answers (Sequenzy's replays come to it), heal what it missed."""
    from pipelines.listen.healing import heal_all

    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.05)
    try:
        heal_all(intake, public_url, chosen, say)
    except Exception as exc:  # the next start heals again; the vendors' retries go on
        message, _ = _explained(exc)
        say(f"warning: gaps not healed: {message}")


def _port(given: int | None) -> int:
    import dlt

    configured: Any = dlt.config.get("listen.port")
    try:
        return int(given or configured or DEFAULT_PORT)
    except ValueError:
        raise ConfigurationError(
            f"LISTEN__PORT must be a port number, not {configured!r}"
        ) from None


def _serve(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    import uvicorn

    from pipelines.listen.app import build_app
    from pipelines.listen.batches import BatchLoader
    from pipelines.listen.intake import Intake

    chosen = listened()
    path = intake_path(args.pipelines_dir)
    batches = BatchLoader(path, args.destination, args.pipelines_dir, args.batch_seconds, say)
    with Intake.open(path, replay_window=2 * args.tolerance) as intake, batches:
        app = build_app(intake, chosen, args.tolerance)
        port = _port(args.port)
        config = uvicorn.Config(app, host=args.host, port=port, access_log=False,
                                log_level="warning", lifespan="off")  # fmt: skip
        server = uvicorn.Server(config)
        base = f"http://{args.host}:{port}/webhooks/"
        routes = ", ".join(base + vendor for vendor in chosen)
        say(f"listening on {routes} (intake {path})")
        if args.public_url:
            threading.Thread(target=_heal_when_up, args=(server, intake, args.public_url, chosen,
                                                          say), daemon=True).start()  # fmt: skip
        # uvicorn stops gracefully on SIGTERM and Ctrl-C, then raises the signal again under
        # the handlers it found: these let the last batch load and the run end with 0
        for stop in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop, lambda *_: None)
        server.run()
    return OK
