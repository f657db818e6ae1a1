"""A worker of a parallel load (pipelines.parallel): it dies with the parent, reads the
command's arguments and the workspaces' rate shares from the files the parent wrote, then takes
the next workspace no worker has taken, loads it (pipelines.loading) and writes its run summary
as JSON, until none is left or it is told to stop.

    python -m pipelines.workspace_load <parent pid> <folder> <worker number>
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipelines.children import die_with


def _worker(argv: list[str]) -> int:
    """The workspaces this worker took, each loaded; the exit code of the last one that failed,
    or 0."""
    parent, folder, worker = int(argv[0]), Path(argv[1]), int(argv[2])
    die_with(parent)  # before the imports: a worker whose parent has gone ends at once
    from pipelines import loading, parallel, workspaces
    from pipelines.errors import explain
    from pipelines.summary import RunSummary
    from sources.common.vendors import spec

    given = json.loads((folder / "args.json").read_text())
    shares: dict[str, float] = json.loads((folder / "shares.json").read_text())
    chosen, code = spec(given["vendor"]), 0
    for name, share in shares.items():
        if not parallel.claim(folder, name, worker):
            continue
        args: Any = argparse.Namespace(**given)
        args.quiet, args.workspace = True, name
        try:
            space = workspaces.chosen(chosen, name)[0]
        except Exception as exc:  # the configuration changed under the run: said as any failure
            summary = RunSummary(pipeline=name)
            summary.failed(*explain(exc, []))
        else:
            turn_wait = max(args.wait, loading.TURNS_WAIT)
            summary = loading.load_workspace(
                chosen, args, space, build=False, rate_share=share, turn_wait=turn_wait
            )
        summary.write_json(str(folder / f"{name}.json"))  # whole or absent, as the parent reads
        code = summary.exit_code or code
        if summary.status == "interrupted":  # stopped by a signal: take no other workspace
            break
    return code


if __name__ == "__main__":
    from pipelines.process import finished

    finished(_worker(sys.argv[1:]))
