"""Instantly as the vendor-neutral tests drive it."""

from __future__ import annotations

from typing import Any

from sources.instantly.settings import INSTANTLY_TABLES
from tests.instantly.environment import cli_env
from tests.instantly.truth import assert_matches_truth
from tests.support.harness import Harness


def _assert_loaded(warehouse: Any, server: Any) -> None:
    assert_matches_truth(warehouse, server.state)


def _advance(server: Any, seconds: float) -> None:
    server.state.advance(seconds)


INSTANTLY = Harness(
    name="instantly",
    fixture="instantly",
    counted="leads",
    tables=INSTANTLY_TABLES,
    env=cli_env,
    assert_loaded=_assert_loaded,
    advance=_advance,
)
