"""Instantly as the vendor-neutral tests drive it."""

from __future__ import annotations

from sources.instantly.settings import INSTANTLY_TABLES
from tests.instantly.environment import cli_env
from tests.instantly.truth import assert_matches_truth
from tests.support.harness import Harness

HARNESS = Harness(
    name="instantly",
    fixture="instantly",
    counted="leads",
    tables=INSTANTLY_TABLES,
    env=cli_env,
    assert_matches_truth=assert_matches_truth,
)
