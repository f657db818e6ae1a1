"""`python -m sandbox <vendor> --port 8765 --seed 42 [world flags] [faults...]`: every vendor's
stand-in with a `cli.py` (HELP, add_arguments, run) in its folder."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import pkgutil
import sys
from types import ModuleType

import sandbox


def vendors() -> dict[str, ModuleType]:
    """Each `sandbox/<vendor>/cli.py`, by vendor (the sandbox imports no product code, so it
    finds its own)."""
    found = {}
    for folder in sorted(pkgutil.iter_modules(sandbox.__path__), key=lambda m: m.name):
        name = f"sandbox.{folder.name}.cli"
        if folder.ispkg and folder.name != "common" and importlib.util.find_spec(name):
            found[folder.name] = importlib.import_module(name)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    subparsers = parser.add_subparsers(dest="vendor", required=True)
    for name, module in vendors().items():
        sub = subparsers.add_parser(name, help=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run, parser=sub)
    args = parser.parse_args(argv)
    args.run(args, args.parser)
    return 0


if __name__ == "__main__":
    sys.exit(main())
