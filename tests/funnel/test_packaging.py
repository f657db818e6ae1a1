"""An installed copy (`make install`, not editable) carries the whole dbt project: the wheel's
data files are the project's files, where pipelines.funnel.project_dir looks for them."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from tests.support.cli import ROOT

PREFIX = "share/sequence-funnel/dbt/"


def test_the_wheel_carries_every_file_of_the_dbt_project(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", str(ROOT), "-w", str(tmp_path)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        carried = {n.split(PREFIX, 1)[1] for n in archive.namelist() if PREFIX in n}
    project = ROOT / "dbt"
    files = {
        str(p.relative_to(project)) for p in project.rglob("*")
        if p.is_file() and not {"target", "logs"} & set(p.relative_to(project).parts)
    }  # fmt: skip
    assert carried == files
