"""A vendor's settings, declared once: one frozen dataclass per vendor, a subclass of
`ApiSettings`, whose fields are everything a user may set with their defaults and their bounds.

The same class serves three readers:
- the source: `settings_source` makes the vendor's `@dlt.source` take exactly those fields as
  its arguments, so dlt resolves each from `SOURCES__<VENDOR>__<FIELD>` or `[sources.<vendor>]`
  as for any source, and an argument given in code wins over configuration;
- the actions' client: `configured()` reads the same keys the same way;
- the command line: a vendor's flags name fields (`sources/<vendor>/spec.py`).

Every field is checked when the settings are made (its `at_least`, `between`, `one_of` or
`instant` bound, then the key and the address), so bad configuration is refused in one line
before anything is read or written.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, ClassVar, Self, TypeVar

import dlt
from dlt.sources import DltResource, DltSource

from sources.common.errors import (
    check_at_least,
    check_between,
    check_key_and_url,
    check_one_of,
    readable,
)
from sources.common.instants import parse_since
from sources.common.retries import RetryPolicy
from sources.common.stats import RunStats


def at_least(least: float) -> Mapping[str, Any]:
    return {"at_least": least}


def between(low: float, high: float) -> Mapping[str, Any]:
    return {"between": (low, high)}


def one_of(*choices: str) -> Mapping[str, Any]:
    return {"one_of": choices}


INSTANT: Mapping[str, Any] = {"instant": True}  # a date or an RFC 3339 instant, or None


@dataclass(frozen=True)
class ApiSettings:
    """What every vendor's source and actions take: the key, the API's address and the retry
    settings (None: the vendor's own `RETRY`, its settings module's policy)."""

    SECTION: ClassVar[str]  # the config section and dlt source name: `unify`
    TITLE: ClassVar[str]  # the vendor's name in messages: `Unify`
    KEY_SETTING: ClassVar[str]  # where the key is set, for the message that it is missing
    RETRY: ClassVar[RetryPolicy]

    api_key: str = field(default=dlt.secrets.value, repr=False)  # never shown
    base_url: str = ""  # each vendor's class gives the API's own
    max_attempts: int | None = None
    retry_after_floor: float | None = None
    backoff_initial: float | None = None
    request_timeout: float | None = None
    # re-read this much before the high-water mark each run (each vendor's class gives its own)
    lookback_seconds: float = field(default=300.0, metadata=at_least(0))
    # the part of the vendor's documented rate limits this load may spend: several loads at once
    # on one budget split it (pipelines.workspaces.shares); lower it to leave room for others
    rate_share: float = field(default=1.0, metadata=between(0.001, 1.0))

    def __post_init__(self) -> None:
        for declared in fields(self):
            _check(getattr(self, declared.name), declared, self.SECTION)
        key = self.api_key if isinstance(self.api_key, str) else ""  # not given: none
        check_key_and_url(self.TITLE, self.SECTION, key, self.base_url, self.KEY_SETTING)

    @property
    def lookback(self) -> timedelta:
        return timedelta(seconds=self.lookback_seconds)

    @property
    def since(self) -> datetime | None:
        """Where a first load starts: the field marked `INSTANT` (None: the vendor's start)."""
        for declared in fields(self):
            if "instant" in declared.metadata:
                return parse_since(getattr(self, declared.name), declared.name)
        return None

    def refresh(self, listing: str) -> timedelta:
        """How often `listing` is read again in full: its `<listing>_refresh_minutes` (0: every
        run)."""
        return timedelta(minutes=getattr(self, f"{listing}_refresh_minutes"))

    @property
    def policy(self) -> RetryPolicy:
        return self.RETRY.configured(self.max_attempts, self.backoff_initial,
                                     self.retry_after_floor, self.request_timeout)  # fmt: skip

    @classmethod
    def configured(cls, **given: Any) -> Self:
        """The settings as the vendor's source would be given them by configuration alone: each
        field from `SOURCES__<SECTION>__<FIELD>` or the TOML files, else its default; `given`
        (a workspace's own, pipelines.workspaces) wins over them."""
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for declared in fields(cls):
            key = f"sources.{cls.SECTION}.{declared.name}"
            if declared.name == "api_key":
                values["api_key"] = str(dlt.secrets.get(key) or "")
                continue
            value = dlt.config.get(key, plain_type(hints[declared.name]))
            if value is not None:
                values[declared.name] = value
        return cls(**(values | given))


def plain_type(hint: Any) -> Any:
    """`int` of `int | None`: the type a configured value is read as."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return next(arg for arg in typing.get_args(hint) if arg is not type(None))
    return hint


def _check(value: Any, declared: Field[Any], section: str) -> None:
    name, bounds = declared.name.upper(), declared.metadata
    if value is None and declared.default is None:
        return  # not set: the default applies
    if "at_least" in bounds:
        check_at_least(value, bounds["at_least"], section, name)
    if "between" in bounds:
        low, high = bounds["between"]
        check_between(value, low, high, section, name)
    if "one_of" in bounds:
        check_one_of(value, bounds["one_of"], section, name)
    if "instant" in bounds:
        parse_since(value, declared.name)


S = TypeVar("S", bound=ApiSettings)


def settings_source(
    settings: type[S],
) -> Callable[[Callable[[S, RunStats], list[DltResource]]], Callable[..., DltSource]]:
    """The vendor's `@dlt.source` (named for its section, no nesting: its tables are flat), whose
    arguments are the fields of `settings` and `run_stats`. The decorated function gets them
    made into one checked `settings`, and the run's statistics (new ones if none are given).

    dlt reads a source's settings from its signature: the signature here is made from the
    class, so that the class is the one place they are declared."""

    def decorate(build: Callable[[S, RunStats], list[DltResource]]) -> Callable[..., DltSource]:
        @functools.wraps(build)
        def source(**arguments: Any) -> list[DltResource]:
            stats = arguments.pop("run_stats", None)
            return build(settings(**arguments), stats if stats is not None else RunStats())

        hints = typing.get_type_hints(settings)
        keyword = inspect.Parameter.KEYWORD_ONLY
        parameters = [
            inspect.Parameter(declared.name, keyword, default=declared.default,
                              annotation=hints[declared.name])
            for declared in fields(settings)
        ]  # fmt: skip
        parameters.append(
            inspect.Parameter("run_stats", keyword, default=None, annotation=RunStats | None)
        )
        source.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            parameters, return_annotation=list[DltResource]
        )
        factory: Callable[..., DltSource] = dlt.source(name=settings.SECTION, max_table_nesting=0)(
            source
        )
        return factory

    return decorate


def merged_resources(run: Any, *extracts: Callable[[Any], Any]) -> list[DltResource]:
    """One resource per generator function, named as the function and merged on its tables'
    keys, each given the source instance's `run` (its `settings` and `stats`). A field the
    vendor's answer lacked fails it in one line (`errors.readable`)."""
    reads = readable(run.settings.TITLE, run.stats)
    return [
        dlt.resource(reads(extract), name=extract.__name__, write_disposition="merge")(run)
        for extract in extracts
    ]
