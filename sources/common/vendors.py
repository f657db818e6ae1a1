"""What a vendor is to the rest of the product, declared once: a `VendorSpec` in
`sources/<vendor>/spec.py` as `SPEC`, found by `specs()` (a scan of the `sources` package).

The command line, the funnel build, the demo, the Dagster recipe, the benchmark and the tests
read every vendor from here, so that adding a vendor is adding its folders
(docs/adding-a-vendor.md), never editing a list.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sources.common.actions import Action
    from sources.common.configuration import ApiSettings
    from sources.common.http import ApiClient
    from sources.common.tables import Tables
    from sources.common.values import DocumentedValues
    from sources.common.webhooks import Webhooks

SPEC_MODULE = "spec"  # sources/<vendor>/spec.py


@dataclass(frozen=True)
class VendorReport:
    """A vendor's terminal report (`report <vendor>`): the report view it prints, one row per
    sequence, in its dataset (dbt/models/reporting/<vendor>/), and its words."""

    view: str = "funnel_by_sequence"
    base_table: str = "enrollments"  # loaded: the vendor's report views are built
    words: tuple[str, str] = ("sequence", "enrollment")  # what the vendor calls them


@dataclass(frozen=True)
class Member:
    """A workspace one key reaches (an Instantly group's member, a Sequenzy company)."""

    id: str
    name: str | None


@dataclass(frozen=True)
class VendorMembers:
    """How a vendor's account key reaches several workspaces (pipelines.workspaces): `asked`, the
    setting that asks for them (`workspace_group`, `companies`); `listed`, the members it asks
    for, read from the vendor with the vendor's settings; `setting`, the source's argument that
    makes a load read one member (its id: `as_workspace`, `company_id`); `own`, whether the
    key's own workspace is loaded too (`default`)."""

    asked: str
    listed: Callable[[Any], list[Member]]
    setting: str
    own: bool


@dataclass(frozen=True)
class VendorSpec:
    name: str  # the command-line word, the default dataset and pipeline, the config section
    title: str
    color: str  # its colour in the funnel's charts
    source: Callable[..., Any]  # its @dlt.source; takes `run_stats` and the options below
    settings: type[ApiSettings]  # what the source takes, with every default (its arguments)
    tables: Tables  # its tables' column contracts and keys
    report: VendorReport
    add_arguments: Callable[[argparse.ArgumentParser], None]  # its `load <vendor>` flags
    options: Callable[[argparse.Namespace], dict[str, Any]]  # flags given -> source arguments
    actions: Mapping[str, Action] = field(default_factory=dict)  # `act <vendor> <action>`
    # configured as the source is; given a workspace's own settings (pipelines.workspaces)
    actions_client: Callable[..., ApiClient] | None = None
    documented_values: tuple[DocumentedValues, ...] = ()  # checked after each load
    # whose rate limits a load spends, as the vendor documents them: "key" (each key has its
    # own), "workspace" (each workspace has its own, whatever its keys), or "vendor" (the vendor
    # does not say: every workspace's loads share one budget)
    rate_budget: str = "vendor"
    members: VendorMembers | None = None  # the workspaces an account key reaches, if any
    # settings of the load `act` runs after an apply: what makes it read now what an action may
    # have changed, where a schedule's load may wait for a refresh interval
    after_act: Mapping[str, Any] = field(default_factory=dict)
    webhooks: Webhooks | None = None  # what `sequence-funnel listen` receives of it

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """Configuration keys whose values are scrubbed from anything printed."""
        listened = (self.webhooks.secret_setting,) if self.webhooks else ()
        return (f"sources.{self.name}.api_key", *listened)


def specs() -> dict[str, VendorSpec]:
    """Every vendor, by name (sorted): the `SPEC` of each `sources/<vendor>/spec.py`."""
    import sources

    found = {}
    for folder in sorted(pkgutil.iter_modules(sources.__path__), key=lambda m: m.name):
        name = f"sources.{folder.name}.{SPEC_MODULE}"
        if folder.ispkg and importlib.util.find_spec(name):
            spec: VendorSpec = importlib.import_module(name).SPEC
            found[spec.name] = spec
    return found


def spec(name: str) -> VendorSpec:
    return specs()[name]


def add_since(parser: argparse.ArgumentParser, what: str) -> None:
    """The `--since DATE` flag of a first load: `what` it reads since then."""
    parser.add_argument("--since", type=since_flag, metavar="DATE", help=f"first load only: {what}")


def since_flag(text: str) -> str:
    """A `--since` flag's type: checked as the flag the user typed, not as the setting it
    becomes."""
    from sources.common.errors import ConfigurationError
    from sources.common.instants import parse_since

    try:
        parse_since(text, "--since")
    except ConfigurationError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (2026-01-31) or an RFC 3339 instant"
        ) from None
    return text


def given(chosen: Mapping[str, Any]) -> dict[str, Any]:
    """The flags the user gave: the others are left to the configuration and the defaults."""
    return {key: value for key, value in chosen.items() if value is not None}


def titles() -> dict[str, str]:
    """How each vendor is named where it is shown, by name."""
    return {name: found.title for name, found in specs().items()}
