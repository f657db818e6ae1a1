"""The command line as a scheduler runs it: its own environment, the checkout as its directory, a
pipelines dir under the test's tmp_path; in this process, or a child where a test needs one."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# A load that builds the dbt models (the vendors' report views among them), as a user's does
BUILDS_MODELS = {"FUNNEL__BUILD": "true"}


def clean_env() -> dict[str, str]:
    """This process's environment without any source, destination or funnel setting. Loads
    leave the dbt models alone (FUNNEL__BUILD=false): a build costs each first load some ten
    seconds; a test that reads a report adds BUILDS_MODELS."""
    prefixes = ("SOURCES__", "DESTINATION__", "FUNNEL__")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return env | {"RUNTIME__DLTHUB_TELEMETRY": "false", "FUNNEL__BUILD": "false"}


def cli(tmp_path: Path, *args: str, command: str = "load", vendor: str = "unify") -> list[str]:
    """`sequence-funnel <command> <vendor> --quiet --pipelines-dir ... <args>` as argv."""
    quiet = ["--quiet"] if command == "load" else []
    return [
        sys.executable, "-m", "pipelines.cli", command, vendor, *quiet,
        "--pipelines-dir", str(tmp_path / "pipelines"), *args,
    ]  # fmt: skip


def run_cli(
    tmp_path: Path,
    env: dict[str, str],
    *args: str,
    command: str = "load",
    vendor: str = "unify",
    process: bool = False,
) -> subprocess.CompletedProcess:
    """`sequence-funnel <command> <vendor> ...` run to its end: in this process (`main`, as the
    console script calls it) unless `process`, a child process as a scheduler runs it. A child
    costs each call the interpreter's start and the imports (about a second and a half), and
    proves nothing more to a test of what the command does; tests of processes (kills, signals,
    exit paths, what a fresh interpreter prints) make one."""
    argv = cli(tmp_path, *args, command=command, vendor=vendor)
    if process:
        return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)  # fmt: skip
    return in_process(argv, env)


def in_process(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """`argv` (`python -m pipelines.cli ...`) run by `pipelines.cli.main` in this process, with
    `env` as its whole environment and the checkout as its directory, for the call: its exit
    code, and what it wrote to standard output and error (its log lines among them)."""
    from pipelines.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    # as in a new process, the root logger has no handler, and main's logging.basicConfig
    # makes one (pytest's own are put back after); dlt's logger writes to its own handler's
    # stream, chosen when dlt first logged
    root = logging.getLogger()
    rooted, level = list(root.handlers), root.level
    streams = {h: h.setStream(stderr) for h in _dlt_handlers()}
    try:
        for handler in rooted:
            root.removeHandler(handler)
        os.environ.clear()
        os.environ.update(env)
        with (
            contextlib.chdir(ROOT),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            try:
                code = main(argv[3:])  # after `python -m pipelines.cli`
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in rooted:
            root.addHandler(handler)
        root.setLevel(level)
        for handler, stream in streams.items():
            handler.setStream(stream)
    return subprocess.CompletedProcess(argv, code, stdout.getvalue(), stderr.getvalue())


def _dlt_handlers() -> list[logging.StreamHandler]:
    """The stream handlers of dlt's logger (`dlt`, made when dlt first logs)."""
    return [h for h in logging.getLogger("dlt").handlers if type(h) is logging.StreamHandler]


def loaded_then_reported(tmp_path: Path, env: dict[str, str], vendor: str) -> str:
    """A load that builds the models, then `report <vendor>`: what the report printed (both
    asserted to exit 0)."""
    loaded = run_cli(tmp_path, env | BUILDS_MODELS, vendor=vendor)
    assert loaded.returncode == 0, loaded.stderr
    shown = run_cli(tmp_path, env | BUILDS_MODELS, command="report", vendor=vendor)
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


def tracked_files() -> list[str]:
    """The checkout's committed files (git's index), as paths from its root."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")  # fmt: skip
    return [name for name in listed if name and (ROOT / name).is_file()]


def copy_tracked(destination: Path) -> Path:
    """A copy of the committed files alone: what a fresh clone holds, without a checkout's own
    build/, egg-info or scratch files."""
    for name in tracked_files():
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination / name)
    return destination


def files_containing(root: Path, needle: str) -> list[Path]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and needle.encode() in path.read_bytes():
            hits.append(path)
    return hits


def kill_then_rerun(
    tmp_path: Path,
    env: dict[str, str],
    vendor: str,
    *,
    delays: tuple[float, float],
    move_on: Callable[[], None],
    check: Callable[[], None],
    seed: int,
    rounds: int = 3,
) -> list[tuple[float, int | None]]:
    """`rounds` times: the world moves on (after the first), a load starts and is SIGKILLed
    after a random delay in `delays`, then a rerun must exit 0 and `check` hold. Asserts that at
    least one kill landed in a running load; returns (delay, the killed load's exit code)."""
    rng = random.Random(seed)
    killed: list[tuple[float, int | None]] = []
    for round_ in range(rounds):
        if round_:
            move_on()
        process = subprocess.Popen(cli(tmp_path, vendor=vendor), cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        delay = rng.uniform(*delays)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        killed.append((round(delay, 2), process.returncode))
        result = run_cli(tmp_path, env, vendor=vendor, process=True)
        assert result.returncode == 0, (killed, result.stderr)
        check()
    assert any(code == -signal.SIGKILL for _, code in killed), killed
    return killed


def kill_when(process: subprocess.Popen, ready: Callable[[], bool], timeout: float = 60) -> int:
    """SIGKILL `process` as soon as `ready()` (polled), so the kill lands where a test wants
    it however fast the machine; returns its exit code."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, "never ready to be killed"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    return process.wait(timeout=30)
