"""Sequenzy as the vendor-neutral tests drive it."""

from __future__ import annotations

from sources.sequenzy.settings import SEQUENZY_TABLES
from tests.sequenzy.environment import cli_env
from tests.sequenzy.truth import assert_matches_truth
from tests.support.harness import Harness

HARNESS = Harness(
    name="sequenzy",
    fixture="sequenzy",
    counted="enrollments",
    tables=SEQUENZY_TABLES,
    env=cli_env,
    assert_matches_truth=assert_matches_truth,
)
