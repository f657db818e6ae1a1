"""One workspace's load, as a child of a parallel run (pipelines.parallel): it dies with the
parent, reads the command's arguments from the file the parent wrote, loads its workspace
(pipelines.loading) and writes its run summary as JSON.

    python -m pipelines.workspace_load <parent pid> <args.json> <workspace> <rate share> <out.json>
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipelines.children import die_with


def _child(argv: list[str]) -> int:
    """The workspace's load; its exit code."""
    parent, given, name, share, out = int(argv[0]), Path(argv[1]), argv[2], float(argv[3]), argv[4]
    die_with(parent)  # before the imports: a child whose parent has gone ends at once
    from pipelines import loading, workspaces
    from pipelines.errors import explain
    from pipelines.summary import RunSummary
    from sources.common.vendors import spec

    args: Any = argparse.Namespace(**json.loads(given.read_text()))
    args.quiet, args.workspace = True, name
    chosen = spec(args.vendor)
    try:
        space = workspaces.chosen(chosen, name)[0]
    except Exception as exc:  # the configuration changed under the run: said as any failure
        summary = RunSummary(pipeline=name)
        summary.failed(*explain(exc, []))
    else:
        summary = loading.load_workspace(
            chosen,
            args,
            space,
            build=False,
            rate_share=share,
            turn_wait=max(args.wait, loading.TURNS_WAIT),
        )
    summary.write_json(out)
    return summary.exit_code


if __name__ == "__main__":
    from pipelines.process import finished

    finished(_child(sys.argv[1:]))
