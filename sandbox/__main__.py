"""`python -m sandbox <vendor> --port 8765 --seed 42 [world flags] [faults...]`."""

from __future__ import annotations

import argparse
import sys
from types import ModuleType

from sandbox.instantly import cli as instantly_cli
from sandbox.sequenzy import cli as sequenzy_cli
from sandbox.unify import cli as unify_cli

VENDORS: dict[str, ModuleType] = {
    "unify": unify_cli,
    "instantly": instantly_cli,
    "sequenzy": sequenzy_cli,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    vendors = parser.add_subparsers(dest="vendor", required=True)
    for name, module in VENDORS.items():
        sub = vendors.add_parser(name, help=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run, parser=sub)
    args = parser.parse_args(argv)
    args.run(args, args.parser)
    return 0


if __name__ == "__main__":
    sys.exit(main())
