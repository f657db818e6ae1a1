"""The funnel's dbt project as data files of the wheel, every file under dbt/ in its own folder
(pyproject's `data-files` cannot recurse and keep the folders): pipelines.funnel.project_dir
finds it under <prefix>/share/sequence-funnel/dbt. The rest of the build is pyproject.toml's."""

from pathlib import Path

from setuptools import setup

BUILT = {"target", "logs", "dbt_packages"}  # what a dbt run leaves in the project


def dbt_files() -> list[tuple[str, list[str]]]:
    by_folder: dict[str, list[str]] = {}
    for path in sorted(Path("dbt").rglob("*")):
        if path.is_file() and not BUILT & set(path.parts):
            folder = str(Path("share/sequence-funnel") / path.parent)
            by_folder.setdefault(folder, []).append(str(path))
    return sorted(by_folder.items())


setup(data_files=dbt_files())
