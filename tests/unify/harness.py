"""Unify as the vendor-neutral tests drive it."""

from __future__ import annotations

from sources.unify.settings import UNIFY_TABLES
from tests.support.harness import Harness
from tests.unify.environment import cli_env
from tests.unify.truth import assert_matches_truth

HARNESS = Harness(
    name="unify",
    fixture="unify",
    counted="enrollments",
    tables=UNIFY_TABLES,
    env=cli_env,
    assert_matches_truth=assert_matches_truth,
)
