"""The command line as a scheduler runs it: a child process in the checkout, its own
environment, a pipelines dir under the test's tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_env() -> dict[str, str]:
    """This process's environment without any source or destination setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "DESTINATION__"))}
    return env | {"RUNTIME__DLTHUB_TELEMETRY": "false"}


def cli(tmp_path: Path, *args: str, command: str = "load", vendor: str = "unify") -> list[str]:
    """`sequence-funnel <command> <vendor> --quiet --pipelines-dir ... <args>` as argv."""
    quiet = ["--quiet"] if command == "load" else []
    return [
        sys.executable, "-m", "pipelines.cli", command, vendor, *quiet,
        "--pipelines-dir", str(tmp_path / "pipelines"), *args,
    ]  # fmt: skip


def run_cli(
    tmp_path: Path, env: dict[str, str], *args: str, command: str = "load", vendor: str = "unify"
) -> subprocess.CompletedProcess:
    argv = cli(tmp_path, *args, command=command, vendor=vendor)
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def files_containing(root: Path, needle: str) -> list[Path]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and needle.encode() in path.read_bytes():
            hits.append(path)
    return hits
