"""Acme as the vendor-neutral tests drive it."""

from __future__ import annotations

from sources.acme.settings import ACME_TABLES
from tests.acme.environment import cli_env
from tests.acme.truth import assert_matches_truth
from tests.support.harness import Harness

HARNESS = Harness(
    name="acme",
    fixture="acme",
    counted="enrollments",
    tables=ACME_TABLES,
    env=cli_env,
    assert_matches_truth=assert_matches_truth,
)
