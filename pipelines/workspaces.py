"""A vendor's workspaces as configured: what `load <vendor>` loads, each into its own pipeline
and dataset.

- No `workspaces` section: one workspace, `default`, configured as always (`SOURCES__<VENDOR>__*`),
  loaded into the dataset and pipeline named for the vendor.
- `[sources.<vendor>.workspaces.<name>]` (or `SOURCES__<VENDOR>__WORKSPACES__<NAME>__API_KEY`):
  one workspace per name, each with its own key and any of the vendor's settings of its own (the
  rest as the vendor's), loaded into `<vendor>_<name>`; with them, a key set for the vendor
  itself is the `default` workspace too.
- An account key's members (an Instantly workspace group, Sequenzy's companies:
  `VendorSpec.members`), when the configuration asks for them: listed from the vendor each run,
  each a workspace named from its own name, read with the vendor's key.

Each workspace has its own pipeline state and dataset, so loads of different workspaces never
share dlt's staging tables or schema versions and may run at once; the funnel unions them
(pipelines.funnel.workspaces).
"""

from __future__ import annotations

import os
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import dlt

from sources.common.configuration import plain_type
from sources.common.errors import ConfigurationError
from sources.common.vendors import Member, VendorSpec

DEFAULT = "default"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Workspace:
    vendor: str
    name: str
    # the source's arguments that differ from the vendor's configuration: its key, its settings
    arguments: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def dataset(self) -> str:
        """Its dataset, and its pipeline's name: the vendor's for `default`."""
        return dataset_of(self.vendor, self.name)

    @property
    def secrets(self) -> list[str]:
        """Its own key, to scrub from anything printed (the vendor's are configured_secrets)."""
        key = self.arguments.get("api_key")
        return [str(key)] if key else []

    @property
    def key_setting(self) -> str:
        section = f"sources.{self.vendor}.workspaces.{self.name}"
        return f"{section.upper().replace('.', '__')}__API_KEY (or [{section}] api_key)"

    def explained(self, message: str, vendor: VendorSpec) -> str:
        """A failure's line, naming the workspace and where its own key is set."""
        if self.name == DEFAULT:
            return message
        if "api_key" not in self.arguments:  # a member, read with the vendor's key
            return f"workspace {self.name}: {message}"
        return f"workspace {self.name}: " + message.replace(
            vendor.settings.KEY_SETTING, self.key_setting
        )


def dataset_of(vendor: str, name: str) -> str:
    return vendor if name == DEFAULT else f"{vendor}_{name}"


def configured(vendor: VendorSpec) -> list[Workspace]:
    """The vendor's workspaces, `default` first: the named ones, then the members its account
    key reaches when asked (an Instantly workspace group, Sequenzy companies: `VendorSpec.members`,
    read from the vendor each run, so a new member is loaded by the next). A workspace without
    a key, or a name that cannot name a dataset, is refused in one line."""
    section = f"sources.{vendor.name}.workspaces"
    names, found = sorted(_names(section)), _members(vendor)
    if not names and not found:
        return [Workspace(vendor.name, DEFAULT)]
    chosen: list[Workspace] = []
    own = vendor.members is None or vendor.members.own or not found
    if own and dlt.secrets.get(f"sources.{vendor.name}.api_key"):
        chosen.append(Workspace(vendor.name, DEFAULT))
    for name in names:
        chosen.append(_named(vendor, section, name))
    if vendor.members is not None:
        setting = vendor.members.setting
        claimed = {w.arguments.get(setting) for w in chosen}
        taken = {w.name for w in chosen}
        for member in found:
            if member.id not in claimed:
                name = member_name(member, taken)
                taken.add(name)
                chosen.append(Workspace(vendor.name, name, {setting: member.id}))
    return chosen


