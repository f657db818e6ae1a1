"""The workspaces the funnel is built over: every dataset in the destination that a vendor's
source was loaded into is one of that vendor's workspaces, named.

A load never re-points the funnel at another dataset: the funnel unions them all
(dbt/macros/vendor_tables.sql, `for_each_workspace`), each row tagged with its workspace, the way
Fivetran's packages union connectors with `source_relation`. The names:
- a vendor loaded into one dataset only, with no workspace configured: that dataset is its
  `default` workspace, wherever it is (the single-workspace configuration, `--dataset-name`
  included, builds as it always did);
- otherwise the vendor's home dataset (FUNNEL__DATASETS__<VENDOR>, else the vendor's name) is
  `default`, `<vendor>_<name>` (the datasets `load <vendor> --workspace <name>` writes) is
  `<name>`, and any other dataset is named as itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pipelines.workspaces import DEFAULT


@dataclass(frozen=True)
class Workspace:
    name: str
    dataset: str

    @property
    def prefix(self) -> str:
        """What namespaces the workspace's keys in the marts: none for `default`."""
        return "" if self.name == DEFAULT else f"{self.name}:"

    def as_var(self) -> dict[str, str]:
        return {"name": self.name, "dataset": self.dataset, "prefix": self.prefix}


def named(
    vendor: str, home: str, datasets: Iterable[str], configured: bool = False
) -> list[Workspace]:
    """`datasets` of `vendor` as workspaces, `default` first, then by name; `home` is the
    vendor's home dataset, its `default` when it is among them, or when it is the only one and
    the configuration names no workspace (`configured`: it does). A dataset whose name another
    took (datasets `acme` and `unify_acme`) is named as itself."""
    loaded = set(datasets)
    if len(loaded) == 1 and home not in loaded and not configured:
        return [Workspace(DEFAULT, loaded.pop())]
    chosen: dict[str, Workspace] = {}
    for dataset in sorted(loaded | {home}, key=lambda d: (d != home, d)):
        name = name_of(vendor, home, dataset)
        name = dataset if name in chosen else name
        chosen[name] = Workspace(name, dataset)
    return sorted(chosen.values(), key=lambda w: (w.name != DEFAULT, w.name))


def name_of(vendor: str, home: str, dataset: str) -> str:
    if dataset == home:
        return DEFAULT
    prefix = f"{vendor}_"
    return dataset[len(prefix) :] if dataset.startswith(prefix) else dataset


def loaded_datasets(client: Any, vendors: Iterable[str]) -> dict[str, set[str]]:
    """Per vendor, the datasets in the destination its source was loaded into: those whose load
    table (`_dlt_loads`, in each dataset dlt completed a load into; not in the staging datasets
    of its merges) names the vendor's schema."""
    wanted = set(vendors)
    rows = client.execute_sql(
        "select distinct table_schema from information_schema.tables"
        " where table_name = '_dlt_loads'"
    )
    found: dict[str, set[str]] = {vendor: set() for vendor in wanted}
    for (schema,) in rows or []:
        with client.with_alternative_dataset_name(schema):
            loads = client.make_qualified_table_name("_dlt_loads")
        names = client.execute_sql(f"select distinct schema_name from {loads} where status = 0")
        for (vendor,) in names or []:
            if vendor in wanted:
                found[vendor].add(str(schema))
    return found


def datasets_of(workspaces: Mapping[str, list[Workspace]]) -> dict[str, set[str]]:
    """Per dataset, the vendors with a workspace there."""
    vendors: dict[str, set[str]] = {}
    for vendor, chosen in workspaces.items():
        for workspace in chosen:
            vendors.setdefault(workspace.dataset, set()).add(vendor)
    return vendors
