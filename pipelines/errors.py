"""A failed run as one line that names what to fix, and its exit code (docs/operations.md).

Connector errors carry their own message and code; dlt's configuration errors are explained
from their own fields (the missing field and the keys dlt looked it up under)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import dlt
from dlt.common.configuration.exceptions import (
    ConfigFieldMissingException,
    LookupTrace,
    LookupTraces,
)
from dlt.common.destination.exceptions import UnknownDestinationModule

from pipelines import held_file
from pipelines.destinations import DESTINATIONS
from pipelines.interrupts import RunInterrupted
from pipelines.turns import RunInProgressError
from sources.common.errors import ConfigurationError, ConnectorError
from sources.common.http import redact

FAILED, CONFIG_ERROR = ConnectorError.exit_code, ConfigurationError.exit_code
BUSY = RunInProgressError.exit_code  # another run, or another process, holds what it needs


def configured_secrets(*keys: str) -> list[str]:
    """The secret values configured for `keys`, to scrub from anything printed."""
    values: list[str] = []
    for key in keys:
        try:
            value: Any = dlt.secrets.get(key)
        except Exception:
            value = None
        if value:
            values.append(str(value))
    return values


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nxt in (getattr(current, "exception", None), current.__cause__, current.__context__):
            if isinstance(nxt, BaseException):
                stack.append(nxt)


def _environment_key(field: str, traces: Iterable[LookupTrace | LookupTraces]) -> str:
    """The environment variable dlt looked `field` up under that names one section
    (`SOURCES__UNIFY__API_KEY`: what the docs document), else the most specific one. Once a
    pipeline is active in the process (a run's second workspace), dlt looks under the
    pipeline's name first (`UNIFY__SOURCES__API_KEY`): not the key to tell a person."""
    keys = [t.key for t in traces if isinstance(t, LookupTrace) and "nvironment" in t.provider]
    sectioned = [k for k in keys if k.count("__") == 2]
    documented = [k for k in sectioned if k.startswith("SOURCES__")]
    return (documented or sectioned or sorted(keys, key=lambda k: -k.count("__"))
            or [field.upper()])[0]  # fmt: skip


def _missing(cause: ConfigFieldMissingException) -> str:
    missing = ", ".join(cause.fields)
    destination = getattr(cause.config, "destination_type", None)
    if destination:
        keys = " and ".join(f"DESTINATION__{destination}__{f}".upper() for f in cause.fields)
        return (
            f"Destination '{destination}' needs {missing}: set {keys}"
            f" (or [destination.{destination}] in .dlt/secrets.toml)"
        )
    keys = " and ".join(_environment_key(f, cause.traces[f]) for f in cause.fields)
    return f"Missing {missing}: set {keys} (or in .dlt/secrets.toml)"


def explain(exc: BaseException, secrets: list[str]) -> tuple[str, int]:
    """The one line to print for a failed run, and the exit code."""
    for cause in _chain(exc):
        if isinstance(cause, RunInterrupted):
            return str(cause), cause.exit_code
    for cause in _chain(exc):
        if isinstance(cause, ConnectorError):
            return redact(str(cause), secrets), cause.exit_code
        if said := held_file.busy(str(cause)):
            return redact(said, secrets), BUSY
    for cause in _chain(exc):
        if isinstance(cause, ConfigFieldMissingException):
            return redact(_missing(cause), secrets), CONFIG_ERROR
        if isinstance(cause, UnknownDestinationModule):
            return f"Unknown destination {cause.ref!r}: {DESTINATIONS}", CONFIG_ERROR
    last = list(_chain(exc))[-1]
    text = f"{type(last).__name__}: {last}".splitlines()[0][:400]
    return redact(f"Run failed: {text}", secrets), FAILED