def _named(vendor: VendorSpec, section: str, name: str) -> Workspace:
    if not NAME.match(name) or name == DEFAULT:
        raise ConfigurationError(
            f"{vendor.title} workspace {name!r} ({section}.{name}): a workspace's name is"
            " lower-case letters, digits and _ (up to 40), starting with a letter, and not"
            f" {DEFAULT!r}"
        )
    hints = typing.get_type_hints(vendor.settings)
    arguments: dict[str, Any] = {}
    for declared in fields(vendor.settings):
        key = f"{section}.{name}.{declared.name}"
        value: Any = None
        if declared.name == "api_key":
            value = dlt.secrets.get(key)
        else:
            value = dlt.config.get(key, plain_type(hints[declared.name]))
        if value is not None:
            arguments[declared.name] = value
    workspace = Workspace(vendor.name, name, arguments)
    member = vendor.members is not None and arguments.get(vendor.members.setting)
    if not arguments.get("api_key") and not member:  # a member is read with the vendor's key
        raise ConfigurationError(
            f"{vendor.title} workspace {name!r} has no key: set {workspace.key_setting}"
        )
    return workspace


def _members(vendor: VendorSpec) -> list[Member]:
    """The members the vendor's configuration asks for (none unless it asks)."""
    if vendor.members is None or not _asked(vendor):
        return []
    return vendor.members.listed(vendor.settings.configured())


def _asked(vendor: VendorSpec) -> bool:
    """Whether the configuration asks for the members an account key reaches."""
    assert vendor.members is not None
    hint = plain_type(typing.get_type_hints(vendor.settings)[vendor.members.asked])
    return bool(dlt.config.get(f"sources.{vendor.name}.{vendor.members.asked}", hint))


def member_name(member: Member, taken: set[str]) -> str:
    """A workspace's name from the member's own name (`Acme Corp.` is `acme_corp`), else its id;
    one already taken gets the id's start."""
    slug = re.sub(r"[^a-z0-9]+", "_", (member.name or "").lower()).strip("_")[:30]
    slug = slug if slug and slug[0].isalpha() else f"w_{slug or member.id[:8]}"
    return slug if slug not in taken and slug != DEFAULT else f"{slug}_{member.id[:8].lower()}"


def shares(vendor: VendorSpec, spaces: list[Workspace], parallel: int) -> dict[str, float]:
    """The part of the vendor's rate limits each workspace's load may use when `parallel` load
    at once: those on one budget (`VendorSpec.rate_budget`) split it among as many of them as
    can run together."""
    budgets: dict[str, list[str]] = {}
    for space in spaces:
        if vendor.rate_budget == "key":
            budget = str(space.arguments.get("api_key", DEFAULT))
        else:
            budget = space.name if vendor.rate_budget == "workspace" else vendor.name
        budgets.setdefault(budget, []).append(space.name)
    return {name: 1.0 / min(len(names), parallel)
            for names in budgets.values() for name in names}  # fmt: skip


def chosen(vendor: VendorSpec, name: str | None) -> list[Workspace]:
    """The configured workspaces, or with `name` (`--workspace`) that one only."""
    found = configured(vendor)
    if name is None:
        return found
    picked = [w for w in found if w.name == name]
    if not picked:
        known = ", ".join(w.name for w in found)
        raise ConfigurationError(
            f"{vendor.title} has no workspace {name!r} (configured: {known}): add"
            f" [sources.{vendor.name}.workspaces.{name}] with its api_key"
        )
    return picked


def has_workspaces(vendor: VendorSpec) -> bool:
    """Whether the configuration names workspaces, or asks for an account key's (read without
    a request: a schedule is chosen, and the funnel's workspaces named, before any run)."""
    named = bool(_names(f"sources.{vendor.name}.workspaces"))
    return named or (vendor.members is not None and _asked(vendor))


def acted_on(vendor: VendorSpec, name: str | None) -> Workspace:
    """The one workspace an action acts on: the vendor's only one, or the one `name` names
    (`--workspace`); a vendor with several refuses an action that does not name one."""
    found = chosen(vendor, name)
    if len(found) > 1:
        raise ConfigurationError(
            f"{vendor.title} has {len(found)} workspaces ({', '.join(w.name for w in found)}):"
            " an action acts on one; name it with --workspace NAME"
        )
    return found[0]


def _names(section: str) -> set[str]:
    """The names under `section` in the TOML files and the environment."""
    names: set[str] = set()
    for accessor in (dlt.config, dlt.secrets):
        found: Any = accessor.get(section)
        if isinstance(found, Mapping):
            names |= {str(n) for n in found}
    prefix = section.upper().replace(".", "__") + "__"
    for variable in os.environ:
        if variable.startswith(prefix) and "__" in variable[len(prefix) :]:
            names.add(variable[len(prefix) :].split("__", 1)[0].lower())
    return names
