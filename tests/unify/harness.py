"""Unify as the vendor-neutral tests drive it."""

from __future__ import annotations

from typing import Any

from sources.unify.settings import UNIFY_TABLES
from tests.support.harness import Harness
from tests.unify.environment import cli_env
from tests.unify.truth import assert_matches_truth


def _assert_loaded(warehouse: Any, server: Any) -> None:
    assert_matches_truth(warehouse, server.state)


def _advance(server: Any, seconds: float) -> None:
    server.state.advance(seconds)


UNIFY = Harness(
    name="unify",
    fixture="unify",
    counted="enrollments",
    tables=UNIFY_TABLES,
    env=cli_env,
    assert_loaded=_assert_loaded,
    advance=_advance,
)
