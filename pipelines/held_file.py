"""A DuckDB file another process holds: who holds it, said the same way by every command that
opens it (load, report, act, the funnel's build). A path is not a secret: it is named."""

from __future__ import annotations

import re
from pathlib import Path

# DuckDB's refusal when another process has the file open (a reader holds a shared lock)
DUCKDB_LOCK = re.compile(
    r'Could not set lock on file "(?P<file>[^"]+)": Conflicting lock is held in'
    r" (?P<holder>.+?) \(PID (?P<pid>\d+)\)"
)


def holder(refusal: str) -> str:
    """`open in another sequence-funnel run (PID 4242, `sequence-funnel load unify`)`, or the
    process DuckDB names, from its refusal."""
    found = DUCKDB_LOCK.search(refusal)
    if found is None:
        return "open in another process"
    command = ours(_command_line(found["pid"]))
    if command:
        return f"open in another sequence-funnel run (PID {found['pid']}, `{command}`)"
    return f"open in another process (PID {found['pid']}, {found['holder']})"


def busy(refusal: str) -> str | None:
    """The one line for a command the held file stopped, or None when `refusal` is not that."""
    found = DUCKDB_LOCK.search(refusal)
    if found is None:
        return None
    held = holder(refusal)
    fix = (
        "let it finish, add --wait SECONDS, or schedule runs apart"
        if "sequence-funnel run" in held
        else "close that connection (read, then close), or add --wait SECONDS"
    )
    return f"The DuckDB file {found['file']} is {held}; this run did nothing: {fix}"


def _command_line(pid: str) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:  # gone, or no /proc here
        return []


def ours(argv: list[str]) -> str | None:
    """`sequence-funnel <command> <vendor>` when `argv` runs this project's console script or
    `python -m pipelines.cli`, else None."""
    for k, arg in enumerate(argv):
        if Path(arg).name == "sequence-funnel" or (arg == "pipelines.cli" and argv[k - 1] == "-m"):
            words = [a for a in argv[k + 1 :] if a and not a.startswith("-")][:2]
            return " ".join(["sequence-funnel", *words])
    return None
