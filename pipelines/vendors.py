"""The vendors the command line knows: each one's source, settings, flags and terminal report.

Adding a vendor adds an entry here (docs/adding-a-vendor.md); the runner, the command line and
the reporting mechanism are shared.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipelines.reporting import VendorReport

if TYPE_CHECKING:
    from sources.common.actions import Action
    from sources.common.http import ApiClient
    from sources.common.values import DocumentedValues


@dataclass(frozen=True)
class Vendor:
    name: str  # the command-line word, the default dataset and pipeline, the config section
    title: str
    source: Callable[..., Any]  # its @dlt.source; takes `run_stats` and the options below
    report: VendorReport
    add_arguments: Callable[[argparse.ArgumentParser], None]
    options: Callable[[argparse.Namespace], dict[str, Any]]  # flags given -> source arguments
    actions: Mapping[str, Action] = field(default_factory=dict)  # `act <vendor> <action>`
    actions_client: Callable[[], ApiClient] | None = None  # configured as the source is
    documented_values: tuple[DocumentedValues, ...] = ()  # checked after each load

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """Configuration keys whose values are scrubbed from anything printed."""
        return (f"sources.{self.name}.api_key",)


def _since(text: str) -> str:
    """Checked as the flag the user typed, not as the setting it becomes."""
    from sources.common.errors import ConfigurationError
    from sources.common.instants import parse_since

    try:
        parse_since(text, "--since")
    except ConfigurationError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (2026-01-31) or an RFC 3339 instant"
        ) from None
    return text


def _unify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--since", type=_since, metavar="DATE",
        help="first load only: enrollments updated since this date",
    )  # fmt: skip
    parser.add_argument(
        "--backfill", choices=("bulk", "list"), default=None,
        help="how a first load reads enrollments: a Bulk API query job (bulk, the default) or"
        " the list endpoint (list: slower, but keeps created_at)",
    )  # fmt: skip
    parser.add_argument(
        "--no-enrollment-steps", dest="enrollment_steps", action="store_false", default=None,
        help="skip enrollment steps (they cost a Bulk API query job per export)",
    )  # fmt: skip


def _unify_options(args: argparse.Namespace) -> dict[str, Any]:
    chosen = {"initial_updated_after": args.since, "backfill": args.backfill,
              "enrollment_steps": args.enrollment_steps}  # fmt: skip
    return {k: v for k, v in chosen.items() if v is not None}  # else: config, defaults


def _unify() -> Vendor:
    from pipelines.reporting.unify import UNIFY_REPORT
    from sources.unify import unify_source
    from sources.unify.actions import UNIFY_ACTIONS, actions_client
    from sources.unify.settings import DOCUMENTED_VALUES

    return Vendor(
        "unify", TITLES["unify"], unify_source, UNIFY_REPORT, _unify_arguments, _unify_options,
        UNIFY_ACTIONS, actions_client, DOCUMENTED_VALUES,
    )  # fmt: skip


def _instantly_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--since", type=_since, metavar="DATE",
        help="first load only: emails created since this date",
    )  # fmt: skip
    parser.add_argument(
        "--email-bodies", dest="email_bodies", action="store_true", default=None,
        help="also load each email's text and HTML body (default: subject and preview)",
    )  # fmt: skip


def _instantly_options(args: argparse.Namespace) -> dict[str, Any]:
    chosen = {"initial_created_after": args.since, "email_bodies": args.email_bodies}
    return {k: v for k, v in chosen.items() if v is not None}


def _instantly() -> Vendor:
    from pipelines.reporting.instantly import INSTANTLY_REPORT
    from sources.instantly import instantly_source
    from sources.instantly.actions import INSTANTLY_ACTIONS, actions_client
    from sources.instantly.settings import DOCUMENTED_VALUES

    return Vendor(
        "instantly", TITLES["instantly"], instantly_source, INSTANTLY_REPORT, _instantly_arguments,
        _instantly_options, INSTANTLY_ACTIONS, actions_client, DOCUMENTED_VALUES,
    )  # fmt: skip


def _sequenzy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--since", type=_since, metavar="DATE",
        help="first load only: events since this date (default: each sequence's creation)",
    )  # fmt: skip


def _sequenzy_options(args: argparse.Namespace) -> dict[str, Any]:
    return {} if args.since is None else {"initial_since": args.since}


def _sequenzy() -> Vendor:
    from pipelines.reporting.sequenzy import SEQUENZY_REPORT
    from sources.sequenzy import sequenzy_source
    from sources.sequenzy.actions import SEQUENZY_ACTIONS, actions_client
    from sources.sequenzy.settings import DOCUMENTED_VALUES

    return Vendor(
        "sequenzy", TITLES["sequenzy"], sequenzy_source, SEQUENZY_REPORT, _sequenzy_arguments,
        _sequenzy_options, SEQUENZY_ACTIONS, actions_client, DOCUMENTED_VALUES,
    )  # fmt: skip


# How the vendors are named where they are shown (without importing their sources)
TITLES = {"unify": "Unify", "instantly": "Instantly", "sequenzy": "Sequenzy"}

FACTORIES: dict[str, Callable[[], Vendor]] = {
    "unify": _unify, "instantly": _instantly, "sequenzy": _sequenzy,
}  # fmt: skip


def vendor(name: str) -> Vendor:
    return FACTORIES[name]()
