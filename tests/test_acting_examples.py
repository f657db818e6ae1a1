"""The docs' worked examples of acting on the funnel (docs/actions.md), run as written against the sandboxes:
each acts on the targets its query names, and afterwards (the refresh loaded the new states)
the same query names none."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.sequenzy.environment import cli_env as sequenzy_env
from tests.support.cli import ROOT, run_cli
from tests.unify.environment import cli_env as unify_env


def readme_examples() -> list[list[str]]:
    """The worked examples of the docs' "Acting on the funnel" (the commands with `--apply` and
    `--max`), as argv after the program."""
    section = (ROOT / "docs" / "actions.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", section, re.DOTALL)
    commands = [shlex.split(b.replace("\\\n", " "))[1:] for b in blocks
                if "--apply" in b and "--max" in b]  # fmt: skip
    return [c for c in commands if c[:1] == ["act"]]


EXAMPLES = readme_examples()


def test_the_readme_has_the_three_worked_examples():
    assert [c[1:3] for c in EXAMPLES] == [["unify", "cancel-enrollment"],
                                          ["unify", "pause-enrollment"],
                                          ["sequenzy", "cancel-enrollments"]]  # fmt: skip


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda c: c[2])
def test_a_worked_example_acts_on_what_its_query_names(example, unify, sequenzy, tmp_path):
    vendor, rest = example[1], example[2:]
    if vendor == "unify":
        server = unify(enrollments=3000)
        env = unify_env(server.base_url, tmp_path)
    else:  # a sandbox as `python -m sandbox sequenzy` starts one: its world ends now
        server = sequenzy(enrollments=2000, seed=42, sequences=6, anchor_us=None,
                          frozen_clock=False)  # fmt: skip
        env = sequenzy_env(server.base_url, tmp_path)
    assert run_cli(tmp_path, env, vendor=vendor).returncode == 0
    planned = run_cli(tmp_path, env, *[a for a in rest if a != "--apply"], command="act",
                      vendor=vendor)  # fmt: skip
    targets = int(re.search(r": (\d+) targets?,", planned.stdout).group(1))
    assert planned.returncode == 0 and targets > 0, planned.stdout + planned.stderr
    applied = run_cli(tmp_path, env, *rest, command="act", vendor=vendor)
    assert applied.returncode == 0, applied.stderr
    done = int(re.search(r"applied: (\d+) done", applied.stdout).group(1))
    assert done > 0 and done <= targets
    after = run_cli(tmp_path, env, *[a for a in rest if a != "--apply"], command="act",
                    vendor=vendor)  # fmt: skip
    assert after.returncode == 0 and ": 0 targets," in after.stdout, after.stdout
