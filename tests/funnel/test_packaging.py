"""An installed copy (`make install`, not editable) carries the whole dbt project (the wheel's
data files are the project's files, where pipelines.funnel.project_dir looks for them) and
every file its packages read: the sandboxes' vendor documents, without which the demo fails."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.support.cli import ROOT, copy_tracked

PREFIX = "share/sequence-funnel/dbt/"


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory) -> list[str]:
    """The wheel of the committed files alone: a checkout's own build/ and egg-info, left by
    earlier builds, would otherwise lend it files the configuration does not name."""
    source = copy_tracked(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", str(source), "-w", str(out)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_wheel_carries_every_file_of_the_dbt_project(wheel_files):
    carried = {n.split(PREFIX, 1)[1] for n in wheel_files if PREFIX in n}
    project = ROOT / "dbt"
    files = {
        str(p.relative_to(project)) for p in project.rglob("*")
        if p.is_file() and not {"target", "logs"} & set(p.relative_to(project).parts)
    }  # fmt: skip
    assert carried == files


def test_the_wheel_carries_the_data_files_its_packages_read(wheel_files):
    documents = {str(p.relative_to(ROOT)) for p in ROOT.glob("sandbox/*/openapi.json")}
    assert documents and documents <= set(wheel_files)
